import type { ActivationName, LossName, OptimizerSpec } from '../spec/types';

/**
 * The PyTorch text of every activation, loss and optimizer the notebook export knows, keyed by the registry names
 * (src/model/*). Adding one to gradsheet means adding its line here; a spec that names one missing here gets
 * NotebookError ("the notebook export does not know … yet"). Each must compute what the sheet's formula computes
 * (the same mean or sum, the same conventions), or the notebook's last cell shows the two parting.
 */

/** A spec the notebook export cannot write. */
export class NotebookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotebookError';
  }
}

/** a = f(x) as a Python expression; null when the layer has no activation (the sum is the output). */
export const torchActivation: Partial<Record<ActivationName, ((x: string) => string) | null>> = {
  sigmoid: (x) => `torch.sigmoid(${x})`,
  tanh: (x) => `torch.tanh(${x})`,
  relu: (x) => `torch.relu(${x})`,
  identity: null,
};

/** Python lines that define `loss_func(y_hat, y)`: the sheet's loss over every output of the batch. */
export const torchLoss: Partial<Record<LossName, string[]>> = {
  // The sheet's L = (term + term + …)/n over every output of every sample in the update: PyTorch's mean.
  l1: ['loss_func = nn.L1Loss()  # mean of |y_hat - y| over every output in the batch'],
  mse: ['loss_func = nn.MSELoss()  # mean of (y_hat - y)**2 over every output in the batch'],
  // The course's E_total = Σ ½(t − y)²: a plain sum over outputs and samples, no mean, so it is written out.
  'half-sse': [
    'def half_sse(y_hat, y):',
    '    """E = ½Σ(t − y)², the course sheets\' E_total: summed over every output and sample, not averaged."""',
    '    return 0.5 * ((y - y_hat) ** 2).sum()',
    '',
    'loss_func = half_sse',
  ],
};

export interface TorchOptimizer {
  /** `optimizer = optim.…(model.parameters(), …)` from the spec's settings (epoch 0's η and μ). */
  construct(settings: OptimizerSpec, float: (x: number) => string): string;
  /** The optimizer state that holds the sheet's velocity columns (v_w…), set when the sheet's are not zero. */
  velocityState: string;
  /** The param_groups key of each sheet setting, for the edits a user made after epoch 0. */
  groupKey: { lr: string; momentum: string };
}

export const torchOptimizer: Partial<Record<string, TorchOptimizer>> = {
  // PyTorch's SGD, dampening 0 and no Nesterov as the sheet: v ← μ·v + g (the first v is g), w ← w − η·v.
  sgd: {
    construct: (o, f) => `optimizer = optim.SGD(model.parameters(), lr=${f(o.lr)}${o.momentum !== 0 ? `, momentum=${f(o.momentum)}` : ''})`,
    velocityState: 'momentum_buffer',
    groupKey: { lr: 'lr', momentum: 'momentum' },
  },
};

/** The spec's optimizer name in the registry; every spec is SGD until the optimizer registry (issue 17) names one. */
export function optimizerName(optimizer: OptimizerSpec): string {
  return (optimizer as OptimizerSpec & { name?: string }).name ?? 'sgd';
}

/** The table's entry for `name`, or NotebookError naming what is missing. */
export function torchEntry<T>(table: Partial<Record<string, T>>, kind: 'activation' | 'loss' | 'optimizer', name: string): T {
  if (!Object.prototype.hasOwnProperty.call(table, name)) {
    throw new NotebookError(`the notebook export does not know ${kind} "${name}" yet (src/export/notebookTorch.ts lists the ones it writes)`);
  }
  return table[name] as T;
}
