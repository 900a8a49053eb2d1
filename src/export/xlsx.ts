import type { CellValue, RawCellContent } from 'hyperformula';
import type ExcelJS from 'exceljs';
import { dataFields, DATA_SHEET, TRAIN_SHEET, type Column, type ColumnKind, type Layout } from '../layout/layout';
import { namedFormula, rowTemplates } from '../workbook/formulas';
import type { Workbook } from '../workbook/workbook';
import { parameterCount } from '../spec/resolve';
import { toSpecJson } from '../spec/validate';
import { OPTIMIZER_REGISTRY } from '../model/optimizers';
import { cellPieces, xlsxLimitProblem, XlsxLimitError } from './excelLimits';

/**
 * The workbook as an XLSX file that real spreadsheets recompute: every cell that is a formula in gradsheet is
 * the same formula in the file, with its computed value cached. Written row by row into an exceljs workbook,
 * which is either the streaming writer (Node: large runs stay small in memory) or the in-memory one (the page).
 *
 * Flavours: `values` holds each row's weights as the numbers the driver copied, as the app does; `live` makes them
 * formulas over the row above (the new weights it ends with), so the file trains itself in the spreadsheet.
 */

export type Flavour = 'values' | 'live';
export const FLAVOURS: Flavour[] = ['values', 'live'];
export const WORKBOOK_FORMAT = 'gradsheet.workbook/1';
export const RUN_SHEET = 'Run';
export const COLUMNS_SHEET = 'Columns';
/** Defined names for the editable learning rate and momentum (the epoch-0 cells every later row reads). */
export const LR_NAME = 'learning_rate';
export const MOMENTUM_NAME = 'momentum';

/**
 * What an export reads: the live engine (the page), or a snapshot of its values taken so the engine can be freed
 * before writing (the CLI: together they would not fit the 1 GiB budget for end2-xor-44).
 */
export interface SheetSource {
  layout: Layout;
  rows: number;
  /** Every computed value of one epoch's row, column by column. */
  rowValues(epoch: number): CellValue[];
  /** One computed value. */
  valueAt(epoch: number, col: number): CellValue;
  /** What a user typed into an editable cell (a number or a formula text). */
  rawAt(epoch: number, col: number): RawCellContent;
}

export function engineSource(wb: Workbook): SheetSource {
  const { hf, layout } = wb;
  const last = layout.columns.length - 1;
  return {
    layout,
    rows: wb.rows,
    rowValues: (epoch) => {
      const row = layout.rowOf(epoch);
      return hf.getRangeValues({ start: { sheet: wb.train, row, col: 0 }, end: { sheet: wb.train, row, col: last } })[0];
    },
    valueAt: (epoch, col) => hf.getCellValue({ sheet: wb.train, row: layout.rowOf(epoch), col }),
    rawAt: (epoch, col) => hf.getCellSerialized({ sheet: wb.train, row: layout.rowOf(epoch), col }),
  };
}

/** What a workbook writer offers (exceljs's API; sheetml.ts's writer offers the same part of it). */
interface Sheet {
  columns: unknown;
  addRow(values: ExcelJS.CellValue[]): { font?: unknown; commit(): void };
  commit?(): void | Promise<void>;
}
interface Book {
  creator: string;
  created: Date;
  definedNames: { add(ref: string, name: string): void };
  addWorksheet(name: string, options?: { views?: { state: 'frozen'; xSplit: number; ySplit: number }[] }): Sheet;
}

export interface ExportInfo {
  flavour: Flavour;
  version: string;
}

const NUMBER_FORMAT: Partial<Record<ColumnKind, string>> = {
  epoch: '0',
  sample: '0',
  delta: '0.000000E+00',
  grad: '0.000000E+00',
  'new-velocity': '0.000000E+00',
  velocity: '0.000000E+00',
  optimizer: '0.000000E+00',
  hyper: 'General',
};
const DEFAULT_FORMAT = '0.000000000';

