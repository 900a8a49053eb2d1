/**
 * An independent reference trainer in plain float64 JavaScript: the ground truth the spreadsheet is tested against.
 *
 * It follows PyTorch's semantics (nn.Linear, torch.optim's SGD, Adagrad, RMSprop, Adam and AdamW (./optimizers.ts),
 * mean L1/MSE losses, half-SSE, BCEWithLogitsLoss, CrossEntropyLoss with class-probability targets) and
 * fixes the order of every sum, so that the spreadsheet, which sums in the same order, can match it bit for bit.
 * On purpose it imports nothing from the layout, model, workbook or driver code: only the spec's types.
 */
import { flattenParams, unflattenParams } from '../spec/resolve';
import type { ActivationName, LayerParams, LossName, Spec } from '../spec/types';
import { initialState, optimizerStep, type OptState } from './optimizers';

export type { OptState } from './optimizers';

/** One sample's forward and backward pass; z[l][j], a[l][j], delta[l][j] per weight layer l, lossTerms per output. */
export interface SampleTrace {
  sample: number;
  inputs: number[];
  targets: number[];
  z: number[][];
  a: number[][];
  lossTerms: number[];
  delta: number[][];
  /** cross-entropy: the log-sum-exp of the output sums and the softmax probabilities; null otherwise. */
  lse: number | null;
  probs: number[] | null;
}

/**
 * One update. traces: full mode all samples in data order, sample mode the one sample. grad: the gradient used.
 * velocity, state and params: AFTER the update; velocity (SGD's momentum buffer) is null without momentum or for other
 * optimizers; grad.bias is null when there is no bias.
 */
export interface UpdateTrace {
  traces: SampleTrace[];
  loss: number;
  grad: LayerParams[];
  velocity: LayerParams[] | null;
  state: OptState;
  /** Adam's bias-corrected moments m̂ and v̂ of this update, per parameter (run-file order); empty for the others. */
  extras: Record<string, number[]>;
  params: LayerParams[];
}

/** full mode: one update; sample mode: stepsPerEpoch updates. */
export interface EpochTrace {
  updates: UpdateTrace[];
}

export interface ReferenceRun {
  epochLoss: number[];
  /** The gradient of the very first update. */
  gradients0: LayerParams[];
  final: LayerParams[];
  finalVelocity: LayerParams[] | null;
  finalState: OptState;
}

function activate(f: ActivationName, z: number): number {
  switch (f) {
    case 'sigmoid': return 1 / (1 + Math.exp(-z));
    case 'tanh': return Math.tanh(z);
    case 'relu': return Math.max(0, z);
    case 'identity': return z;
  }
}

/** f'(z), written from the activation value a where that is the usual form. */
function derivative(f: ActivationName, z: number, a: number): number {
  switch (f) {
    case 'sigmoid': return a * (1 - a); // σ'(z) = σ(z)(1 − σ(z))
    case 'tanh': return 1 - Math.pow(a, 2); // tanh'(z) = 1 − tanh(z)²
    case 'relu': return z > 0 ? 1 : 0; // ReLU'(0) = 0, as in PyTorch
    case 'identity': return 1;
  }
}

/** One output's loss term (before any division by n); z is the output's weighted sum, lse cross-entropy's log-sum-exp. */
function lossTerm(loss: LossName, y: number, t: number, z: number, lse: number): number {
  switch (loss) {
    case 'half-sse': return 0.5 * Math.pow(t - y, 2);
    case 'mse': return Math.pow(y - t, 2);
    case 'l1': return Math.abs(y - t);
    // BCEWithLogitsLoss: max(z, 0) − z·t + ln(1 + e^−|z|).
    case 'bce': return Math.max(z, 0) - z * t + Math.log(1 + Math.exp(-Math.abs(z)));
    // −t·log_softmax(z) = t·(lse − z).
    case 'cross-entropy': return t * (lse - z);
  }
}

/**
 * ∂loss/∂y for one output; for bce and cross-entropy ∂loss/∂z, y being the sigmoid's or softmax's probability.
 * n = outputs × samples in the batch (cross-entropy: samples; half-SSE is a plain sum, so it ignores n).
 */
function lossDerivative(loss: LossName, y: number, t: number, n: number): number {
  switch (loss) {
    case 'half-sse': return y - t; // d/dy ½(t − y)² = y − t
    case 'mse': return n === 1 ? 2 * (y - t) : (2 * (y - t)) / n; // d/dy (y − t)²/n
    case 'l1': return n === 1 ? Math.sign(y - t) : Math.sign(y - t) / n; // d/dy |y − t|/n, sign(0) = 0
    case 'bce':
    case 'cross-entropy': return n === 1 ? y - t : (y - t) / n; // σ(z) − t, softmax(z) − t
  }
}

