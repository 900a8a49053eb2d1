import { HyperFormula, type ConfigParams, type RawCellContent } from 'hyperformula';
import { DATA_SHEET, TRAIN_SHEET, columnLetter, dataFields, type Column, type Layout, type RefStyle } from '../layout/layout';
import { flattenParams } from '../spec/resolve';
import { applyHyperFormulaPatches, compactDependencyGraph } from './hfPatches';
import type { LayerParams } from '../spec/types';

/** The layout built into HyperFormula: the one model every view reads. */
export interface Workbook {
  hf: HyperFormula;
  layout: Layout;
  train: number;
  data: number;
}

export const HF_CONFIG: Partial<ConfigParams> = {
  licenseKey: 'gpl-v3',
  // The default smart rounding reads values back rounded to ~10 digits and turns near-cancelling sums into 0:
  // a driver copying such weights would train a different network.
  smartRounding: false,
  // Undo history of the driver's writes costs memory and nobody undoes them; the page keeps its own edit history.
  undoLimit: 0,
};

/** A1 addresses for a given 1-based sheet row. */
export function a1Style(layout: Layout, sheetRow: number): RefStyle {
  const fields = dataFields(layout.spec);
  const n = layout.spec.data.inputs.length;
  const dataLetter = (field: string) => {
    const i = fields.indexOf(field);
    if (i < 0) throw new Error(`no data field ${field}`);
    return columnLetter(i + 1);
  };
  return {
    cell: (name, rowOffset = 0) => `${layout.column(name).letter}${sheetRow + rowOffset}`,
    data: (sample, field) => `${DATA_SHEET}!$${dataLetter(field)}$${sample + 2}`,
    dataColumn: (field) => `${DATA_SHEET}!$${dataLetter(field)}$2:$${dataLetter(field)}$${n + 1}`,
  };
}

/** Names in place of addresses, as people read a formula: a_h1*w5+a_h2*w6. */
export const namedStyle: RefStyle = {
  cell: (name, rowOffset = 0) => (rowOffset === 0 ? name : `${name}(previous epoch)`),
  data: (sample, field) => `${DATA_SHEET}.${field}[${sample + 1}]`,
  dataColumn: (field) => `${DATA_SHEET}.${field}`,
};

/** The formula text (with `=`) a column holds in an epoch's row, or null for a plain number. */
export function formulaAt(layout: Layout, col: Column, epoch: number): string | null {
  if (!col.formula || (col.numberAtEpoch0 && epoch === 0)) return null;
  return `=${col.formula(a1Style(layout, layout.rowOf(epoch) + 1))}`;
}

export function namedFormula(col: Column): string | null {
  return col.formula ? `=${col.formula(namedStyle)}` : null;
}

function dataSheet(layout: Layout): RawCellContent[][] {
  const { inputs, targets } = layout.spec.data;
  return [
    ['sample', ...dataFields(layout.spec)],
    ...inputs.map((x, s) => [s + 1, ...x, ...targets[s]]),
  ];
}

/**
 * Builds every row of the training sheet. Epoch 0 holds the starting weights; later rows' weights stay empty
 * until the driver copies them in. `order` (sample mode) is the 0-based sample of each step.
 */
export function buildWorkbook(layout: Layout, initial: LayerParams[], order: number[][] | null): Workbook {
  const { spec, columns } = layout;
  const header = columns.map((c) => c.name);
  const rows: RawCellContent[][] = [header];
  const weights0 = flattenParams(initial);
  for (let epoch = 0; epoch < spec.epochs; epoch++) {
    const row: RawCellContent[] = new Array(columns.length).fill(null);
    const style = a1Style(layout, layout.rowOf(epoch) + 1);
    for (const col of columns) {
      if (col.formula && !(col.numberAtEpoch0 && epoch === 0)) row[col.index] = `=${col.formula(style)}`;
    }
    row[layout.epochColumn.index] = epoch;
    layout.sampleColumns.forEach((col, s) => {
      row[col.index] = order![epoch][s] + 1;
    });
    if (epoch === 0) {
      row[layout.lrColumn.index] = spec.optimizer.lr;
      if (layout.momentumColumn) row[layout.momentumColumn.index] = spec.optimizer.momentum;
      layout.weightColumns.forEach((col, p) => (row[col.index] = weights0[p]));
      layout.velocityColumns?.forEach((col) => (row[col.index] = 0));
    }
    rows.push(row);
  }
  const config = { ...HF_CONFIG, maxRows: Math.max(40_000, rows.length + 1) };
  applyHyperFormulaPatches();
  const hf = HyperFormula.buildFromSheets({ [TRAIN_SHEET]: rows, [DATA_SHEET]: dataSheet(layout) }, config);
  compactDependencyGraph(hf);
  return { hf, layout, train: hf.getSheetId(TRAIN_SHEET)!, data: hf.getSheetId(DATA_SHEET)! };
}

/** The value of one cell as a number; throws naming the cell when it holds an error or text. */
export function numberAt(wb: Workbook, epoch: number, col: Column): number {
  const v = wb.hf.getCellValue({ sheet: wb.train, row: wb.layout.rowOf(epoch), col: col.index });
  if (typeof v !== 'number') throw new Error(`epoch ${epoch}, ${col.name} (${col.letter}${wb.layout.rowOf(epoch) + 1}) is ${describeValue(v)}, not a number`);
  return v;
}

export function describeValue(v: unknown): string {
  if (v && typeof v === 'object' && 'value' in v) return String((v as { value: unknown }).value);
  return JSON.stringify(v);
}
