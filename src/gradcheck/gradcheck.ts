import type { RawCellContent } from 'hyperformula';
import { CheckEngine } from '../check/engine';
import { GRADIENT_TOLERANCE, runChecks, STEP } from '../check/gradcheck';
import type { CellData, CellRef, CheckPlan, SheetData, StepPlan } from '../check/types';
import type { Column, Layout } from '../layout/layout';
import { DATA_SHEET, TRAIN_SHEET } from '../layout/layout';
import type { Workbook } from '../workbook/workbook';

/**
 * Numerical gradient check of one of gradsheet's own rows, by the one method the workbook checker uses
 * (src/check/gradcheck.ts: five-point central differences through HyperFormula, its step, floor and tolerance):
 * the row's cells (as they are, edits and all) are copied into a scratch workbook, and each gradient cell is checked
 * against the loss it differentiates, nudging the weight cell it differentiates by. What the layout adds is the
 * names of its kinks (|y − t| of an L1 loss, ReLU at 0): a nudge that crosses one is set aside with that name.
 */

export const GRADCHECK_THRESHOLD = GRADIENT_TOLERANCE;

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

/** A scratch engine holding just this row (and η, μ, β1 … of the row above, which its formulas read). */
function scratchOf(wb: Workbook, epoch: number): { engine: CheckEngine; row: number } {
  const { layout } = wb;
  const row = layout.rowOf(epoch);
  const width = layout.columns.length;
  const cell = (v: RawCellContent): CellData | undefined => {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string' && v.startsWith('=')) return { value: null, formula: v.slice(1) };
    return { value: v as CellData['value'] };
  };
  const rows: (CellData | undefined)[][] = [];
  rows[0] = layout.columns.map((c) => ({ value: c.name }));
  if (epoch > 0) {
    const settings = layout.settingColumns.map((c) => c.column);
    rows[row - 1] = [];
    for (const c of settings) rows[row - 1][c.index] = cell(wb.hf.getCellValue({ sheet: wb.train, row: row - 1, col: c.index }) as RawCellContent);
  }
  rows[row] = Array.from({ length: width }, (_, col) => cell(wb.hf.getCellSerialized({ sheet: wb.train, row, col })));
  const data: SheetData = { name: DATA_SHEET, rows: wb.hf.getSheetSerialized(wb.data).map((r) => r.map((v) => cell(v as RawCellContent))) };
  const engine = new CheckEngine({ sheets: [{ name: TRAIN_SHEET, rows }, data], names: [], notes: [] });
  return { engine, row };
}

export function gradCheckRow(wb: Workbook, epoch: number, threshold = GRADCHECK_THRESHOLD): GradCheckResult {
  if (epoch < 0 || epoch >= wb.rows) throw new RangeError(`epoch ${epoch} is not computed (rows 0..${wb.rows - 1})`);
  const { layout } = wb;
  const { engine, row } = scratchOf(wb, epoch);
  const at = (col: Column): CellRef => ({ sheet: TRAIN_SHEET, row, col: col.index });
  const num = (col: Column) => engine.number(at(col)) ?? Number.NaN;
  const kinks = kinksOf(layout);
  const kinkSigns = () => kinks.map((k) => Math.sign(num(k.a) - (k.b ? num(k.b) : 0)));
  const base = kinkSigns();
  const targets = targetsOf(layout);
  const cells: GradCheckCell[] = [];
  try {
    const steps = new Map<number, StepPlan>();
    targets.forEach(({ grad, weight, loss }) => {
      const step = steps.get(loss.index) ?? steps.set(loss.index, { label: loss.name, loss: at(loss), params: [] }).get(loss.index)!;
      step.params.push({ name: grad.name, weight: at(weight), gradient: at(grad) });
    });
    const plan: CheckPlan = { source: 'auto', sheet: TRAIN_SHEET, row: row + 1, steps: [...steps.values()], nameOf: () => null, found: [], notes: [] };
    const results = runChecks(engine, plan, (ref) => (ref.sheet === TRAIN_SHEET && ref.row === row ? layout.columns[ref.col]?.name ?? null : null)).gradients;
    const byGrad = new Map(results.map((g) => [g.weight, g]));
    // The kinks a nudge of ±h, ±2h (the checker's steps) crosses, by the layout's names: looked for only where the
    // checker saw something other than a smooth pass (a kink crossed bends the one-sided slopes apart).
    const crossedBy = targets.map(({ grad, weight, loss }) => {
      const w = num(weight);
      const h = STEP * Math.max(1, Math.abs(w));
      const crossed = new Set<string>();
      const g = byGrad.get(grad.name)!;
      if (kinks.length === 0 || (g.status === 'pass' && !g.note)) return { crossed, h };
      const relevant = (i: number) => loss.step === null || kinks[i].a.step === loss.step;
      for (const k of [-2, -1, 1, 2]) {
        engine.setNumber(at(weight), w + k * h);
        kinkSigns().forEach((sign, i) => { if (sign !== base[i] && relevant(i)) crossed.add(kinks[i].label); });
      }
      engine.restore(at(weight));
      return { crossed, h };
    });
    targets.forEach(({ grad, weight, loss }, i) => {
      const g = byGrad.get(grad.name)!;
      const relError = g.relError === null || Number.isNaN(g.relError) ? Infinity : g.relError;
      const cell: GradCheckCell = { column: grad, weight, loss, claimed: g.claimed ?? Number.NaN, numeric: g.numeric ?? Number.NaN, relError, status: 'pass' };
      const { crossed, h } = crossedBy[i];
      if (crossed.size > 0) {
        cell.status = 'kink';
        cell.note = `not judged: nudging ${weight.name} by ±${(2 * h).toPrecision(2)} crosses ${[...crossed].join(', ')}, where the function has no derivative (the sheet, like PyTorch, takes the one-sided value there)`;
      } else if (g.status === 'kink') {
        cell.status = 'kink';
        if (g.note) cell.note = g.note;
      } else if (g.status !== 'pass' || !(relError <= threshold)) {
        cell.status = 'fail';
      }
      cells.push(cell);
    });
  } finally {
    engine.destroy();
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
