import { DivergenceError, epochLosses, runEpochs } from '../driver/driver';
import { buildLayout } from '../layout/layout';
import { initialParams, sampleOrder } from '../spec/resolve';
import type { Spec } from '../spec/types';
import { withOverrides } from '../spec/validate';
import { buildWorkbook, type Workbook } from '../workbook/workbook';

/**
 * Learning-rate comparison: the same network from the same starting weights (and sample order) trained once per
 * learning rate, each in a workbook of its own (a lane). A lane that diverges keeps the rows it computed.
 */

/** The course assignment's learning rates for the loss chart. */
export const COURSE_LEARNING_RATES = [0.1, 0.2, 0.5, 0.8, 1.0, 2.0];
/** The iterations the course's learning-rate table reports. */
export const COURSE_ITERATIONS = [0, 1, 2, 5, 10, 20, 50];
export const MAX_LANES = 12;

export interface Lane {
  lr: number;
  wb: Workbook;
  losses: number[];
  /** Set when the lane diverged: its message; `losses` then ends before that epoch. */
  error: string | null;
}

export function parseLearningRates(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const lrs = parts.map(Number);
  const bad = parts.filter((s, i) => s === '' || !Number.isFinite(lrs[i]) || lrs[i] <= 0);
  if (bad.length > 0) throw new Error(`learning rates must be positive numbers separated by commas, got "${bad[0]}" in "${text}"`);
  if (lrs.length > MAX_LANES) throw new Error(`at most ${MAX_LANES} learning rates at once, got ${lrs.length}`);
  if (new Set(lrs).size !== lrs.length) throw new Error(`each learning rate once, got "${text}"`);
  return lrs;
}

export function trainLanes(spec: Spec, lrs: number[], onLane?: (lane: Lane, index: number) => void): Lane[] {
  const initial = initialParams(spec);
  const order = sampleOrder(spec);
  return lrs.map((lr, i) => {
    const laneSpec = withOverrides(spec, { lr });
    const wb = buildWorkbook(buildLayout(laneSpec), initial, order);
    let error: string | null = null;
    try {
      runEpochs(wb);
    } catch (err) {
      if (!(err instanceof DivergenceError)) throw err;
      error = err.message;
    }
    const all = epochLosses(wb);
    const bad = all.findIndex((l) => typeof l !== 'number' || !Number.isFinite(l));
    const lane: Lane = { lr, wb, losses: bad < 0 ? all : all.slice(0, bad), error };
    onLane?.(lane, i);
    return lane;
  });
}

/** The epochs a comparison table shows: the course's iterations that exist, and the last epoch. */
export function tableEpochs(epochs: number): number[] {
  return [...new Set([...COURSE_ITERATIONS.filter((e) => e < epochs), epochs - 1])];
}
