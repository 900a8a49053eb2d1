import type { ActivationName, LossName } from '../spec/types';

/**
 * The losses, each with its spreadsheet formulas and a plain-language explanation.
 * `y` is an output cell, `t` its target; `n` is how many values the loss averages over (`divisor`).
 */
export interface Loss {
  name: LossName;
  /** The course writes the half-SSE as E; PyTorch losses are written L. */
  symbol: 'E' | 'L';
  /**
   * One output's term. `c.y` the output (the sigmoid's or softmax's probability for bce and cross-entropy), `c.t` its
   * target, `c.z` the output unit's weighted sum (the logit), `c.lse` the sample's log-sum-exp cell (softmax only).
   */
  term: (c: { y: string; t: string; z: string; lse: string }) => string;
  /** The loss from its terms (in order). */
  total: (terms: string[], n: number) => string;
  /**
   * ∂loss/∂y for one output; for a loss with `outputActivation` it is ∂loss/∂z, the activation's (or softmax's)
   * slope already folded in, so the output delta has no separate slope factor.
   */
  gradient: (y: string, t: string, n: number) => string;
  /** The same expression as `gradient`, as a number (a factor of the chain-rule breakdown). */
  slope: (y: number, t: number, n: number) => number;
  /** How many values the loss averages over: outputs × samples of the batch for a mean, 1 for a plain sum. */
  divisor: (outputs: number, samples: number) => number;
  /** The output layer's activation the loss needs (the logits form); undefined when any will do. */
  outputActivation?: ActivationName;
  outputNote?: string;
  /** The loss puts a softmax over the outputs (cells lse and p_o1 …) and reads its probabilities as y. */
  softmax?: boolean;
  explain: string;
}

const overN = (expr: string, n: number) => (n === 1 ? expr : `${expr}/${n}`);
const sum = (terms: string[]) => terms.join('+');

export const LOSS_REGISTRY: Record<LossName, Loss> = {
  'half-sse': {
    name: 'half-sse',
    symbol: 'E',
    term: ({ y, t }) => `0.5*(${t}-${y})^2`,
    total: (terms) => sum(terms),
    // ∂/∂y ½(t − y)² = y − t: the ½ is there to cancel the 2.
    gradient: (y, t) => `(${y}-${t})`,
    slope: (y, t) => y - t,
    divisor: () => 1,
    explain: 'Half the sum of squared errors, ½Σ(t − y)², as in the course sheets. Its derivative is simply y − t, the output\'s error.',
  },
  mse: {
    name: 'mse',
    symbol: 'L',
    term: ({ y, t }) => `(${y}-${t})^2`,
    total: (terms, n) => overN(n === 1 ? sum(terms) : `(${sum(terms)})`, n),
    gradient: (y, t, n) => overN(`2*(${y}-${t})`, n),
    slope: (y, t, n) => (2 * (y - t)) / n,
    divisor: (outputs, samples) => outputs * samples,
    explain: 'Mean squared error, PyTorch MSELoss: the mean of (y − t)² over every output of every sample. Large errors count quadratically; the gradient 2(y − t)/n shrinks as the output nears its target.',
  },
  l1: {
    name: 'l1',
    symbol: 'L',
    term: ({ y, t }) => `ABS(${y}-${t})`,
    total: (terms, n) => overN(n === 1 ? sum(terms) : `(${sum(terms)})`, n),
    // |x| has no derivative at 0; PyTorch (and SIGN) take 0 there, so an exact hit gives a zero gradient.
    gradient: (y, t, n) => overN(`SIGN(${y}-${t})`, n),
    slope: (y, t, n) => Math.sign(y - t) / n,
    divisor: (outputs, samples) => outputs * samples,
    explain: 'Mean absolute error, PyTorch L1Loss: the mean of |y − t|. Its gradient is ±1/n whatever the size of the error (0 on an exact hit), so steps do not shrink as the output nears its target.',
  },
  bce: {
    name: 'bce',
    symbol: 'L',
    // PyTorch's BCEWithLogitsLoss from the logit z: max(z, 0) − z·t + ln(1 + e^−|z|), which never takes the log of
    // 0 and never overflows, unlike −t·ln(σ(z)) − (1 − t)·ln(1 − σ(z)).
    term: ({ z, t }) => `MAX(${z},0)-${z}*${t}+LN(1+EXP(-ABS(${z})))`,
    total: (terms, n) => overN(n === 1 ? sum(terms) : `(${sum(terms)})`, n),
    // ∂/∂z of the term is σ(z) − t: the sigmoid's slope cancels against the log's.
    gradient: (y, t, n) => overN(`(${y}-${t})`, n),
    slope: (y, t, n) => (y - t) / n,
    divisor: (outputs, samples) => outputs * samples,
    outputActivation: 'sigmoid',
    outputNote: 'binary cross-entropy reads the output sigmoid\'s logit, as BCEWithLogitsLoss does',
    explain: 'Binary cross-entropy, PyTorch BCEWithLogitsLoss: −t·ln(a) − (1 − t)·ln(1 − a) for a sigmoid output a = σ(z), averaged over every output of every sample, written from z as max(z, 0) − z·t + ln(1 + e^−|z|) so it never takes the log of 0. A confident wrong answer costs a lot. Its slope with respect to z is simply (a − t)/n: the sigmoid\'s slope cancels.',
  },
  'cross-entropy': {
    name: 'cross-entropy',
    symbol: 'L',
    // −t·ln(p) with ln(p_k) = z_k − lse, lse = ln Σ e^z (log-softmax, as PyTorch computes it).
    term: ({ z, t, lse }) => `${t}*(${lse}-${z})`,
    total: (terms, n) => overN(n === 1 ? sum(terms) : `(${sum(terms)})`, n),
    // ∂/∂z_k of −Σ t_j·ln p_j is p_k − t_k when the targets add up to 1.
    gradient: (y, t, n) => overN(`(${y}-${t})`, n),
    slope: (y, t, n) => (y - t) / n,
    divisor: (_outputs, samples) => samples,
    outputActivation: 'identity',
    outputNote: 'cross-entropy puts its own softmax on the output layer\'s weighted sums (the logits), as CrossEntropyLoss does',
    softmax: true,
    explain: 'Softmax with cross-entropy, PyTorch CrossEntropyLoss: the softmax turns the outputs into probabilities p_k = e^z_k/Σe^z, and the loss is −Σ t_k·ln(p_k), averaged over the samples (ln p_k is computed as z_k − lse, lse = ln Σe^z, so it never takes the log of 0). Its slope with respect to each output sum is simply (p_k − t_k)/n.',
  },
};
