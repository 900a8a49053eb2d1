import type { Random } from './random';
import type { InitKind } from './types';

/**
 * How starting weights are drawn: one entry per kind (its name in a spec, a label for the page, what it is in plain
 * words, and the draw). fanIn and fanOut are the units into and out of the weight layer; a bias draws as the
 * weights of its layer do.
 */
export interface InitEntry {
  label: string;
  explain: string;
  draw(rng: Random, fanIn: number, fanOut: number): number;
}

export const INIT_REGISTRY: Record<InitKind, InitEntry> = {
  normal: {
    label: 'N(0, 1)',
    explain: 'each weight from the standard normal distribution (mean 0, standard deviation 1), as the course sheets do',
    draw: (rng) => rng.normal(),
  },
  'pytorch-uniform': {
    label: 'PyTorch default',
    explain: "nn.Linear's own: uniform on ±1/√fan_in, so a unit's input stays about as large whatever feeds it",
    // nn.Linear.reset_parameters: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    draw: (rng, fanIn) => (rng.uniform() * 2 - 1) / Math.sqrt(fanIn),
  },
  xavier: {
    label: 'Xavier (Glorot) uniform',
    explain: 'uniform on ±√(6/(fan_in + fan_out)) (torch.nn.init.xavier_uniform_): keeps activations and gradients the same size through sigmoid and tanh layers',
    draw: (rng, fanIn, fanOut) => (rng.uniform() * 2 - 1) * Math.sqrt(6 / (fanIn + fanOut)),
  },
  kaiming: {
    label: 'Kaiming (He) normal',
    explain: 'normal with standard deviation √(2/fan_in) (torch.nn.init.kaiming_normal_, fan_in mode, for ReLU): ReLU zeroes half its inputs, so the weights are √2 larger',
    draw: (rng, fanIn) => rng.normal() * Math.sqrt(2 / fanIn),
  },
  zeros: {
    label: 'zeros',
    explain: 'every weight 0: every unit of a layer then computes the same thing and learns the same update (try it to see why nobody does this)',
    draw: () => 0,
  },
};
