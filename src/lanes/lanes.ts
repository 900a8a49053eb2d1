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

export interface Lane {
  lr: number;
  wb: Workbook;
  /** Each epoch's loss (see epochLosses: in sample mode the mean of the step losses). */
  losses: number[];
  /** Set when the lane diverged: its message; `losses` then ends before that epoch. */
  error: string | null;
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
