import type { ModelSpec } from '../spec/types';

/**
 * Human names for every quantity. Networks with at most one hidden layer use the course's notation
 * (i1, h1, a_h1, o1, a_o1, w1..w8 numbered across layers, b1..); deeper ones a systematic one
 * (h2_3 = hidden layer 2, unit 3; w2_3_1 = weight layer 2, to unit 3, from unit 1).
 */
export interface Names {
  input(i: number): string;
  target(k: number): string;
  /** Pre-activation of unit j of weight layer l (0-based). */
  pre(l: number, j: number): string;
  /** Activation of unit j of weight layer l; equals pre() when the layer has no activation. */
  act(l: number, j: number): string;
  weight(l: number, to: number, from: number): string;
  bias(l: number, to: number): string;
}

export function namesFor(model: ModelSpec): Names {
  const { layers } = model;
  const last = layers.length - 2;
  const classic = layers.length <= 3;
  const hasAct = (l: number) => model.activations[l] !== 'identity';
  const unit = (l: number, j: number) =>
    l === last ? `o${j + 1}` : classic ? `h${j + 1}` : `h${l + 1}_${j + 1}`;

  // Course numbering: w1.. across layers in [to][from] order, b1.. across layers in unit order.
  const weightBase: number[] = [];
  const biasBase: number[] = [];
  for (let l = 0, w = 0, b = 0; l <= last; l++) {
    weightBase.push(w);
    biasBase.push(b);
    w += layers[l] * layers[l + 1];
    b += layers[l + 1];
  }

  return {
    input: (i) => `i${i + 1}`,
    target: (k) => `t${k + 1}`,
    pre: unit,
    act: (l, j) => (hasAct(l) ? `a_${unit(l, j)}` : unit(l, j)),
    weight: (l, to, from) =>
      classic ? `w${weightBase[l] + to * layers[l] + from + 1}` : `w${l + 1}_${to + 1}_${from + 1}`,
    bias: (l, to) => (classic ? `b${biasBase[l] + to + 1}` : `b${l + 1}_${to + 1}`),
  };
}
