import type { CellValue } from 'hyperformula';
import type { Column } from '../../src/layout/layout';
import { trainEpoch, type EpochTrace, type OptState } from '../../src/reference/trainer';
import type { Spec } from '../../src/spec/types';
import { flattenParams, unflattenParams } from '../../src/spec/resolve';
import type { Workbook } from '../../src/workbook/workbook';
import { meanOf } from './referenceLosses';

type RowStart = { w: number[]; state: OptState; lr: number; mu: number; order: number[] | null; epoch: number; spec: Spec };

/** A setting's value in the spec, by its PyTorch name. */
function specSetting(spec: Spec, name: string): number {
  const o = spec.optimizer;
  if (name === 'betas[0]') return o.betas[0];
  if (name === 'betas[1]') return o.betas[1];
  return o[name as 'eps' | 'alpha' | 'weight_decay' | 'lr_decay'];
}

/** The reference's value for one cell, found from the column's description (kind, step, layer, unit, param). */
function expected(col: Column, trace: EpochTrace, sampleMode: boolean, start: RowStart): number {
  const p = col.param!;
  switch (col.kind) {
    case 'epoch': return start.epoch;
    case 'lr': return start.lr;
    case 'momentum': return start.mu;
    case 'hyper': return specSetting(start.spec, col.hyper!);
    case 'weight': return start.w[p];
    case 'velocity': return start.state.buffers[col.state!][p];
    case 'sample': return start.order![col.step ?? 0] + 1;
    default: return referenceFormulaValue(col, trace, sampleMode);
  }
}

/** The reference's value of one formula cell (the values the driver computes) from an epoch's trace. */
export function referenceFormulaValue(col: Column, trace: EpochTrace, sampleMode: boolean): number {
  const s = col.step ?? 0;
  const update = sampleMode ? trace.updates[s] : trace.updates[0];
  const sample = sampleMode ? update.traces[0] : trace.updates[0].traces[s];
  switch (col.kind) {
    case 'input': return sample.inputs[col.unit!];
    case 'target': return sample.targets[col.unit!];
    case 'pre': return sample.z[col.layer!][col.unit!];
    case 'act': return sample.a[col.layer!][col.unit!];
    case 'loss-term': return sample.lossTerms[col.unit!];
    case 'loss': return update.loss;
    case 'epoch-loss': return meanOf(trace.updates.map((u) => u.loss));
    case 'delta': return sample.delta[col.layer!][col.unit!];
    case 'grad': return flattenParams(update.grad)[col.param!];
    case 'new-velocity': return update.state.buffers[col.state!][col.param!];
    case 'optimizer': return col.state === 't' ? update.state.step : update.extras[col.state!][col.param!];
    case 'softmax': return col.unit === null ? sample.lse! : sample.probs![col.unit];
    case 'new-weight': return flattenParams(update.params)[col.param!];
    default: throw new Error(`${col.name} is not a formula the driver computes`);
  }
}

export interface Mismatch { epoch: number; column: string; got: CellValue; want: number }

/** |got − want| ≤ rel·max(|got|, |want|) + abs. */
export function close(got: number, want: number, rel = 1e-12, abs = 1e-14): boolean {
  return Math.abs(got - want) <= rel * Math.max(Math.abs(got), Math.abs(want)) + abs;
}

/**
 * Recomputes every row with the reference trainer from that row's own weights, velocities, η, μ and samples,
 * and compares every cell of the row. Returns the mismatches (first `limit`) and how many cells were compared.
 */
export function compareSheetWithReference(wb: Workbook, limit = 20): { mismatches: Mismatch[]; cells: number; worstRel: number } {
  const { layout } = wb;
  const { spec } = layout;
  const sampleMode = spec.batch === 'sample';
  const values = wb.hf.getSheetValues(wb.train);
  const mismatches: Mismatch[] = [];
  let cells = 0;
  let worstRel = 0;
  for (let epoch = 0; epoch < spec.epochs; epoch++) {
    const row = values[layout.rowOf(epoch)];
    const num = (c: Column) => row[c.index] as number;
    const w = layout.weightColumns.map(num);
    // The optimizer state the row starts from, as the reference holds it: buffers by name, and the updates so far.
    const buffers: Record<string, number[]> = {};
    for (const c of layout.velocityColumns ?? []) (buffers[c.state!] ??= []).push(num(c));
    const state: OptState = { step: epoch * (sampleMode ? spec.stepsPerEpoch : 1), buffers };
    const lr = num(layout.lrColumn);
    const mu = layout.momentumColumn ? num(layout.momentumColumn) : 0;
    const order = sampleMode ? layout.sampleColumns.map((c) => num(c) - 1) : null;
    const { layers, bias } = spec.model;
    const trace = trainEpoch(spec, unflattenParams(w, layers, bias), state, lr, mu, order);
    for (const col of layout.columns) {
      const want = expected(col, trace, sampleMode, { w, state, lr, mu, order, epoch, spec });
      const got = row[col.index];
      cells++;
      if (typeof got !== 'number' || !close(got, want)) {
        if (mismatches.length < limit) mismatches.push({ epoch, column: col.name, got, want });
      } else if (got !== want) {
        worstRel = Math.max(worstRel, Math.abs(got - want) / Math.max(Math.abs(got), Math.abs(want)));
      }
    }
  }
  return { mismatches, cells, worstRel };
}
