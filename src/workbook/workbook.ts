import { HyperFormula, type ConfigParams, type RawCellContent } from 'hyperformula';
import { DATA_SHEET, TRAIN_SHEET, dataFields, type Column, type Layout } from '../layout/layout';
import { rowTemplates, type RowTemplates } from './formulas';
import { flattenParams } from '../spec/resolve';
import { applyHyperFormulaPatches, compactDependencyGraph, withoutChangeRecords, withRowTemplates } from './hfPatches';
import type { LayerParams } from '../spec/types';

/** The layout built into HyperFormula: the one model every view reads. */
export interface Workbook {
  hf: HyperFormula;
  layout: Layout;
  train: number;
  data: number;
  /** Sample mode: the 0-based sample of every step, one array per epoch. */
  order: number[][] | null;
  /** Rows present: epochs 0 .. rows - 1. The driver adds each later row when it reaches it. */
  rows: number;
  /**
   * Rows HyperFormula holds (≥ rows): after new settings of the same layout (retune.ts) the rows past `rows` are
   * kept with their formulas, and the driver rewrites each one's weights when it reaches it instead of adding it.
   */
  built: number;
  /** The sample of every step each built row holds (sample mode), when it differs from `order`. */
  builtOrder: number[][] | null;
  /** Internal: renders each column's formula for a given row, and how far the graph has been compacted. */
  templates: RowTemplates;
  compactedFrom: number;
}

export const HF_CONFIG: Partial<ConfigParams> = {
  licenseKey: 'gpl-v3',
  // The default smart rounding reads values back rounded to ~10 digits and turns near-cancelling sums into 0:
  // a driver copying such weights would train a different network.
  smartRounding: false,
  // Undo history of the driver's writes costs memory and nobody undoes them; the page keeps its own edit history.
  undoLimit: 0,
};

/** Everything one epoch's row holds: its formulas, epoch number, drawn samples, and the weights (and optimizer states) it starts from. */
export function rowContents(wb: Pick<Workbook, 'layout' | 'order' | 'templates'>, epoch: number, weights: number[], velocities: number[] | null): RawCellContent[] {
  const { layout, templates } = wb;
  const sheetRow = layout.rowOf(epoch) + 1;
  const row: RawCellContent[] = templates.map((t) => (t ? t(sheetRow) : null));
  row[layout.epochColumn.index] = epoch;
  layout.sampleColumns.forEach((col, s) => (row[col.index] = wb.order![epoch][s] + 1));
  if (epoch === 0) for (const { column, value } of layout.settingColumns) row[column.index] = value;
  layout.weightColumns.forEach((col, p) => (row[col.index] = weights[p]));
  layout.velocityColumns?.forEach((col, p) => (row[col.index] = velocities![p]));
  return row;
}

export function dataSheet(layout: Layout): RawCellContent[][] {
  const { inputs, targets } = layout.spec.data;
  return [
    ['sample', ...dataFields(layout.spec)],
    ...inputs.map((x, s) => [s + 1, ...x, ...targets[s]]),
  ];
}

/**
 * Builds the sheet with its header and epoch 0, which holds the starting weights and optimizer states (layout.initialState).
 * `order` (sample mode) is the 0-based sample of each step. The driver adds the later rows.
 */
export function buildWorkbook(layout: Layout, initial: LayerParams[], order: number[][] | null): Workbook {
  const { spec, columns } = layout;
  const base = { layout, order, templates: rowTemplates(layout) };
  const weights0 = flattenParams(initial);
  const row0 = rowContents(base, 0, weights0, layout.initialState);
  applyHyperFormulaPatches();
  const config = { ...HF_CONFIG, maxRows: Math.max(40_000, layout.rowOf(spec.epochs) + 1) };
  const hf = HyperFormula.buildFromSheets({ [TRAIN_SHEET]: [columns.map((c) => c.name), row0], [DATA_SHEET]: dataSheet(layout) }, config);
  return { ...base, hf, train: hf.getSheetId(TRAIN_SHEET)!, data: hf.getSheetId(DATA_SHEET)!, rows: 1, built: 1, builtOrder: null, compactedFrom: 0 };
}

/** Adds the next epoch's row, starting from the given weights and velocities; it computes at once. */
export function appendRow(wb: Workbook, weights: number[], velocities: number[] | null): void {
  if (wb.rows >= wb.layout.spec.epochs) throw new Error(`the sheet already has all ${wb.rows} epochs`);
  if (wb.rows < wb.built) throw new Error(`row ${wb.rows} is built already`);
  const epoch = wb.rows;
  const row = wb.layout.rowOf(epoch);
  const texts = rowContents(wb, epoch, weights, velocities);
  // Each formula is its column's template for this row: the parser reuses the template's parse (see hfPatches).
  withRowTemplates(wb.hf, { sheet: wb.train, row, texts, templates: wb.templates }, () =>
    withoutChangeRecords(wb.hf, () => wb.hf.setCellContents({ sheet: wb.train, row, col: 0 }, [texts])));
  wb.rows++;
  wb.built++;
}

/** Frees the slack of the dependency arrays made since the last call (see hfPatches). */
export function compactWorkbook(wb: Workbook): void {
  wb.compactedFrom = compactDependencyGraph(wb.hf, wb.compactedFrom);
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
