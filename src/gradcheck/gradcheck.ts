import { HyperFormula, type RawCellContent } from 'hyperformula';
import type { Column, Layout } from '../layout/layout';
import { DATA_SHEET, TRAIN_SHEET } from '../layout/layout';
import { HF_CONFIG, type Workbook } from '../workbook/workbook';
import { fivePointSlope, relativeError } from '../numeric/differences';

/**
 * Numerical gradient check of one row, through the formula engine itself: the row's cells (as they are, edits and
 * all) are copied into a scratch workbook, each weight a gradient cell differentiates by is nudged there, and the
 * loss the row computes is read back. The derivative is a five-point central difference,
 * (−L(w+2h) + 8L(w+h) − 8L(w−h) + L(w−2h)) / 12h, whose error is O(h⁴), so it checks a gradient to ~1e-9 where the
 * two-point form would stop near 1e-6.
 */

export const GRADCHECK_THRESHOLD = 1e-6;
/**
 * relative error = |claimed − numeric| / max(|claimed|, |numeric|, floor). The floor is at least this, and at least
 * the rounding noise of the difference quotient (NOISE_ULPS·ε·|L|/h) over the threshold: a difference smaller than
 * that noise cannot tell a right gradient from a wrong one, so it counts as agreement.
 */
export const GRADCHECK_FLOOR = 1e-8;
const NOISE_ULPS = 64;
const STEP = 1e-3;

export type CheckStatus = 'pass' | 'fail' | 'kink';

export interface GradCheckCell {
  column: Column;
  /** The weight cell nudged (in sample mode, after step 1, the new weight of the step before). */
  weight: Column;
  /** The loss cell read. */
  loss: Column;
  claimed: number;
  numeric: number;
  relError: number;
  status: CheckStatus;
  /** Why a cell was not judged: the nudge crosses a kink (|x| at 0, ReLU at 0) where there is no derivative. */
  note?: string;
}

export interface GradCheckResult {
  epoch: number;
  threshold: number;
  cells: GradCheckCell[];
  /** The largest relative error over the judged cells, and where. */
  worst: GradCheckCell | null;
  passed: boolean;
  /** The worst judged cell of each weight layer (0-based). */
  byLayer: { layer: number; worst: GradCheckCell | null; kinks: number }[];
}

/** What each gradient cell differentiates: which loss, by which weight cell. */
function targetsOf(layout: Layout): { grad: Column; weight: Column; loss: Column }[] {
  const { columns, spec } = layout;
  const sampleMode = spec.batch === 'sample';
  return columns.filter((c) => c.kind === 'grad').map((grad) => {
    const p = grad.param!;
    const s = grad.step ?? 0;
    const weight = !sampleMode || s === 0
      ? layout.weightColumns[p]
      : columns.find((c) => c.kind === 'new-weight' && c.step === s - 1 && c.param === p)!;
    const loss = sampleMode ? columns.find((c) => c.kind === 'loss' && c.step === s)! : layout.lossColumn;
    return { grad, weight, loss };
  });
}

/** Where a loss or activation has no derivative: L1's y − t and ReLU's z, as (column, column to subtract). */
function kinksOf(layout: Layout): { label: string; a: Column; b: Column | null }[] {
  const { columns, spec } = layout;
  const out: { label: string; a: Column; b: Column | null }[] = [];
  const last = spec.model.layers.length - 2;
  columns.filter((c) => c.kind === 'pre' && spec.model.activations[c.layer!] === 'relu')
    .forEach((z) => out.push({ label: `ReLU at ${z.name} = 0`, a: z, b: null }));
  if (spec.model.loss === 'l1') {
    const outputs = columns.filter((c) => (c.kind === 'act' || (c.kind === 'pre' && spec.model.activations[last] === 'identity')) && c.layer === last);
    for (const y of outputs) {
      const t = columns.find((c) => c.kind === 'target' && c.step === y.step && c.unit === y.unit)!;
      out.push({ label: `|${y.name} − ${t.name}| at 0`, a: y, b: t });
    }
  }
  return out;
}

