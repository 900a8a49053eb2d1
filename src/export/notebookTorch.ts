import type { HyperName } from '../model/optimizers';
import type { ActivationName, LossName, OptimizerKind } from '../spec/types';

/**
 * The PyTorch text of every activation and loss the notebook export knows, keyed by the registry names
 * (src/model/*), and what an optimizer needs beyond its registry entry (whose `torch` is the constructor and whose
 * states name PyTorch's state keys). Adding an activation or loss to gradsheet means adding its line here; a spec
 * that names one missing here gets NotebookError ("the notebook export does not know … yet"). Each must compute what
 * the sheet's formula computes (the same mean or sum, the same conventions), or the notebook's last cell shows the
 * two parting.
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

/**
 * Python lines that define `loss_func`, the sheet's loss over every output of the batch, and what it reads: the
 * network's output `y_hat`, or `model.logits`, the output layer's weighted sums before its activation (the forward
 * keeps them), for the losses PyTorch computes from logits.
 */
export interface TorchLoss {
  lines: string[];
  input: 'y_hat' | 'logits';
}

export const torchLoss: Partial<Record<LossName, TorchLoss>> = {
  // The sheet's L = (term + term + …)/n over every output of every sample in the update: PyTorch's mean.
  l1: { input: 'y_hat', lines: ['loss_func = nn.L1Loss()  # mean of |y_hat - y| over every output in the batch'] },
  mse: { input: 'y_hat', lines: ['loss_func = nn.MSELoss()  # mean of (y_hat - y)**2 over every output in the batch'] },
  // The course's E_total = Σ ½(t − y)²: a plain sum over outputs and samples, no mean, so it is written out.
  'half-sse': {
    input: 'y_hat',
    lines: [
      'def half_sse(y_hat, y):',
      '    """E = ½Σ(t − y)², the course sheets\' E_total: summed over every output and sample, not averaged."""',
      '    return 0.5 * ((y - y_hat) ** 2).sum()',
      '',
      'loss_func = half_sse',
    ],
  },
  // The sheet's term max(z, 0) − z·t + ln(1 + e^−|z|) is BCEWithLogitsLoss's, over every output of every sample/n.
  bce: { input: 'logits', lines: ['loss_func = nn.BCEWithLogitsLoss()  # mean over every output in the batch, from the logits z (the sigmoid is inside)'] },
  // −Σ_k t_k·(z_k − lse) per sample, the mean over the samples (not over samples × classes): CrossEntropyLoss with
  // class-probability targets (torch ≥ 1.10), whose mean divides by the batch size.
  'cross-entropy': {
    input: 'y_hat',
    lines: ['loss_func = nn.CrossEntropyLoss()  # softmax inside; targets as class probabilities; mean over the samples, sum over the classes'],
  },
};

/**
 * What `optimizer.state[p]['step']` must hold before the first step when the notebook sets a state itself (PyTorch
 * makes the state on the first step only when it is empty): Adam's and AdamW's a tensor, RMSprop's an int; null
 * where PyTorch keeps none or made it at construction (Adagrad). torch 1.13's torch/optim/*.py.
 */
export const torchStepStart: Record<OptimizerKind, string | null> = {
  sgd: null,
  adagrad: null,
  rmsprop: '0',
  adam: 'torch.tensor(0.)',
  adamw: 'torch.tensor(0.)',
};

/** Python that sets one setting in `group` (a param_groups entry) to `value`: betas is one tuple in PyTorch. */
export function groupAssign(name: HyperName, value: string): string {
  if (name === 'betas[0]') return `group['betas'] = (${value}, group['betas'][1])`;
  if (name === 'betas[1]') return `group['betas'] = (group['betas'][0], ${value})`;
  return `group['${name}'] = ${value}`;
}

/** The table's entry for `name`, or NotebookError naming what is missing. */
export function torchEntry<T>(table: Partial<Record<string, T>>, kind: 'activation' | 'loss', name: string): T {
  if (!Object.prototype.hasOwnProperty.call(table, name)) {
    throw new NotebookError(`the notebook export does not know ${kind} "${name}" yet (src/export/notebookTorch.ts lists the ones it writes)`);
  }
  return table[name] as T;
}
