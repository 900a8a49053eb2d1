/**
 * Pure helpers for the loss chart (no DOM, no uPlot): kept apart so they can be unit-tested in node.
 */

/**
 * The y values uPlot plots for one series over epochs 0..length-1.
 * Missing epochs (past the end of `losses`, e.g. while training), NaN and ±Infinity become null (a gap).
 * On a log scale, values <= 0 also become null: a loss of exactly 0 has no logarithm.
 */
export function toPlotValues(losses: number[], log: boolean, length: number): (number | null)[] {
  const n = Math.max(0, Math.floor(length));
  const out: (number | null)[] = new Array<number | null>(n);
  const m = Math.min(n, losses.length);
  for (let i = 0; i < m; i++) {
    const v = losses[i];
    out[i] = Number.isFinite(v) && (!log || v > 0) ? v : null;
  }
  for (let i = m; i < n; i++) out[i] = null;
  return out;
}

/** The epoch index nearest to an x-scale value, clamped to 0..count-1; null when there is no data. */
export function nearestEpoch(x: number, count: number): number | null {
  if (count <= 0 || !Number.isFinite(x)) return null;
  return Math.min(count - 1, Math.max(0, Math.round(x)));
}
