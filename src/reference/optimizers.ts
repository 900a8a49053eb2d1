/**
 * The reference trainer's optimizers: torch.optim's single-tensor update rules (torch 1.13) in plain float64, on flat
 * parameter vectors, written in the order of operations the sheet's cells use so both can agree to the last bit.
 * On purpose independent of src/model/optimizers.ts (the registry the layout builds cells from).
 */
import type { OptimizerSpec } from '../spec/types';

/** The optimizer state after `step` updates: named buffers, one number per parameter (run-file order). */
export interface OptState {
  step: number;
  buffers: Record<string, number[]>;
}

/** The buffers each kind keeps, in the order the sheet shows them, and their start values. */
export function stateKeys(o: OptimizerSpec): string[] {
  switch (o.kind) {
    case 'sgd': return o.momentum !== 0 ? ['v'] : [];
    case 'adagrad': return ['G'];
    case 'rmsprop': return ['v', ...(o.centered ? ['m'] : []), ...(o.momentum !== 0 ? ['b'] : [])];
    case 'adam':
    case 'adamw': return ['m', 'v'];
  }
}

export function initialState(o: OptimizerSpec, count: number): OptState {
  const start = (key: string) => (o.kind === 'adagrad' && key === 'G' ? o.initial_accumulator_value : 0);
  return { step: 0, buffers: Object.fromEntries(stateKeys(o).map((k) => [k, new Array<number>(count).fill(start(k))])) };
}

/**
 * One update of every parameter. `lr` and `momentum` are the row's (the sheet lets a user edit them per row); the
 * other hyper-parameters come from `o`.
 */
export function optimizerStep(o: OptimizerSpec, lr: number, momentum: number, w: number[], g: number[], state: OptState): { w: number[]; state: OptState; extras: Record<string, number[]> } {
  const t = state.step + 1;
  const old = state.buffers;
  const next: Record<string, number[]> = Object.fromEntries(Object.keys(old).map((k) => [k, new Array<number>(w.length)]));
  const out = new Array<number>(w.length);
  // Adam's bias-corrected moments, per parameter.
  const extras: Record<string, number[]> = o.kind === 'adam' || o.kind === 'adamw' ? { 'm̂': [], 'v̂': [] } : {};
  const wd = o.weight_decay;
  const [b1, b2] = o.betas;
  const eps = o.eps;
  for (let i = 0; i < w.length; i++) {
    // PyTorch's weight_decay (all but AdamW): g ← g + λ·w.
    const gi = wd !== 0 && o.kind !== 'adamw' ? g[i] + wd * w[i] : g[i];
    switch (o.kind) {
      case 'sgd': {
        if (momentum === 0 && !('v' in old)) {
          out[i] = w[i] - lr * gi;
          break;
        }
        // buf ← μ·buf + g (first step buf = g, the same from v = 0 with no dampening); w ← w − lr·buf (Nesterov: g + μ·buf).
        const v = momentum * old.v[i] + gi;
        next.v[i] = v;
        out[i] = o.nesterov ? w[i] - lr * (gi + momentum * v) : w[i] - lr * v;
        break;
      }
      case 'adagrad': {
        const G = old.G[i] + gi * gi;
        next.G[i] = G;
        const clr = o.lr_decay !== 0 ? lr / (1 + (t - 1) * o.lr_decay) : lr;
        out[i] = w[i] - clr * (gi / (Math.sqrt(G) + eps));
        break;
      }
      case 'rmsprop': {
        const a = o.alpha;
        const v = a * old.v[i] + (1 - a) * gi * gi;
        next.v[i] = v;
        let denom: number;
        if (o.centered) {
          const m = a * old.m[i] + (1 - a) * gi;
          next.m[i] = m;
          denom = Math.sqrt(v - m * m) + eps;
        } else {
          denom = Math.sqrt(v) + eps;
        }
        if ('b' in old) {
          const b = momentum * old.b[i] + gi / denom;
          next.b[i] = b;
          out[i] = w[i] - lr * b;
        } else {
          out[i] = w[i] - lr * (gi / denom);
        }
        break;
      }
      case 'adam':
      case 'adamw': {
        const m = b1 * old.m[i] + (1 - b1) * gi;
        const v = b2 * old.v[i] + (1 - b2) * gi * gi;
        next.m[i] = m;
        next.v[i] = v;
        const mHat = m / (1 - Math.pow(b1, t));
        const vHat = v / (1 - Math.pow(b2, t));
        extras['m̂'][i] = mHat;
        extras['v̂'][i] = vHat;
        // AdamW decays the weight itself first: w ← w·(1 − lr·λ).
        const start = o.kind === 'adamw' && wd !== 0 ? w[i] * (1 - lr * wd) : w[i];
        out[i] = start - lr * mHat / (Math.sqrt(vHat) + eps);
        break;
      }
    }
  }
  return { w: out, state: { step: t, buffers: next }, extras };
}