/** How many values the batch loss averages over (1: a plain sum). */
function lossDivisor(loss: LossName, outputs: number, samples: number): number {
  if (loss === 'half-sse') return 1;
  return loss === 'cross-entropy' ? samples : outputs * samples;
}

/** Forward and backward pass for one sample; n is the loss's divisor for the whole batch. */
function runSample(spec: Spec, params: LayerParams[], sample: number, n: number): SampleTrace {
  const { activations, loss } = spec.model;
  const inputs = [...spec.data.inputs[sample]];
  const targets = [...spec.data.targets[sample]];
  const L = params.length;
  const z: number[][] = [];
  const a: number[][] = [];
  // Forward: z_j = w[j][0]·a[0] + w[j][1]·a[1] + … (+ b[j] last), a_j = f(z_j).
  let prev = inputs;
  for (let l = 0; l < L; l++) {
    const { weight, bias } = params[l];
    const zl: number[] = [];
    const al: number[] = [];
    for (let j = 0; j < weight.length; j++) {
      let acc = weight[j][0] * prev[0];
      for (let i = 1; i < prev.length; i++) acc = acc + weight[j][i] * prev[i];
      if (bias) acc = acc + bias[j];
      zl.push(acc);
      al.push(activate(activations[l], acc));
    }
    z.push(zl);
    a.push(al);
    prev = al;
  }
  const zOut = z[L - 1];
  let lse: number | null = null;
  let probs: number[] | null = null;
  if (loss === 'cross-entropy') {
    // Softmax from the largest sum: lse = m + ln Σ e^(z − m), p_k = e^(z_k − lse).
    const m = Math.max(...zOut);
    let acc = Math.exp(zOut[0] - m);
    for (let k = 1; k < zOut.length; k++) acc = acc + Math.exp(zOut[k] - m);
    lse = m + Math.log(acc);
    probs = zOut.map((zk) => Math.exp(zk - lse!));
  }
  const y = probs ?? a[L - 1];
  const lossTerms = y.map((yk, k) => lossTerm(loss, yk, targets[k], zOut[k], lse ?? 0));
  // Backward: δ = ∂loss/∂z per layer, from the output down.
  const delta: number[][] = new Array(L);
  const fOut = activations[L - 1];
  const logits = loss === 'bce' || loss === 'cross-entropy';
  // Output layer: δ_k = ∂loss/∂y_k · f'(z_k) (just ∂loss/∂y_k for identity, and for the logit losses' ∂loss/∂z_k).
  delta[L - 1] = y.map((yk, k) => {
    const dy = lossDerivative(loss, yk, targets[k], n);
    return fOut === 'identity' || logits ? dy : dy * derivative(fOut, z[L - 1][k], yk);
  });
  // Hidden layer l: δ_j = (Σ_k w_next[k][j]·δ_next[k]) · f'(z_j).
  for (let l = L - 2; l >= 0; l--) {
    const wNext = params[l + 1].weight;
    const dNext = delta[l + 1];
    delta[l] = z[l].map((zj, j) => {
      let acc = wNext[0][j] * dNext[0];
      for (let k = 1; k < dNext.length; k++) acc = acc + wNext[k][j] * dNext[k];
      return acc * derivative(activations[l], zj, a[l][j]);
    });
  }
  return { sample, inputs, targets, z, a, lossTerms, delta, lse, probs };
}

/** ∂L/∂w[j][i] = Σ_s δ_j[s]·a_prev_i[s] and ∂L/∂b[j] = Σ_s δ_j[s], samples in trace order, left to right. */
function gradient(params: LayerParams[], traces: SampleTrace[]): LayerParams[] {
  return params.map((p, l) => {
    const prevOf = (t: SampleTrace) => (l === 0 ? t.inputs : t.a[l - 1]);
    const weight = p.weight.map((row, j) => row.map((_, i) => {
      let acc = traces[0].delta[l][j] * prevOf(traces[0])[i];
      for (let s = 1; s < traces.length; s++) acc = acc + traces[s].delta[l][j] * prevOf(traces[s])[i];
      return acc;
    }));
    const bias = p.bias ? p.bias.map((_, j) => {
      let acc = traces[0].delta[l][j];
      for (let s = 1; s < traces.length; s++) acc = acc + traces[s].delta[l][j];
      return acc;
    }) : null;
    return { weight, bias };
  });
}

/** The batch loss: the sum of all terms / n (half-SSE: n = 1, a plain sum; no division when n = 1). */
function batchLoss(loss: LossName, traces: SampleTrace[], n: number): number {
  let acc: number | null = null;
  for (const t of traces) for (const term of t.lossTerms) acc = acc === null ? term : acc + term;
  const sum = acc as number;
  return n === 1 ? sum : sum / n;
}

