import type { Column, Layout } from '../../layout/layout';
import { chainFrom, type DiagramChain } from './networkDiagram';
import type { ParamSnapshot } from './snapshot';

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
