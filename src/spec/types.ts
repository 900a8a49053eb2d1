/** A network and its training, as plain data. Field names follow the run file (see src/run/runFile.ts). */

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'identity'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const LOSSES = ['half-sse', 'mse', 'l1', 'bce', 'cross-entropy'] as const;
export type LossName = (typeof LOSSES)[number];

export const BATCH_MODES = ['full', 'sample'] as const;
export type BatchMode = (typeof BATCH_MODES)[number];

export const INIT_KINDS = ['normal', 'pytorch-uniform', 'xavier', 'kaiming', 'zeros'] as const;
export type InitKind = (typeof INIT_KINDS)[number];

export interface ModelSpec {
  /** Units per layer, inputs first: [2, 4, 4, 4, 1]. */
  layers: number[];
  bias: boolean;
  /** One per weight layer (layers.length - 1). */
  activations: ActivationName[];
  loss: LossName;
}

export interface DataSpec {
  inputs: number[][];
  targets: number[][];
}

export const OPTIMIZER_KINDS = ['sgd', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

/**
 * The optimizer and every hyper-parameter any kind has, with PyTorch's names (torch.optim.*). A kind reads only its
 * own (src/model/optimizers.ts lists them with their defaults); the others hold their defaults and are never written
 * to a spec file.
 */
export interface OptimizerSpec {
  kind: OptimizerKind;
  lr: number;
  /** sgd, rmsprop. */
  momentum: number;
  /** sgd. */
  nesterov: boolean;
  /** sgd, adagrad, rmsprop, adam: an L2 term added to the gradient; adamw: decoupled decay of the weight. */
  weight_decay: number;
  /** adam, adamw. */
  betas: [number, number];
  /** adagrad, rmsprop, adam, adamw. */
  eps: number;
  /** rmsprop. */
  alpha: number;
  /** rmsprop. */
  centered: boolean;
  /** adagrad. */
  lr_decay: number;
  /** adagrad. */
  initial_accumulator_value: number;
}

/** One weight layer in PyTorch nn.Linear layout: weight[out][in], bias[out]. */
export interface LayerParams {
  weight: number[][];
  bias: number[] | null;
}

export interface InitSpec {
  weights: InitKind;
  biases: InitKind;
}

export interface Spec {
  name: string;
  description: string;
  model: ModelSpec;
  data: DataSpec;
  optimizer: OptimizerSpec;
  batch: BatchMode;
  /** Single-sample steps per epoch in `sample` mode (1 in `full` mode). */
  stepsPerEpoch: number;
  /** Number of rows: epochs 0 .. epochs-1. */
  epochs: number;
  seed: number;
  /** How to draw the starting weights; ignored when `initial` is given. */
  init: InitSpec;
  /** Explicit starting weights (a run file's `initial`, or weights exported from PyTorch). */
  initial: LayerParams[] | null;
  /** Explicit sample order for `sample` mode, 0-based, one array per epoch (a run file's `order`). */
  order: number[][] | null;
}
