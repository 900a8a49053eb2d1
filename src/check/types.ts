/**
 * The data a workbook check works on: the workbook's cells as read from the file, the plan saying which cells are
 * weights, loss and claimed gradients (found automatically or read from a map file), and the report.
 * Pure data: no DOM, no Node, no formula engine.
 */

/** A cell: sheet name and 0-based row and column. */
export interface CellRef {
  sheet: string;
  row: number;
  col: number;
}

/** A cell's content as the file holds it. `formula` without its leading `=`; `cached` is the value saved with it. */
export interface CellData {
  value: number | string | boolean | null | { error: string };
  formula?: string;
}

export interface SheetData {
  name: string;
  /** rows[r][c], 0-based; missing entries are empty cells. */
  rows: (CellData | undefined)[][];
}

export interface WorkbookData {
  sheets: SheetData[];
  /** Defined names that point at cells or ranges, e.g. `learning_rate` → `Train!$B$2`. */
  names: { name: string; ref: string }[];
  /** What was skipped or changed while reading (external links, macros, pivot tables…), one line each. */
  notes: string[];
}

/** One weight: the cell nudged, the cell claiming ∂loss/∂weight, and where its update lands. */
export interface ParamPlan {
  name: string;
  weight: CellRef;
  gradient: CellRef;
  /** The weight the next step or iteration starts from (checked against w − η·g). */
  next?: CellRef;
  /** Momentum: this step's velocity and the new one (next = w − η·(μ·v + g)). */
  velocity?: CellRef;
  nextVelocity?: CellRef;
  /** A new-weight (new-velocity) cell of the same row, checked too when `next` is in the next row. */
  newWeight?: CellRef;
  newVelocity?: CellRef;
}

/** A number written in the map, or a cell that holds it. */
export type Setting = CellRef | number;

/** One loss and the gradients that claim to be its derivatives (one per step in single-sample sheets). */
export interface StepPlan {
  label: string;
  loss: CellRef;
  params: ParamPlan[];
  learningRate?: Setting;
  momentum?: Setting;
}

export interface CheckPlan {
  source: 'auto' | 'map';
  sheet: string;
  /** The 1-based sheet row checked (classic layout and row-relative maps), for the report. */
  row?: number;
  steps: StepPlan[];
  /** A cell's name for the report (a header, a label or a name the map gives), or null. */
  nameOf: (ref: CellRef) => string | null;
  /** How the plan was found, one line each (shown at the top of the report). */
  found: string[];
  notes: string[];
}

export type Status = 'pass' | 'fail' | 'kink' | 'skipped';

/** A cell a failing formula reads, with its name and value; `reads` one level down through backward cells. */
export interface CellRead {
  address: string;
  name: string | null;
  value: number | string | null;
  /** The formula with names in place of addresses, when it is a formula. */
  formula: string | null;
  isWeight: boolean;
  reads?: CellRead[];
}

export interface GradientResult {
  step: string;
  /** The 1-based sheet row checked (tables with one iteration per row). */
  row?: number;
  weight: string;
  weightAddress: string;
  gradient: string;
  gradientAddress: string;
  formula: string | null;
  claimed: number | null;
  numeric: number | null;
  relError: number | null;
  status: Status;
  /** Failing cells: what the formula reads, and what looks wrong. */
  reads?: CellRead[];
  hints: string[];
  note?: string;
}

export interface UpdateResult {
  step: string;
  /** The 1-based sheet row of the cell checked. */
  row?: number;
  kind: 'weight' | 'velocity';
  weight: string;
  /** The cell checked: the next row's (or step's) weight, or the new velocity. */
  nextAddress: string;
  nextName: string;
  formula: string | null;
  expected: number | null;
  actual: number | null;
  relError: number | null;
  status: Status;
  /** How the expected value is made, e.g. "w5 − η·∂E/∂w5 = 0.4 − 0.5 × 0.0721570729". */
  rule: string;
  reads?: CellRead[];
  hints: string[];
  note?: string;
}

export interface CheckReport {
  file: string;
  sheet: string;
  row?: number;
  source: 'auto' | 'map';
  found: string[];
  method: string;
  gradientTolerance: number;
  updateTolerance: number;
  gradients: GradientResult[];
  updates: UpdateResult[];
  notes: string[];
  /** pass: every gradient cell passed; fail: something failed or could not be computed; unchecked: nothing could be. */
  verdict: 'pass' | 'fail' | 'unchecked';
}

export function cellKey(ref: CellRef): string {
  return `${ref.sheet}!${ref.row},${ref.col}`;
}

export type SheetVerdict = 'pass' | 'fail' | 'numbers-only' | 'unsupported';

/** A gradient or update column (or another formula column that went wrong) down the whole table. */
export interface ColumnResult {
  kind: 'gradient' | 'update' | 'formula';
  /** w1 … for gradient and update columns. */
  weight: string | null;
  /** The column's header, e.g. ∂E/∂w1. */
  column: string;
  letter: string;
  status: 'pass' | 'fail';
  rowsChecked: number;
  /** 1-based rows checked numerically (the others have the first row's formula and share its verdict). */
  numericRows: number[];
  failingRows: number[];
  firstFailingRow: number | null;
  note?: string;
}

/** A cell the checker finds wrong, and why. */
export interface WrongCell {
  address: string;
  row: number;
  kind: 'gradient' | 'update' | 'formula';
  weight: string | null;
  name: string;
  formula: string | null;
  why: string;
  /** How its formula differs from the column's first formula, when it does. */
  differs?: string;
}

/** The correct formula for a failing gradient column of the classic network, in the sheet's own addresses. */
export interface FixFormula {
  weight: string;
  column: string;
  /** The first row's cell, e.g. Z33, and its formula (without "="); --fix writes it down the whole column. */
  address: string;
  formula: string;
  rows: number[];
}

export interface SheetReport {
  sheet: string;
  /** 2, 3 … for further tables under the first one on the same sheet. */
  table?: number;
  verdict: SheetVerdict;
  /** For numbers-only and unsupported sheets: what was found and what is missing. */
  message: string[];
  found: string[];
  headerRow?: number;
  firstRow?: number;
  lastRow?: number;
  /** Every gradient cell checked numerically (the first row, and rows whose formula differs), with weight and status. */
  gradients: GradientResult[];
  /** Every update cell, every row. */
  updates: UpdateResult[];
  columns: ColumnResult[];
  wrongCells: WrongCell[];
  /** Whole-sheet findings: a learning-rate reference that slides, targets that drift. */
  findings: string[];
  fixes: FixFormula[];
  notes: string[];
  /** Whether the sheet shows weight or gradient headers (an unsupported one then makes the exit code 5). */
  looksLikeNetwork: boolean;
}

export interface WorkbookReport {
  file: string;
  verdict: SheetVerdict | 'unreadable';
  /** Why the file could not be read (unreadable only). */
  error?: string;
  method: string;
  gradientTolerance: number;
  updateTolerance: number;
  sheets: SheetReport[];
  notes: string[];
}