/** A cached value in the form exceljs writes: numbers as they are, spreadsheet errors as errors. */
function cached(v: CellValue): ExcelJS.CellValue {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v as ExcelJS.CellValue;
  if (v && typeof v === 'object' && 'value' in v) return { error: v.value } as ExcelJS.CellErrorValue;
  return null;
}

function formulaCell(text: string, value: CellValue): ExcelJS.CellFormulaValue {
  return { formula: text.replace(/^=/, ''), result: cached(value) as ExcelJS.CellFormulaValue['result'] };
}

/** Rows written between pauses that let the zip stream catch up (and the page repaint). */
const ROWS_PER_CHUNK = 20;
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const ZIP_BACKLOG_BYTES = 4 << 20;

/**
 * sheetml.ts's writer waits for its sink (drain). exceljs's streaming worksheet writes into its zip entry without heeding backpressure, and the deflater advances
 * one small chunk per event-loop turn: left alone, the whole uncompressed sheet (~150 MB for end2-xor-44) queues in
 * memory and the file is written only at the end. Waiting while the entry's queue is over a few MB keeps it flat.
 * The in-memory workbook (the page) has no such stream, and just pauses.
 */
async function letZipCatchUp(sheet: object): Promise<void> {
  await pause();
  if ('drain' in sheet && typeof sheet.drain === 'function') return (sheet.drain as () => Promise<void>)();
  throwIfOutputFailed(sheet);
  const stream = (sheet as { _stream?: { pipes?: unknown[] } })._stream;
  for (const pipe of stream?.pipes ?? []) {
    // exceljs's zip library uses the readable-stream package, whose writables predate `writableLength`.
    const queue = pipe as { _writableState?: { length?: number } };
    let last = queue._writableState?.length ?? 0;
    let since = performance.now();
    while ((queue._writableState?.length ?? 0) > ZIP_BACKLOG_BYTES) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      // A file that failed (disk full, folder gone) is unpiped and never drains the queue: stop instead of waiting.
      throwIfOutputFailed(sheet);
      // An entry the zip does not read yet (another sheet still open before it) never drains either: stop waiting
      // after a second without progress, rather than spin.
      const now = queue._writableState?.length ?? 0;
      if (now !== last) [last, since] = [now, performance.now()];
      else if (performance.now() - since > 1000) break;
    }
  }
}

/** The streaming writer's output (the file) has failed or closed: exceljs itself listens only at the very end. */
function throwIfOutputFailed(sheet: object): void {
  const out = (sheet as { _workbook?: { stream?: { errored?: Error | null; destroyed?: boolean } } })._workbook?.stream;
  if (out?.errored) throw out.errored;
  if (out?.destroyed) throw new Error('the output stream was closed before the workbook was complete');
}

/**
 * exceljs's streaming worksheet keeps every formula cell it has written in a map (`_formulae`), only needed for
 * shared formulas, which gradsheet does not write: 1.4 M cell models (~0.5 GB) for end2-xor-44. Dropping the map
 * between chunks keeps the export's memory flat; the in-memory workbook has no such map.
 */
function forgetWrittenFormulae(sheet: object): void {
  if ('_formulae' in sheet) (sheet as { _formulae: object })._formulae = {};
}

/** Fills `book` with the Train, Data, Run and Columns sheets. Rows are committed one by one (streaming). */
export async function fillWorkbook(book: Book, source: SheetSource | Workbook, info: ExportInfo, onProgress?: (rows: number) => void): Promise<void> {
  const wb = 'hf' in source ? engineSource(source) : source;
  const { layout } = wb;
  const limit = xlsxLimitProblem(layout, wb.rows);
  if (limit) throw new XlsxLimitError(limit);
  book.creator = `gradsheet ${info.version}`;
  book.created = new Date();
  await addTrainSheet(book, TRAIN_SHEET, wb, info.flavour, onProgress);
  book.definedNames.add(`${TRAIN_SHEET}!$${layout.lrColumn.letter}$${layout.rowOf(0) + 1}`, LR_NAME);
  if (layout.momentumColumn) book.definedNames.add(`${TRAIN_SHEET}!$${layout.momentumColumn.letter}$${layout.rowOf(0) + 1}`, MOMENTUM_NAME);
  addDataSheet(book, layout);
  addRunSheet(book, layout, info, [
    ['epochs computed', wb.rows],
    ['learning rate', `${TRAIN_SHEET}!${layout.lrColumn.letter}${layout.rowOf(0) + 1} (${LR_NAME})`],
  ]);
  addColumnsSheet(book, layout);
}