/** Applies f(p, g, v) to every parameter, keeping the shape; v may be null. */
function mapParams(p: LayerParams[], g: LayerParams[], v: LayerParams[] | null, f: (p: number, g: number, v: number) => number): LayerParams[] {
  return p.map((layer, l) => ({
    weight: layer.weight.map((row, j) => row.map((w, i) => f(w, g[l].weight[j][i], v ? v[l].weight[j][i] : 0))),
    bias: layer.bias ? layer.bias.map((b, j) => f(b, g[l].bias![j], v ? v[l].bias![j] : 0)) : null,
  }));
}

/** SGD's velocity as layers (what the sheet calls v_w), or null for other optimizers and plain SGD. */
function velocityOf(spec: Spec, state: OptState): LayerParams[] | null {
  const v = state.buffers.v;
  return spec.optimizer.kind === 'sgd' && v ? unflattenParams(v, spec.model.layers, spec.model.bias) : null;
}

/** An SGD velocity (as the tests and the page pass it) or a whole optimizer state, as a state. */
function asState(spec: Spec, params: LayerParams[], velocity: LayerParams[] | OptState | null): OptState {
  if (velocity && !Array.isArray(velocity)) return velocity;
  const state = initialState(spec.optimizer, flattenParams(params).length);
  if (velocity && state.buffers.v) state.buffers.v = flattenParams(velocity);
  return state;
}

/** One optimizer update from the given samples. */
function update(spec: Spec, params: LayerParams[], state: OptState, lr: number, momentum: number, samples: number[]): UpdateTrace {
  const { layers, bias, loss: lossName } = spec.model;
  const n = lossDivisor(lossName, layers[layers.length - 1], samples.length);
  const traces = samples.map((s) => runSample(spec, params, s, n));
  const loss = batchLoss(lossName, traces, n);
  const grad = gradient(params, traces);
  const stepped = optimizerStep(spec.optimizer, lr, momentum, flattenParams(params), flattenParams(grad), state);
  return { traces, loss, grad, velocity: velocityOf(spec, stepped.state), state: stepped.state, extras: stepped.extras, params: unflattenParams(stepped.w, layers, bias) };
}

/**
 * One epoch: full mode one update from all samples; sample mode one update per entry of `order`. `velocity` is the
 * optimizer state the epoch starts from: SGD's velocity as layers (null: zeros) or any optimizer's OptState.
 */
export function trainEpoch(spec: Spec, params: LayerParams[], velocity: LayerParams[] | OptState | null, lr: number, momentum: number, order: number[] | null): EpochTrace {
  const state = asState(spec, params, velocity);
  if (spec.batch === 'full') {
    return { updates: [update(spec, params, state, lr, momentum, spec.data.inputs.map((_, s) => s))] };
  }
  if (!order) throw new Error('trainEpoch: sample mode needs the epoch\'s sample order');
  const updates: UpdateTrace[] = [];
  let p = params;
  let st = state;
  for (const s of order) {
    const u = update(spec, p, st, lr, momentum, [s]);
    updates.push(u);
    p = u.params;
    st = u.state;
  }
  return { updates };
}

/** Trains epochs 0 .. spec.epochs-1 from `initial`; the epoch loss is the (last) update's loss, as the notebook prints. */
export function trainReference(
  spec: Spec,
  initial: LayerParams[],
  order: number[][] | null,
  onEpoch?: (epoch: number, startParams: LayerParams[], startVelocity: LayerParams[] | null, trace: EpochTrace, startState: OptState) => void,
): ReferenceRun {
  const { lr, momentum } = spec.optimizer;
  if (spec.batch === 'sample' && (!order || order.length < spec.epochs)) {
    throw new Error(`trainReference: sample mode needs an order for ${spec.epochs} epochs`);
  }
  let params = mapParams(initial, initial, null, (w) => w); // a copy, so the caller's weights are never shared
  let velocity: LayerParams[] | null = null;
  let state = initialState(spec.optimizer, flattenParams(initial).length);
  const epochLoss: number[] = [];
  let gradients0: LayerParams[] | null = null;
  for (let e = 0; e < spec.epochs; e++) {
    const trace = trainEpoch(spec, params, state, lr, momentum, spec.batch === 'sample' ? order![e] : null);
    onEpoch?.(e, params, velocity, trace, state);
    const last = trace.updates[trace.updates.length - 1];
    if (gradients0 === null) gradients0 = trace.updates[0].grad;
    epochLoss.push(last.loss);
    params = last.params;
    velocity = last.velocity;
    state = last.state;
  }
  return { epochLoss, gradients0: gradients0!, final: params, finalVelocity: velocity, finalState: state };
}
