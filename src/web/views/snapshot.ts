import { ACTIVATION_REGISTRY } from '../../model/activations';
import type { ActivationName } from '../../spec/types';

/** One weight or bias as the views draw it. */
export interface ParamSnapshot {
  name: string; layer: number; to: number; from: number | null; value: number; grad: number | null;
  /** The gradient's name as the sheet's column has it (∂E/∂w1, ∂L/∂w1_1_1[1]): read from the layout, never spelled here. */
  gradName?: string;
}

/** What the network diagram and the heat map draw: one epoch's row of the sheet. */
export interface NetworkSnapshot {
  epoch: number;
  /** Units per layer, inputs first. */
  layers: number[];
  /** One per weight layer. */
  activations: ActivationName[];
  /** Every weight and bias of this epoch's row (from = null for a bias). */
  params: ParamSnapshot[];
  /** Display names per layer, inputs first: [['i1','i2'], ['h1','h2'], ['o1']]. */
  unitNames: string[][];
  data: { inputs: number[][]; targets: number[][] };
}

/**
 * Checks the snapshot's params against its layers once and returns the forward pass as a function,
 * for callers that evaluate many inputs (the heat map evaluates thousands).
 */
export function compileForward(s: NetworkSnapshot): (x: number[]) => number[] {
  const { layers } = s;
  const shape = layers.join('-');
  const fail = (msg: string): never => { throw new Error(`snapshot (layers ${shape}): ${msg}`); };
  if (layers.length < 2) fail('needs at least two layers');
  if (s.activations.length !== layers.length - 1) fail(`expected ${layers.length - 1} activations, got ${s.activations.length}`);

  // weights[l][to][from] (NaN until seen), biases[l][to] (0 when the network has none).
  const weights = layers.slice(1).map((n, l) => Array.from({ length: n }, () => new Array<number>(layers[l]).fill(NaN)));
  const biases = layers.slice(1).map((n) => new Array<number>(n).fill(0));
  const seen = new Set<string>();
  for (const p of s.params) {
    const key = `${p.layer}/${p.to}/${p.from}`;
    if (!(p.layer >= 0 && p.layer < layers.length - 1)) fail(`${p.name} is in weight layer ${p.layer}, which does not exist`);
    if (!(p.to >= 0 && p.to < layers[p.layer + 1])) fail(`${p.name} goes to unit ${p.to}, but layer ${p.layer + 1} has ${layers[p.layer + 1]} units`);
    if (p.from !== null && !(p.from >= 0 && p.from < layers[p.layer])) fail(`${p.name} comes from unit ${p.from}, but layer ${p.layer} has ${layers[p.layer]} units`);
    if (seen.has(key)) fail(`${p.name} duplicates another parameter (layer ${p.layer}, to ${p.to}, from ${p.from ?? 'bias'})`);
    seen.add(key);
    if (p.from === null) biases[p.layer][p.to] = p.value;
    else weights[p.layer][p.to][p.from] = p.value;
  }
  weights.forEach((w, l) => w.forEach((row, to) => row.forEach((v, from) => {
    if (Number.isNaN(v) && !seen.has(`${l}/${to}/${from}`)) fail(`no weight for layer ${l}, unit ${from} → unit ${to}`);
  })));
  const fs = s.activations.map((a) => ACTIVATION_REGISTRY[a].evaluate);

  return (x) => {
    if (x.length !== layers[0]) fail(`expected ${layers[0]} inputs, got ${x.length}`);
    let a = x;
    for (let l = 0; l < weights.length; l++) {
      const next = new Array<number>(weights[l].length);
      for (let to = 0; to < next.length; to++) {
        const row = weights[l][to];
        let z = biases[l][to];
        for (let i = 0; i < row.length; i++) z += row[i] * a[i];
        next[to] = fs[l](z);
      }
      a = next;
    }
    return a;
  };
}

/** The network's outputs for one input vector, computed in plain JS from the snapshot's weights (z = Σ w·a + b, a = f(z)). */
export function forward(s: NetworkSnapshot, x: number[]): number[] {
  return compileForward(s)(x);
}