export interface LaneSource {
  lr: number;
  source: SheetSource | Workbook;
}

export const COMPARE_SHEET = 'Compare';
export const laneSheetName = (lr: number) => `lr ${lr}`;

/**
 * A learning-rate comparison: one training sheet per lane (`lr 0.1`, …, each its own learning rate in its epoch-0
 * η cell), and a Compare sheet whose columns are formulas reading each lane's epoch loss, for a chart over them all.
 */
export async function fillLanesWorkbook(book: Book, lanes: LaneSource[], info: ExportInfo): Promise<void> {
  const sources = lanes.map((l) => ({ lr: l.lr, wb: 'hf' in l.source ? engineSource(l.source) : l.source }));
  const { layout } = sources[0].wb;
  const limit = xlsxLimitProblem(layout, Math.max(...sources.map((l) => l.wb.rows)));
  if (limit) throw new XlsxLimitError(limit);
  book.creator = `gradsheet ${info.version}`;
  book.created = new Date();
  const compare = book.addWorksheet(COMPARE_SHEET, { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  compare.columns = [{ width: 7 }, ...sources.map(() => ({ width: 16, style: { numFmt: DEFAULT_FORMAT } }))];
  const loss = layout.epochLossColumn;
  compare.addRow(['epoch', ...sources.map((l) => `${loss.name}, η = ${l.lr}`)]).commit();
  const rows = Math.max(...sources.map((l) => l.wb.rows));
  for (let epoch = 0; epoch < rows; epoch++) {
    const sheetRow = layout.rowOf(epoch) + 1;
    compare.addRow([epoch, ...sources.map((l) =>
      epoch < l.wb.rows ? formulaCell(`'${laneSheetName(l.lr)}'!${loss.letter}${sheetRow}`, l.wb.valueAt(epoch, loss.index)) : null)]).commit();
  }
  // Streaming: the zip takes its entries one after another, so the lane sheets' rows wait (and the back-pressure
  // wait spun for ever at 300 epochs) until this sheet is finished.
  if ('commit' in compare && typeof compare.commit === 'function') await (compare.commit as () => Promise<void> | void)();
  for (const [i, lane] of sources.entries()) {
    const name = laneSheetName(lane.lr);
    await addTrainSheet(book, name, lane.wb, info.flavour);
    book.definedNames.add(`'${name}'!$${layout.lrColumn.letter}$${layout.rowOf(0) + 1}`, `${LR_NAME}_${i + 1}`);
  }
  addDataSheet(book, layout);
  addRunSheet(book, layout, info, [
    ['learning rates', sources.map((l) => l.lr).join(', ')],
    ['lanes', sources.map((l, i) => `${laneSheetName(l.lr)} (${LR_NAME}_${i + 1}, ${l.wb.rows} epochs computed)`).join('; ')],
  ]);
  addColumnsSheet(book, layout);
}

async function addTrainSheet(book: Book, name: string, wb: SheetSource, flavour: Flavour, onProgress?: (rows: number) => void): Promise<void> {
  const { layout } = wb;
  const { columns } = layout;
  const templates = rowTemplates(layout);
  const live = flavour === 'live';
  const carried = new Map<number, Column>();
  layout.weightColumns.forEach((c, p) => carried.set(c.index, layout.nextWeightColumns[p]));
  layout.velocityColumns?.forEach((c, p) => carried.set(c.index, layout.nextVelocityColumns![p]));
  // Cells a user may have edited (η, μ and the other settings) are read back from the engine; every other formula is the
  // layout's own, which is what the engine holds.
  const editable = new Set(layout.settingColumns.map((s) => s.column.index));

  const train = book.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 1, ySplit: layout.headerRows }] });
  train.columns = columns.map((c) => ({
    key: c.name,
    width: c.index === 0 ? 7 : Math.max(12, Math.min(22, c.name.length + 4)),
    style: { numFmt: NUMBER_FORMAT[c.kind] ?? DEFAULT_FORMAT },
  }));
  const header = train.addRow(columns.map((c) => c.name));
  header.font = { bold: true };
  header.commit();

  for (let epoch = 0; epoch < wb.rows; epoch++) {
    const sheetRow = layout.rowOf(epoch) + 1;
    const values = wb.rowValues(epoch);
    const out: ExcelJS.CellValue[] = columns.map((c, i) => {
      const template = templates[i];
      if (editable.has(i)) {
        const raw = wb.rawAt(epoch, i);
        return typeof raw === 'string' && raw.startsWith('=') ? formulaCell(raw, values[i]) : cached(values[i]);
      }
      if (live && epoch > 0 && carried.has(i)) {
        return formulaCell(`${carried.get(i)!.letter}${sheetRow - 1}`, values[i]);
      }
      return template ? formulaCell(template(sheetRow), values[i]) : cached(values[i]);
    });
    train.addRow(out).commit();
    if (epoch % ROWS_PER_CHUNK === ROWS_PER_CHUNK - 1) {
      forgetWrittenFormulae(train);
      onProgress?.(epoch + 1);
      await letZipCatchUp(train);
    }
  }
  if ('commit' in train && typeof train.commit === 'function') await (train.commit as () => Promise<void> | void)();
}

