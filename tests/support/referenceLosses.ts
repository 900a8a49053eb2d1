import { trainReference } from '../../src/reference/trainer';
import type { LayerParams, Spec } from '../../src/spec/types';

export const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The reference trainer's losses: every update's loss, one array per epoch (sample mode: one per step), the last
 * of each epoch (what the notebook prints and the sheet's loss column holds) and each epoch's mean (the sheet's L̄).
 */
export function referenceLosses(spec: Spec, initial: LayerParams[], order: number[][] | null): { steps: number[][]; last: number[]; mean: number[] } {
  const steps: number[][] = [];
  const run = trainReference(spec, initial, order, (_epoch, _params, _velocity, trace) => steps.push(trace.updates.map((u) => u.loss)));
  return { steps, last: run.epochLoss, mean: steps.map(meanOf) };
}
