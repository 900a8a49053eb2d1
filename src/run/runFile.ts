import { columnValues } from '../driver/driver';
import type { Column } from '../layout/layout';
import { unflattenParams } from '../spec/resolve';
import { optimizerJson } from '../spec/validate';
import type { LayerParams, ModelSpec, Spec } from '../spec/types';
import { numberAt, type Workbook } from '../workbook/workbook';

/** A finished run as data any autograd framework can replay (a spec plus its results; fed back with --spec). */
export interface RunFile {
  format: 'gradsheet.run/1';
  preset: string;
  model: ModelSpec;
  data: Spec['data'];
  /** As a spec file holds it (SGD: {lr, momentum}; other kinds: kind and every hyper-parameter). */
  optimizer: Record<string, unknown>;
  batch: Spec['batch'];
  epochs: number;
  /** Sample mode: the 0-based sample of every step, one array per epoch. */
  order?: number[][];
  initial: LayerParams[];
  /** The gradient of the first update. */
  gradients0: LayerParams[];
  /** Full batch: the loss of each epoch's weights; sample mode: the loss of each epoch's last step. */
  epochLoss: number[];
  /** The weights after the last update. */
  final: LayerParams[];
}

/** Reads a trained workbook into a run file; every number comes from the formula engine's cells. */
export function runFileOf(wb: Workbook): RunFile {
  const { layout } = wb;
  const { spec } = layout;
  const last = spec.epochs - 1;
  const read = (epoch: number, cols: Column[]) =>
    unflattenParams(cols.map((c) => numberAt(wb, epoch, c)), spec.model.layers, spec.model.bias);
  const firstGradients = layout.columns.filter((c) => c.kind === 'grad' && (c.step === null || c.step === 0));
  const run: RunFile = {
    format: 'gradsheet.run/1',
    preset: spec.name,
    model: spec.model,
    data: spec.data,
    optimizer: optimizerJson(spec.optimizer),
    batch: spec.batch,
    epochs: spec.epochs,
    initial: read(0, layout.weightColumns),
    gradients0: read(0, firstGradients),
    // The notebook's loss (the last step's), which the run file has always held; not the epoch's mean.
    epochLoss: columnValues(wb, layout.lossColumn),
    final: read(last, layout.nextWeightColumns),
  };
  if (spec.batch === 'sample') {
    run.order = Array.from({ length: spec.epochs }, (_, e) => layout.sampleColumns.map((c) => numberAt(wb, e, c) - 1));
  }
  // Key order as documented, order before initial.
  const { initial, gradients0, epochLoss, final, ...head } = run;
  return { ...head, initial, gradients0, epochLoss, final };
}

/** JSON with numbers at full float64 precision (JSON.stringify prints the shortest round-tripping form). */
export function runFileJson(run: RunFile): string {
  return `${JSON.stringify(run)}\n`;
}
