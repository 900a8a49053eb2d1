import { ACTIVATION_REGISTRY } from '../model/activations';
import { LOSS_REGISTRY } from '../model/losses';
import { HYPER_PARAMS } from '../model/optimizers';
import type { Column, Layout } from '../layout/layout';

/**
 * What a cell means, in plain words: the page shows it beside the selected cell, and the README's answers to the
 * course questions say the same at length. Read from the layout and the registries, never from formula text.
 */
export function explainColumn(layout: Layout, col: Column): string {
  const { spec } = layout;
  const loss = LOSS_REGISTRY[spec.model.loss];
  const act = col.layer !== null ? ACTIVATION_REGISTRY[spec.model.activations[col.layer]] : null;
  switch (col.kind) {
    case 'epoch': return 'The epoch (iteration) this row computes. Each row starts from the weights the row above ended with.';
    case 'lr':
      return 'The learning rate η: how far each update moves a weight against its gradient (w ← w − η·∂L/∂w). Too small and the loss falls slowly; too large and it overshoots, oscillates or diverges. Edit it at epoch 0; every later row reads the row above.';
    case 'hyper': return HYPER_PARAMS[col.hyper!].explain + ' Edit it at epoch 0; every later row reads the row above.';
    case 'optimizer': return col.explain ?? '';
    case 'softmax':
      return col.unit === null
        ? 'The log-sum-exp lse = ln Σ e^z over the output sums, computed from the largest z so EXP never overflows: the softmax divides by e^lse, and ln p_k = z_k − lse.'
        : 'The softmax probability of this class, p = e^(z − lse): every output sum made positive and scaled so that the classes add up to 1.';
    case 'momentum': return 'The momentum μ: how much of the previous step carries into this one (v ← μ·v + g, w ← w − η·v), which speeds up steady descents and damps zig-zags.';
    case 'weight':
      return `A weight: how strongly one unit's output feeds the next unit's sum. Epoch 0 holds the starting weights (${initText(layout)}); each later row holds the new weights of the row above. Edit one and the row's forward values, loss and gradients recompute.`;
    case 'velocity': return `${col.explain} Epoch 0 holds its start value; each later row holds the new value of the row above.`;
    case 'sample': return 'The sample drawn for this step (single-sample mode: one update per sample, in a seeded random order).';
    case 'input': return 'An input value of the sample, read from the Data sheet.';
    case 'target': return 'The target (desired output) of the sample, read from the Data sheet.';
    case 'pre':
      return `A neuron's weighted sum z = Σ w·a + b: each input times its weight, added up. This is the linear half of a neuron; ${act && act.name !== 'identity' ? `the next cell applies ${act.name}, the non-linear half.` : 'this layer has no activation, so the sum is the unit\'s output.'}`;
    case 'act': return `A neuron's output: its activation ${act!.name} applied to its weighted sum. ${act!.explain}`;
    case 'loss-term': return `One output's share of the loss. ${loss.explain}`;
    case 'loss': return `${col.step !== null && layout.epochLossColumn !== col ? `This step's loss, of the one sample it drew at the weights the step started from (the epoch's mean is ${layout.epochLossColumn.name}). ` : ''}The loss: one number saying how far the outputs are from the targets. Training lowers it. ${loss.explain}`;
    case 'epoch-loss': {
      const steps = layout.stepLossColumns;
      return `The epoch's loss: the mean of its ${steps.length} step losses (${steps.map((c) => c.name).join(', ')}), each the loss of one drawn sample at the weights that step started from. ` +
        `The chart plots it; the notebook (and the CLI's log) prints the last step's loss, ${layout.lossColumn.name}, which jumps with the sample drawn.`;
    }
    case 'delta':
      return 'A delta ∂L/∂z: how much the loss changes per unit change of this neuron\'s weighted sum. The chain rule builds it from the layer above: the deltas there, each times the weight that connects, times this unit\'s activation slope. Backprop computes every delta once and reuses it for all weights into the unit.';
    case 'grad':
      return 'A gradient ∂L/∂w: the chain rule multiplies the delta of the unit the weight feeds by the value that flows through the weight. Its sign says which way to move w to raise the loss, so the update moves the other way.';
    case 'new-velocity': return col.explain!;
    case 'new-weight': return col.explain!;
  }
}

function initText(layout: Layout): string {
  const { spec } = layout;
  if (spec.initial) return 'given in the spec';
  const init = spec.init;
  return init ? `drawn as ${init.weights} with seed ${spec.seed}` : `seed ${spec.seed}`;
}