/** A scratch engine holding just this row (and η, μ of the row above, which its formulas read). */
function scratchOf(wb: Workbook, epoch: number): { hf: HyperFormula; train: number; row: number } {
  const { layout } = wb;
  const row = layout.rowOf(epoch);
  const width = layout.columns.length;
  const rows: RawCellContent[][] = Array.from({ length: row + 1 }, () => []);
  rows[0] = layout.columns.map((c) => c.name);
  if (epoch > 0) {
    const above = row - 1;
    const settings = [layout.lrColumn, ...(layout.momentumColumn ? [layout.momentumColumn] : [])];
    rows[above] = Array.from({ length: width }, () => null);
    for (const c of settings) rows[above][c.index] = wb.hf.getCellValue({ sheet: wb.train, row: above, col: c.index }) as RawCellContent;
  }
  rows[row] = Array.from({ length: width }, (_, col) => wb.hf.getCellSerialized({ sheet: wb.train, row, col }));
  const hf = HyperFormula.buildFromSheets(
    { [TRAIN_SHEET]: rows, [DATA_SHEET]: wb.hf.getSheetSerialized(wb.data) },
    { ...HF_CONFIG, maxRows: Math.max(40_000, row + 1) },
  );
  return { hf, train: hf.getSheetId(TRAIN_SHEET)!, row };
}

export function gradCheckRow(wb: Workbook, epoch: number, threshold = GRADCHECK_THRESHOLD): GradCheckResult {
  if (epoch < 0 || epoch >= wb.rows) throw new RangeError(`epoch ${epoch} is not computed (rows 0..${wb.rows - 1})`);
  const { layout } = wb;
  const scratch = scratchOf(wb, epoch);
  const at = (col: Column) => ({ sheet: scratch.train, row: scratch.row, col: col.index });
  const num = (col: Column) => {
    const v = scratch.hf.getCellValue(at(col));
    return typeof v === 'number' ? v : Number.NaN;
  };
  const kinks = kinksOf(layout);
  const kinkSigns = () => kinks.map((k) => Math.sign(num(k.a) - (k.b ? num(k.b) : 0)));
  const base = kinkSigns();
  const cells: GradCheckCell[] = [];
  try {
    for (const { grad, weight, loss } of targetsOf(layout)) {
      const claimed = wb.hf.getCellValue({ sheet: wb.train, row: scratch.row, col: grad.index });
      const original = scratch.hf.getCellSerialized(at(weight));
      const w = num(weight);
      const h = STEP * Math.max(1, Math.abs(w));
      const crossed = new Set<string>();
      // Only kinks inside the loss read matter: in sample mode, those of the loss's own step.
      const relevant = (i: number) => loss.step === null || kinks[i].a.step === loss.step;
      let largestLoss = 0;
      const lossAt = (k: number) => {
        scratch.hf.setCellContents(at(weight), w + k * h);
        kinkSigns().forEach((sign, i) => { if (sign !== base[i] && relevant(i)) crossed.add(kinks[i].label); });
        const l = num(loss);
        largestLoss = Math.max(largestLoss, Math.abs(l));
        return l;
      };
      const numeric = fivePointSlope({ 1: lossAt(1), [-1]: lossAt(-1), 2: lossAt(2), [-2]: lossAt(-2) }, h);
      scratch.hf.setCellContents(at(weight), original);
      const c = typeof claimed === 'number' ? claimed : Number.NaN;
      const floor = Math.max(GRADCHECK_FLOOR, (NOISE_ULPS * Number.EPSILON * largestLoss) / (h * threshold));
      const relError = relativeError(c, numeric, floor);
      const cell: GradCheckCell = { column: grad, weight, loss, claimed: c, numeric, relError: Number.isNaN(relError) ? Infinity : relError, status: 'pass' };
      if (crossed.size > 0) {
        cell.status = 'kink';
        cell.note = `not judged: nudging ${weight.name} by ±${(2 * h).toPrecision(2)} crosses ${[...crossed].join(', ')}, where the function has no derivative (the sheet, like PyTorch, takes the one-sided value there)`;
      } else if (!(cell.relError <= threshold)) {
        cell.status = 'fail';
      }
      cells.push(cell);
    }
  } finally {
    scratch.hf.destroy();
  }
  const judged = cells.filter((c) => c.status !== 'kink');
  const worstOf = (cs: GradCheckCell[]) => cs.reduce<GradCheckCell | null>((m, c) => (m === null || c.relError > m.relError ? c : m), null);
  const layers = [...new Set(layout.params.map((p) => p.layer))];
  return {
    epoch,
    threshold,
    cells,
    worst: worstOf(judged),
    passed: judged.every((c) => c.status === 'pass'),
    byLayer: layers.map((layer) => {
      const mine = cells.filter((c) => layout.params[c.column.param!].layer === layer);
      return { layer, worst: worstOf(mine.filter((c) => c.status !== 'kink')), kinks: mine.filter((c) => c.status === 'kink').length };
    }),
  };
}
