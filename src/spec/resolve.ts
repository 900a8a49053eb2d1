import { INIT_REGISTRY } from './init';
import { Random, STREAMS } from './random';
import type { InitKind, LayerParams, Spec } from './types';

/** The starting weights of a spec: its explicit `initial`, or drawn from its seed as `init` says. */
export function initialParams(spec: Spec): LayerParams[] {
  if (spec.initial) return spec.initial.map((l) => ({ weight: l.weight.map((r) => [...r]), bias: l.bias ? [...l.bias] : null }));
  const rng = new Random(spec.seed, STREAMS.init);
  const { layers, bias } = spec.model;
  const draw = (kind: InitKind, fanIn: number, fanOut: number): number => INIT_REGISTRY[kind].draw(rng, fanIn, fanOut);
  const out: LayerParams[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const [fanIn, fanOut] = [layers[l], layers[l + 1]];
    const weight = Array.from({ length: fanOut }, () => Array.from({ length: fanIn }, () => draw(spec.init.weights, fanIn, fanOut)));
    out.push({ weight, bias: null });
  }
  if (bias) {
    for (let l = 0; l + 1 < layers.length; l++) {
      out[l].bias = Array.from({ length: layers[l + 1] }, () => draw(spec.init.biases, layers[l], layers[l + 1]));
    }
  }
  return out;
}

/** The sample drawn at every step (0-based), one array per epoch; null in `full` mode. */
export function sampleOrder(spec: Spec): number[][] | null {
  if (spec.batch === 'full') return null;
  if (spec.order) return spec.order.map((e) => [...e]);
  const rng = new Random(spec.seed, STREAMS.order);
  const n = spec.data.inputs.length;
  return Array.from({ length: spec.epochs }, () => Array.from({ length: spec.stepsPerEpoch }, () => rng.int(n)));
}

/** Flat parameter vector in run-file order: layer by layer, weight[out][in] row-major, then that layer's bias. */
export function flattenParams(params: LayerParams[]): number[] {
  const flat: number[] = [];
  for (const l of params) {
    for (const row of l.weight) flat.push(...row);
    if (l.bias) flat.push(...l.bias);
  }
  return flat;
}

/** Inverse of flattenParams for a given shape. */
export function unflattenParams(flat: readonly number[], layers: readonly number[], bias: boolean): LayerParams[] {
  let i = 0;
  const out: LayerParams[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const weight = Array.from({ length: layers[l + 1] }, () => Array.from({ length: layers[l] }, () => flat[i++]));
    const b = bias ? Array.from({ length: layers[l + 1] }, () => flat[i++]) : null;
    out.push({ weight, bias: b });
  }
  if (i !== flat.length) throw new Error(`expected ${i} parameters, got ${flat.length}`);
  return out;
}

export function parameterCount(layers: readonly number[], bias: boolean): number {
  let n = 0;
  for (let l = 0; l + 1 < layers.length; l++) n += layers[l + 1] * (layers[l] + (bias ? 1 : 0));
  return n;
}
