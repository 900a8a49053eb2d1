import type { ActivationName } from '../spec/types';

/**
 * The activation functions, each with its spreadsheet formula, its derivative formula and a plain-language
 * explanation. `z` and `a` are the texts of the pre-activation and activation cells (A1 addresses or names).
 * Adding an activation means adding one entry here (and its tests).
 */
export interface Activation {
  name: ActivationName;
  /** f(z) in plain JavaScript, for views that draw the network's output between sheet rows (the heat map). */
  evaluate: (z: number) => number;
  /** Spreadsheet expression of a = f(z); null when a = z, so the layout needs no activation cell. */
  formula: ((z: string) => string) | null;
  /** Spreadsheet expression of f'(z), written with a = f(z) where that is how people write it; null when f'(z) = 1. */
  derivative: ((z: string, a: string) => string) | null;
  /** f'(z) as a number, the same expression as `derivative` (the chain-rule breakdown shows it as a factor). */
  slope: (z: number, a: number) => number;
  explain: string;
}

export const ACTIVATION_REGISTRY: Record<ActivationName, Activation> = {
  sigmoid: {
    name: 'sigmoid',
    evaluate: (z) => 1 / (1 + Math.exp(-z)),
    formula: (z) => `1/(1+EXP(-${z}))`,
    // σ'(z) = σ(z)·(1 − σ(z))
    derivative: (_z, a) => `(${a}*(1-${a}))`,
    slope: (_z, a) => a * (1 - a),
    explain: 'σ(z) = 1/(1+e^−z) squashes any number into (0, 1). Its slope σ(z)(1−σ(z)) is at most 0.25, so each sigmoid layer shrinks the gradient flowing back through it.',
  },
  tanh: {
    name: 'tanh',
    evaluate: Math.tanh,
    formula: (z) => `TANH(${z})`,
    // tanh'(z) = 1 − tanh(z)²
    derivative: (_z, a) => `(1-${a}^2)`,
    slope: (_z, a) => 1 - a ** 2,
    explain: 'tanh(z) squashes any number into (−1, 1) and is 0 at 0. Its slope 1 − tanh(z)² is 1 at z = 0 and vanishes for large |z| (a saturated unit barely learns).',
  },
  relu: {
    name: 'relu',
    evaluate: (z) => Math.max(0, z),
    formula: (z) => `MAX(0,${z})`,
    // relu'(z) = 1 for z > 0, else 0 (PyTorch takes 0 at z = 0)
    derivative: (z) => `IF(${z}>0,1,0)`,
    slope: (z) => (z > 0 ? 1 : 0),
    explain: 'ReLU passes positive numbers through and turns negative ones into 0. Its slope is 1 or 0 (0 at z = 0, as in PyTorch): a unit whose input is negative for every sample passes no gradient ("dead").',
  },
  identity: {
    name: 'identity',
    evaluate: (z) => z,
    formula: null,
    derivative: null,
    slope: () => 1,
    explain: 'No activation: the unit outputs its weighted sum unchanged (slope 1). The END2 assignment removes the last activation so the output can take any value.',
  },
};
