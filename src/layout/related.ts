import type { Column, Layout } from './layout';

/**
 * The cells that belong to one parameter, and where the driver's copies come from: what the formula bar links to
 * and what "follow a weight" shows. Pure: read from the layout only.
 */

/** A parameter's own columns: its weight, velocity, gradient(s), new velocities and new weights (one per step). */
export interface ParamCells {
  param: number;
  weight: Column;
  /** Its first optimizer state (SGD's velocity, Adam's m); `states` has them all. */
  velocity: Column | null;
  /** Every optimizer state the row starts from (Adam: m and v). */
  states: Column[];
  /** The update's other cells of this parameter (Adam's m̂ and v̂), one set per step. */
  optimizer: Column[];
  grads: Column[];
  newVelocities: Column[];
  newWeights: Column[];
}

const PARAM_KINDS = new Set(['weight', 'velocity', 'grad', 'optimizer', 'new-velocity', 'new-weight']);

/** The parameter a column belongs to, or null for a column of no single parameter (a forward value, a loss, …). */
export function paramCells(layout: Layout, column: Column): ParamCells | null {
  if (!PARAM_KINDS.has(column.kind) || column.param === null) return null;
  const p = column.param;
  const of = (kind: Column['kind']) => layout.columns.filter((c) => c.kind === kind && c.param === p);
  return {
    param: p,
    weight: layout.weightColumns[p],
    velocity: of('velocity')[0] ?? null,
    states: of('velocity'),
    optimizer: of('optimizer'),
    grads: of('grad'),
    newVelocities: of('new-velocity'),
    newWeights: of('new-weight'),
  };
}

/**
 * A weight or velocity after epoch 0 holds a number the driver copied from the row above: the epoch's last new
 * weight (or new velocity) of the same parameter. Null for every other cell, and for epoch 0 (the starting values).
 */
export function copiedFrom(layout: Layout, column: Column, epoch: number): { epoch: number; column: Column } | null {
  if (epoch <= 0 || column.param === null) return null;
  if (column.kind === 'weight') return { epoch: epoch - 1, column: layout.nextWeightColumns[column.param] };
  if (column.kind === 'velocity' && layout.nextVelocityColumns) return { epoch: epoch - 1, column: layout.nextVelocityColumns[layout.velocityColumns!.indexOf(column)] };
  return null;
}

/** The reverse: a last new weight (or new velocity) is copied into the next row's weight (velocity). */
export function copiedTo(layout: Layout, column: Column, epoch: number): { epoch: number; column: Column } | null {
  if (column.param === null || epoch + 1 >= layout.spec.epochs) return null;
  if (column.kind === 'new-weight' && layout.nextWeightColumns[column.param] === column) {
    return { epoch: epoch + 1, column: layout.weightColumns[column.param] };
  }
  const state = layout.nextVelocityColumns?.indexOf(column) ?? -1;
  if (column.kind === 'new-velocity' && state >= 0) return { epoch: epoch + 1, column: layout.velocityColumns![state] };
  return null;
}

/**
 * "Follow a weight": the columns on one parameter's chain, in the sheet's order, so that the weight and its
 * gradient fit on one screen. Per step (or per sample in full batch): the sample drawn, the value the weight
 * multiplies, the weighted sum it enters and its activation, the loss, the delta of that sum, the gradient, and the
 * new velocity and weight; around them the epoch, η, μ, the weight and its velocity, and the epoch's loss.
 * The deltas between the loss and this unit (every unit of the layers above) are left out: the chain-rule panel
 * spells them out for any selected cell.
 */
export function followColumns(layout: Layout, param: number): Column[] {
  const p = layout.params[param];
  const cells = paramCells(layout, layout.weightColumns[param])!;
  const on = new Set<Column>([
    layout.epochColumn, ...layout.settingColumns.map((s) => s.column), cells.weight, ...cells.states,
    ...cells.grads, ...cells.optimizer, ...cells.newWeights, ...cells.newVelocities,
    ...layout.columns.filter((c) => c.kind === 'optimizer' && c.param === null), // t
  ]);
  for (const c of layout.sampleColumns) on.add(c);
  for (const c of layout.columns) {
    if (c.kind === 'loss' || c.kind === 'epoch-loss') on.add(c);
    else if ((c.kind === 'pre' || c.kind === 'act' || c.kind === 'delta') && c.layer === p.layer && c.unit === p.to) on.add(c);
    else if (p.from !== null && p.layer === 0 && c.kind === 'input' && c.unit === p.from) on.add(c);
    else if (p.from !== null && p.layer > 0 && c.kind === 'act' && c.layer === p.layer - 1 && c.unit === p.from) on.add(c);
  }
  return layout.columns.filter((c) => on.has(c));
}
