import type { Column } from '../layout/layout';
import { appendRow, compactWorkbook, describeValue, type Workbook } from '../workbook/workbook';

/**
 * The driver does what a person with the course sheet does by hand: copy the row's new weights (and velocities)
 * into the next row, whose formulas then recompute. Every number it copies was computed by the formula engine.
 */

export interface Progress {
  /** The last epoch whose row is complete. */
  epoch: number;
  epochs: number;
}

/**
 * Copies the weights (and velocities) row `epoch` ends with into row `epoch + 1`, adding that row with its
 * formulas when the sheet does not have it yet (building rows as they are reached costs a quarter less than
 * building them all first, which evaluates every row once more on empty weights).
 */
export function copyToNextRow(wb: Workbook, epoch: number): void {
  const { hf, layout, train } = wb;
  const weights = readBlock(wb, epoch, layout.nextWeightColumns);
  const velocities = layout.nextVelocityColumns ? readBlock(wb, epoch, layout.nextVelocityColumns) : null;
  if (epoch + 1 >= wb.rows) {
    appendRow(wb, weights, velocities);
    if (wb.rows % COMPACT_EVERY === 0 || wb.rows === layout.spec.epochs) compactWorkbook(wb);
    return;
  }
  const next = layout.rowOf(epoch + 1);
  hf.batch(() => {
    hf.setCellContents({ sheet: train, row: next, col: layout.weightColumns[0].index }, [weights]);
    if (velocities) hf.setCellContents({ sheet: train, row: next, col: layout.velocityColumns![0].index }, [velocities]);
  });
}

const COMPACT_EVERY = 64;

/** Values of a run of adjacent columns in one row, checked to be finite numbers. */
function readBlock(wb: Workbook, epoch: number, cols: Column[]): number[] {
  const row = wb.layout.rowOf(epoch);
  const first = cols[0].index;
  const values = wb.hf.getRangeValues({
    start: { sheet: wb.train, row, col: first },
    end: { sheet: wb.train, row, col: cols[cols.length - 1].index },
  })[0];
  return cols.map((col) => {
    const v = values[col.index - first];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new DivergenceError(epoch, col, v);
    return v;
  });
}

/** Training produced something that is not a finite number. */
export class DivergenceError extends Error {
  constructor(readonly epoch: number, readonly column: Column, readonly value: unknown) {
    super(`training diverged at epoch ${epoch}: ${column.name} is ${describeValue(value)}`);
    this.name = 'DivergenceError';
  }
}

export interface RunOptions {
  /** Re-run from this epoch's row (its weights stay as they are); default 0. */
  from?: number;
  onProgress?: (p: Progress) => void;
  /** How often to report, in epochs. */
  progressEvery?: number;
}

/** Fills every row after `from` by copying each row's new weights into the next. */
export function runEpochs(wb: Workbook, options: RunOptions = {}): void {
  const epochs = wb.layout.spec.epochs;
  const every = options.progressEvery ?? 50;
  for (let epoch = options.from ?? 0; epoch + 1 < epochs; epoch++) {
    copyToNextRow(wb, epoch);
    if (options.onProgress && ((epoch + 1) % every === 0 || epoch + 2 === epochs)) options.onProgress({ epoch: epoch + 1, epochs });
  }
}

/**
 * The same as runEpochs, giving the event loop a turn every `sliceMs` so a page stays responsive;
 * `shouldStop` is checked between rows. Resolves with the last complete epoch.
 */
export async function runEpochsAsync(
  wb: Workbook,
  options: RunOptions & { sliceMs?: number; shouldStop?: () => boolean } = {},
): Promise<number> {
  const epochs = wb.layout.spec.epochs;
  const slice = options.sliceMs ?? 8;
  let epoch = options.from ?? 0;
  while (epoch + 1 < epochs) {
    const until = performance.now() + slice;
    while (epoch + 1 < epochs && performance.now() < until) {
      if (options.shouldStop?.()) return epoch;
      copyToNextRow(wb, epoch);
      epoch++;
    }
    options.onProgress?.({ epoch, epochs });
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return epoch;
}

/** Each present row's loss (see Layout.lossColumn). */
export function epochLosses(wb: Workbook): number[] {
  const col = wb.layout.lossColumn.index;
  const { layout } = wb;
  const values = wb.hf.getRangeValues({
    start: { sheet: wb.train, row: layout.rowOf(0), col },
    end: { sheet: wb.train, row: layout.rowOf(wb.rows - 1), col },
  });
  return values.map((r) => r[0] as number);
}
