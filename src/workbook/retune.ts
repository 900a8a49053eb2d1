import type { Layout } from '../layout/layout';
import { flattenParams } from '../spec/resolve';
import type { LayerParams } from '../spec/types';
import { rowTemplates } from './formulas';
import { withoutChangeRecords } from './hfPatches';
import { dataSheet, rowContents, type Workbook } from './workbook';

/**
 * New settings without a rebuild: a new η, μ, seed or starting weights changes only the numbers of epoch 0 (and,
 * in sample mode, the sample each step draws), not one formula. So the built rows are kept, epoch 0 gets the new
 * numbers, and the chain restarts there: the driver rewrites each kept row's weights (and samples) when it reaches
 * it, as it does after an edit (measured: see docs/_incoming/speed.md). A new network, loss, batch mode, data or
 * epoch count changes the formulas or the rows, and rebuilds.
 */

/** Same columns with the same formulas, the same data and epochs: `next` can take over `wb`'s rows. */
export function sameFormulas(a: Layout, b: Layout): boolean {
  if (a.spec.epochs !== b.spec.epochs || a.headerRows !== b.headerRows || a.columns.length !== b.columns.length) return false;
  if (JSON.stringify(dataSheet(a)) !== JSON.stringify(dataSheet(b))) return false;
  const templatesA = rowTemplates(a);
  const templatesB = rowTemplates(b);
  return a.columns.every((c, i) => c.name === b.columns[i].name && c.kind === b.columns[i].kind &&
    (templatesA[i]?.(2) ?? null) === (templatesB[i]?.(2) ?? null));
}


/**
 * Points `wb` at `layout` (same formulas, new settings: check sameFormulas first), writes epoch 0's new numbers
 * and restarts the chain there (rows = 1; the later rows stay built). Returns the workbook.
 */
export function retuneWorkbook(wb: Workbook, layout: Layout, initial: LayerParams[], order: number[][] | null): Workbook {
  const weights = flattenParams(initial);
  wb.builtOrder = builtSamples(wb, order);
  wb.layout = layout;
  wb.order = order;
  wb.rows = 1;
  const row0 = rowContents(wb, 0, weights, layout.initialState);
  const numbers = layout.columns.filter((c) => typeof row0[c.index] === 'number');
  withoutChangeRecords(wb.hf, () => wb.hf.batch(() => {
    for (const c of numbers) wb.hf.setCellContents({ sheet: wb.train, row: layout.rowOf(0), col: c.index }, row0[c.index]);
  }));
  return wb;
}

/** The samples the built rows hold, when they differ from `order` somewhere; null when the same. */
function builtSamples(wb: Workbook, order: number[][] | null): number[][] | null {
  const held = wb.builtOrder ?? wb.order;
  if (!held || !order) return null;
  return held.some((steps, e) => e < wb.built && steps.some((s, i) => s !== order[e][i])) ? held : null;
}

/** Writes the next epoch's weights (and velocities, and samples that differ) into its kept row; it recomputes. */
export function reuseRow(wb: Workbook, weights: number[], velocities: number[] | null): void {
  const epoch = wb.rows;
  const { hf, layout, train } = wb;
  const row = layout.rowOf(epoch);
  withoutChangeRecords(hf, () => hf.batch(() => {
    hf.setCellContents({ sheet: train, row, col: layout.weightColumns[0].index }, [weights]);
    if (velocities) hf.setCellContents({ sheet: train, row, col: layout.velocityColumns![0].index }, [velocities]);
    const held = wb.builtOrder?.[epoch];
    const want = wb.order?.[epoch];
    if (held && want) {
      layout.sampleColumns.forEach((col, s) => {
        if (held[s] !== want[s]) hf.setCellContents({ sheet: train, row, col: col.index }, want[s] + 1);
      });
    }
  }));
  wb.rows++;
}
