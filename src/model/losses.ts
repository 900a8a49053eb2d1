import type { LossName } from '../spec/types';

/**
 * The losses, each with its spreadsheet formulas and a plain-language explanation.
 * `y` is an output cell, `t` its target; `n` is how many output values the loss averages over.
 */
export interface Loss {
  name: LossName;
  /** The course writes the half-SSE as E; PyTorch losses are written L. */
  symbol: 'E' | 'L';
  /** One output's term. */
  term: (y: string, t: string) => string;
  /** The loss from its terms (in order). */
  total: (terms: string[], n: number) => string;
  /** ∂loss/∂y for one output. */
  gradient: (y: string, t: string, n: number) => string;
  /** ∂loss/∂y as a number, the same expression as `gradient` (a factor of the chain-rule breakdown). */
  slope: (y: number, t: number, n: number) => number;
  explain: string;
}

const overN = (expr: string, n: number) => (n === 1 ? expr : `${expr}/${n}`);
const sum = (terms: string[]) => terms.join('+');

export const LOSS_REGISTRY: Record<LossName, Loss> = {
  'half-sse': {
    name: 'half-sse',
    symbol: 'E',
    term: (y, t) => `0.5*(${t}-${y})^2`,
    total: (terms) => sum(terms),
    // ∂/∂y ½(t − y)² = y − t: the ½ is there to cancel the 2.
    gradient: (y, t) => `(${y}-${t})`,
    slope: (y, t) => y - t,
    explain: 'Half the sum of squared errors, ½Σ(t − y)², as in the course sheets. Its derivative is simply y − t, the output\'s error.',
  },
  mse: {
    name: 'mse',
    symbol: 'L',
    term: (y, t) => `(${y}-${t})^2`,
    total: (terms, n) => overN(n === 1 ? sum(terms) : `(${sum(terms)})`, n),
    gradient: (y, t, n) => overN(`2*(${y}-${t})`, n),
    slope: (y, t, n) => (2 * (y - t)) / n,
    explain: 'Mean squared error, PyTorch MSELoss: the mean of (y − t)² over every output of every sample. Large errors count quadratically; the gradient 2(y − t)/n shrinks as the output nears its target.',
  },
  l1: {
    name: 'l1',
    symbol: 'L',
    term: (y, t) => `ABS(${y}-${t})`,
    total: (terms, n) => overN(n === 1 ? sum(terms) : `(${sum(terms)})`, n),
    // |x| has no derivative at 0; PyTorch (and SIGN) take 0 there, so an exact hit gives a zero gradient.
    gradient: (y, t, n) => overN(`SIGN(${y}-${t})`, n),
    slope: (y, t, n) => Math.sign(y - t) / n,
    explain: 'Mean absolute error, PyTorch L1Loss: the mean of |y − t|. Its gradient is ±1/n whatever the size of the error (0 on an exact hit), so steps do not shrink as the output nears its target.',
  },
};
