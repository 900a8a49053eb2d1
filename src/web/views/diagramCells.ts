import type { Column, Layout } from '../../layout/layout';
import type { CellRef } from '../refs';
import { chainFrom, type DiagramChain, type DiagramHandlers } from './networkDiagram';
import type { CellValue } from 'hyperformula';
import { namesFor } from '../../layout/names';
import type { NetworkSnapshot, ParamSnapshot } from './snapshot';

/**
 * Between the diagram and the sheet: the cell a click on a link or unit selects, and the part of the diagram the
 * selected cell belongs to. Everything is found in the layout (the one place that names quantities).
 */

/** The first step's (or the row's) column of a kind for a unit; null when the sheet has none. */
function unitColumn(layout: Layout, kinds: Column['kind'][], layer: number | null, unit: number): Column | null {
  for (const kind of kinds) {
    const found = layout.columns.find((c) => c.kind === kind && c.unit === unit && (layer === null || c.layer === layer) && (c.step === null || c.step === 0));
    if (found) return found;
  }
  return null;
}

/** A link or bias badge selects its weight's cell. */
export function paramCell(layout: Layout, index: number): Column {
  return layout.weightColumns[index];
}

/** A unit selects its activation (its pre-activation for an identity unit); an input unit its input cell. */
export function unitCell(layout: Layout, layer: number, unit: number): Column | null {
  return layer === 0 ? unitColumn(layout, ['input'], null, unit) : unitColumn(layout, ['act', 'pre'], layer - 1, unit);
}

/** The diagram's highlighted chain for a selected column, or null for a column that belongs to no unit or weight. */
export function chainOf(layout: Layout, params: ParamSnapshot[], column: Column): DiagramChain | null {
  const { layers } = layout.spec.model;
  const byIndex = (p: ParamSnapshot) => params.indexOf(p);
  if (column.param !== null) return chainFrom(layers, params, { param: column.param }, byIndex);
  if ((column.kind === 'pre' || column.kind === 'act' || column.kind === 'delta') && column.layer !== null && column.unit !== null) {
    return chainFrom(layers, params, { layer: column.layer + 1, unit: column.unit }, byIndex);
  }
  if (column.kind === 'input' && column.unit !== null) return chainFrom(layers, params, { layer: 0, unit: column.unit }, byIndex);
  return null;
}

/** What clicks on the diagram do: go to the weight's or the unit's cell at the epoch `epoch()` says. */
export function diagramClicks(layout: Layout, epoch: () => number, go: (ref: CellRef) => void): DiagramHandlers {
  return {
    param: (i) => go({ epoch: epoch(), column: paramCell(layout, i) }),
    unit: (l, j) => {
      const column = unitCell(layout, l, j);
      if (column) go({ epoch: epoch(), column });
    },
  };
}

/** One epoch's weights and first-update gradients (`value` reads that row), named as the layout names them. */
export function snapshotAt(layout: Layout, value: (col: Column) => CellValue, epoch: number): NetworkSnapshot {
  const { spec } = layout;
  const names = namesFor(spec.model);
  const grads = layout.columns.filter((c) => c.kind === 'grad' && (c.step === null || c.step === 0));
  const num = (col: Column) => {
    const v = value(col);
    return typeof v === 'number' ? v : Number.NaN;
  };
  const { layers } = spec.model;
  return {
    epoch,
    layers,
    activations: spec.model.activations,
    params: layout.params.map((p) => ({
      name: p.name, layer: p.layer, to: p.to, from: p.from,
      value: num(layout.weightColumns[p.index]),
      grad: num(grads[p.index]),
      gradName: grads[p.index]?.name,
    })),
    unitNames: layers.map((n, l) => Array.from({ length: n }, (_, j) => (l === 0 ? names.input(j) : names.pre(l - 1, j)))),
    data: spec.data,
  };
}
