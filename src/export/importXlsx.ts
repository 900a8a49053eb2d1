import ExcelJS from 'exceljs';
import { buildLayout } from '../layout/layout';
import { sampleOrder, unflattenParams } from '../spec/resolve';
import type { Spec } from '../spec/types';
import { optimizerJson, parseSpec, SpecError } from '../spec/validate';
import { TRAIN_SHEET } from '../layout/layout';
import { RUN_SHEET, WORKBOOK_FORMAT } from './xlsx';
import { guardWorkbook, WorkbookFileError } from '../check/workbookGuard';

/**
 * Reads a workbook gradsheet exported (perhaps edited in a spreadsheet since) back into a spec: the network and
 * settings from the Run sheet, and from the Train sheet what a user edits there: the starting weights and optimizer
 * states are epoch 0's, the learning rate and the other settings (μ, β1, β2, ε …) epoch 0's, and the sample drawn at
 * every step.
 * Anything else gets a clear error, and nothing of the caller's is touched.
 */

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}


function cellNumber(cell: ExcelJS.Cell, what: string): number {
  const v = cell.value as ExcelJS.CellValue;
  const n = typeof v === 'object' && v !== null && 'result' in v ? (v as ExcelJS.CellFormulaValue).result : v;
  if (n === Infinity || n === -Infinity) {
    throw new ImportError(`${TRAIN_SHEET}!${cell.address} (${what}) holds a number too large for a spreadsheet (beyond ±1.8e308, such as 1e400); give it a finite number`);
  }
  if (typeof n !== 'number' || Number.isNaN(n)) {
    throw new ImportError(`${TRAIN_SHEET}!${cell.address} (${what}) should hold a number, but holds ${JSON.stringify(n ?? null)}`);
  }
  return n;
}

export async function readGradsheetXlsx(data: ArrayBuffer | Uint8Array): Promise<Spec> {
  let bytes: Uint8Array;
  try {
    bytes = await guardWorkbook(data instanceof Uint8Array ? data : new Uint8Array(data));
  } catch (err) {
    if (err instanceof WorkbookFileError) throw new ImportError(err.message);
    throw err;
  }
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch {
    // exceljs's message is about its own code ("Cannot set properties of undefined"): the XML reader names the part.
    const { readXlsxXml, XmlReadError } = await import('../check/xmlRead');
    const why = await readXlsxXml(bytes).then(() => null, (err: unknown) => (err instanceof XmlReadError ? err.message : null));
    throw new ImportError(`${why ?? 'not a readable XLSX file: its parts are not what a spreadsheet writes'}; open it in a spreadsheet and save it again as .xlsx`);
  }
  const run = book.getWorksheet(RUN_SHEET);
  const facts = new Map<string, unknown>();
  run?.eachRow((row) => facts.set(String(row.getCell(1).value), row.getCell(2).value));
  // The spec may go on over the next cells (a cell holds at most 32,767 characters).
  const specRow = run ? [...Array(run.rowCount).keys()].map((i) => run.getRow(i + 1)).find((r) => r.getCell(1).value === 'spec') : undefined;
  if (specRow) {
    const pieces: string[] = [];
    for (let c = 2; c <= specRow.cellCount && typeof specRow.getCell(c).value === 'string'; c++) pieces.push(specRow.getCell(c).value as string);
    facts.set('spec', pieces.join(''));
  }
  if (facts.get('format') !== WORKBOOK_FORMAT) {
    throw new ImportError(`not a workbook exported by gradsheet: it has no "${RUN_SHEET}" sheet saying format ${WORKBOOK_FORMAT}`);
  }
  let base: Spec;
  try {
    base = parseSpec(JSON.parse(String(facts.get('spec'))));
  } catch (err) {
    const why = err instanceof SpecError ? `${err.field}: ${err.reason}` : (err as Error).message;
    throw new ImportError(`the ${RUN_SHEET} sheet's spec is damaged (${why})`);
  }
  const train = book.getWorksheet(TRAIN_SHEET);
  if (!train) throw new ImportError(`the workbook has no "${TRAIN_SHEET}" sheet`);

  const layout = buildLayout(base);
  const header = train.getRow(1);
  for (const col of layout.columns) {
    const name = header.getCell(col.index + 1).value;
    // Workbooks exported before the epoch-loss column existed end just before it; nothing imported reads it.
    if (col.kind === 'epoch-loss' && (name === null || name === undefined)) continue;
    if (name !== col.name) {
      throw new ImportError(`${TRAIN_SHEET}!${col.letter}1 should be the column "${col.name}"; the sheet's columns do not match its spec`);
    }
  }
  const first = train.getRow(layout.rowOf(0) + 1);
  const at = (index: number) => first.getCell(index + 1);
  const weights = layout.weightColumns.map((c) => cellNumber(at(c.index), c.name));
  const states = layout.velocityColumns?.map((c) => cellNumber(at(c.index), c.name)) ?? null;
  const changed = states?.findIndex((v, i) => v !== layout.initialState![i]) ?? -1;
  if (changed >= 0) {
    const col = layout.velocityColumns![changed];
    throw new ImportError(layout.initialState!.every((v) => v === 0)
      ? `epoch 0 has non-zero ${col.group}; gradsheet starts training from ${col.group} 0`
      : `epoch 0 has ${col.name} = ${states![changed]}; gradsheet starts training from ${col.group} ${layout.initialState![changed]}`);
  }
  // Every setting (η, μ, β1, ε …) from its epoch-0 cell, under its PyTorch name.
  const optimizer: Record<string, unknown> = optimizerJson(base.optimizer);
  for (const { column } of layout.settingColumns) {
    const v = cellNumber(at(column.index), column.name);
    const pair = /^betas\[(\d)\]$/.exec(column.hyper!);
    if (pair) optimizer.betas = Object.assign([...base.optimizer.betas], { [Number(pair[1])]: v });
    else optimizer[column.hyper!] = v;
  }

  let order = sampleOrder(base);
  if (order) {
    const rows = Math.min(base.epochs, Math.max(0, train.actualRowCount - layout.headerRows));
    for (let e = 0; e < rows; e++) {
      const row = train.getRow(layout.rowOf(e) + 1);
      order[e] = layout.sampleColumns.map((c) => cellNumber(row.getCell(c.index + 1), c.name) - 1);
    }
    order = order.slice(0, base.epochs);
  }
  const { layers, bias } = base.model;
  const spec = {
    ...base,
    optimizer,
    initial: unflattenParams(weights, layers, bias),
    order,
  };
  try {
    // Validated as a whole, so an edited cell out of range (a sample index of 7, a negative η) is named.
    const { init: _init, ...rest } = spec;
    return parseSpec(rest);
  } catch (err) {
    if (err instanceof SpecError) throw new ImportError(`the workbook's ${err.field} is not usable: ${err.reason}`);
    throw err;
  }
}
