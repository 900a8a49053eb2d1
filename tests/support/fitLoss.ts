import { parseSpec } from '../../src/spec/validate';
import type { Spec } from '../../src/spec/types';

/**
 * Makes a random spec (as JSON) valid for its loss: bce needs a sigmoid output and targets from 0 to 1;
 * cross-entropy an identity output (the logits) with at least 2 units and targets that are a distribution over the
 * classes (one-hot here). Other losses are left as they are.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fitLoss<T extends Record<string, any>>(raw: T): T {
  const { model, data } = raw;
  const last = model.activations.length - 1;
  if (model.loss === 'bce') {
    model.activations[last] = 'sigmoid';
    data.targets = data.targets.map((row: number[]) => row.map((t) => Math.min(1, Math.abs(t))));
  } else if (model.loss === 'cross-entropy') {
    model.activations[last] = 'identity';
    const n = Math.max(2, model.layers[model.layers.length - 1]);
    model.layers[model.layers.length - 1] = n;
    data.targets = data.targets.map((_: number[], s: number) => Array.from({ length: n }, (_x, k) => (k === s % n ? 1 : 0)));
  }
  return raw;
}

/** Optimizer settings that between them reach every kind and every optional cell of the optimizer registry. */
export const OPTIMIZER_VARIANTS: Array<Record<string, unknown>> = [
  { lr: 0.1, momentum: 0 },
  { lr: 0.1, momentum: 0.5 },
  { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.01 },
  { kind: 'adagrad', lr: 0.1, lr_decay: 0.01, weight_decay: 0.01, initial_accumulator_value: 0.1 },
  { kind: 'rmsprop', lr: 0.01 },
  { kind: 'rmsprop', lr: 0.01, momentum: 0.5, centered: true, weight_decay: 0.01 },
  { kind: 'adam', lr: 0.01 },
  { kind: 'adam', lr: 0.01, weight_decay: 0.1 },
  { kind: 'adamw', lr: 0.01 },
];

/**
 * A 2-3-2 network with biases (tanh hidden) on XOR's four inputs, PyTorch-default starting weights, made valid for
 * the loss: the small network the optimizer tests and the PyTorch optimizer fixtures train.
 */
export function xorNet232(loss: string, optimizer: Record<string, unknown>, batch: 'full' | 'sample', run: { name: string; stepsPerEpoch: number; epochs: number; seed: number }): Spec {
  return parseSpec(fitLoss({
    name: run.name,
    model: { layers: [2, 3, 2], bias: true, activations: ['tanh', 'sigmoid'], loss },
    data: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0, 1], [1, 0], [1, 0.25], [0, 0.75]] },
    optimizer,
    batch,
    ...(batch === 'sample' ? { stepsPerEpoch: run.stepsPerEpoch } : {}),
    epochs: run.epochs,
    seed: run.seed,
    init: { weights: 'pytorch-uniform', biases: 'pytorch-uniform' },
  }));
}