function addDataSheet(book: Book, layout: Layout): void {
  const { spec } = layout;
  const data = book.addWorksheet(DATA_SHEET);
  data.addRow(['sample', ...dataFields(spec)]).commit();
  spec.data.inputs.forEach((x, s) => data.addRow([s + 1, ...x, ...spec.data.targets[s]]).commit());
}

function addRunSheet(book: Book, layout: Layout, info: ExportInfo, extra: [string, ...ExcelJS.CellValue[]][]): void {
  const { spec } = layout;
  const run = book.addWorksheet(RUN_SHEET);
  const { order: _order, initial: _initial, init: _init, ...specJson } = toSpecJson(spec);
  const facts: [string, ...ExcelJS.CellValue[]][] = [
    ['format', WORKBOOK_FORMAT],
    ['preset', spec.name],
    ['flavour', info.flavour],
    ['gradsheet version', info.version],
    ['layers', spec.model.layers.join('-')],
    ['parameters', parameterCount(spec.model.layers, spec.model.bias)],
    ['activations', spec.model.activations.join(', ')],
    ['loss', spec.model.loss],
    ['optimizer', OPTIMIZER_REGISTRY[spec.optimizer.kind].torch(spec.optimizer)],
    ['batch', spec.batch],
    ['epochs', spec.epochs],
    ['seed', spec.seed],
    ...extra,
    // Over several cells when longer than a cell takes (B, C, …: the importer joins them).
    ['spec', ...cellPieces(JSON.stringify(specJson))],
  ];
  run.columns = [{ width: 20 }, { width: 80 }];
  for (const f of facts) run.addRow(f).commit();
}

function addColumnsSheet(book: Book, layout: Layout): void {
  const described = book.addWorksheet(COLUMNS_SHEET);
  described.columns = [{ width: 8 }, { width: 24 }, { width: 26 }, { width: 60 }];
  described.addRow(['column', 'name', 'group', 'formula with names']).commit();
  for (const c of layout.columns) described.addRow([c.letter, c.name, c.group, namedFormula(c) ?? '(a number)']).commit();
}
