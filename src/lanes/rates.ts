/**
 * The learning rates a comparison runs and the epochs its table shows: plain values, apart from the training in
 * lanes.ts, so the page can read them without loading the formula engine.
 */

/** The course assignment's learning rates for the loss chart. */
export const COURSE_LEARNING_RATES = [0.1, 0.2, 0.5, 0.8, 1.0, 2.0];
/** The iterations the course's learning-rate table reports. */
export const COURSE_ITERATIONS = [0, 1, 2, 5, 10, 20, 50];
export const MAX_LANES = 12;

export function parseLearningRates(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const lrs = parts.map(Number);
  const bad = parts.filter((s, i) => s === '' || !Number.isFinite(lrs[i]) || lrs[i] <= 0);
  if (bad.length > 0) throw new Error(`learning rates must be positive numbers separated by commas, got "${bad[0]}" in "${text}"`);
  if (lrs.length > MAX_LANES) throw new Error(`at most ${MAX_LANES} learning rates at once, got ${lrs.length}`);
  if (new Set(lrs).size !== lrs.length) throw new Error(`each learning rate once, got "${text}"`);
  return lrs;
}

/** The epochs a comparison table shows: the course's iterations that exist, and the last epoch. */
export function tableEpochs(epochs: number): number[] {
  return [...new Set([...COURSE_ITERATIONS.filter((e) => e < epochs), epochs - 1])];
}
