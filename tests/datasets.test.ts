import { describe, expect, it } from 'vitest';
import { DATASET_NAMES, DATASETS } from '../src/data/datasets';
import { loadPreset } from '../src/spec/presets';
import { initialParams } from '../src/spec/resolve';
import { parseSpec } from '../src/spec/validate';
import { INIT_KINDS } from '../src/spec/types';

/** The data sets of the network editor and the ways to draw starting weights. */

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
};

describe('data sets', () => {
  it('XOR and the Session 2 sample are the class values (the presets hold them as the course gives them)', () => {
    expect(DATASETS.xor.make(0, 0)).toEqual(loadPreset('end2-xor-44').data);
    expect(DATASETS.session2.make(0, 0)).toEqual(loadPreset('end2-backprop-2-2-2').data);
  });

  it('AND and OR are their truth tables', () => {
    const t = (name: 'and' | 'or') => DATASETS[name].make(0, 0).targets.map((r) => r[0]);
    expect(t('and')).toEqual([0, 0, 0, 1]);
    expect(t('or')).toEqual([0, 1, 1, 1]);
  });

  it('a generated set has the samples asked for, half of each class, the same for a seed and other for another', () => {
    for (const name of DATASET_NAMES.filter((n) => DATASETS[n].generated)) {
      const a = DATASETS[name].make(41, 7);
      expect(a.inputs).toHaveLength(41);
      expect(a.targets.filter((t) => t[0] === 1)).toHaveLength(21);
      expect(a.targets.filter((t) => t[0] === 0)).toHaveLength(20);
      expect(DATASETS[name].make(41, 7)).toEqual(a);
      expect(DATASETS[name].make(41, 8).inputs).not.toEqual(a.inputs);
      // Every one is a valid spec's data, for a network with the outputs the set says.
      expect(() => parseSpec({ model: { layers: [2, 3, DATASETS[name].outputs], activations: ['sigmoid', 'sigmoid'], loss: 'mse' }, data: a, optimizer: { lr: 1 }, batch: 'full', epochs: 2 })).not.toThrow();
    }
  });

  it('circle: class 1 within radius 0.5, class 0 from 0.7 to 1 (to the three decimals the points keep)', () => {
    const d = DATASETS.circle.make(200, 3);
    d.inputs.forEach(([x, y], i) => {
      const r = Math.hypot(x, y);
      if (d.targets[i][0] === 1) expect(r).toBeLessThanOrEqual(0.5 + 1e-3);
      else {
        expect(r).toBeGreaterThanOrEqual(0.7 - 1e-3);
        expect(r).toBeLessThanOrEqual(1 + 1e-3);
      }
    });
  });

  it('two gaussians: each class centred on its corner', () => {
    const d = DATASETS.gaussians.make(400, 1);
    const xs = (cls: number) => d.inputs.filter((_, i) => d.targets[i][0] === cls).map((p) => p[0]);
    expect(Math.abs(mean(xs(1)) - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(mean(xs(0)) + 0.5)).toBeLessThan(0.06);
    expect(Math.sqrt(variance(xs(1)))).toBeGreaterThan(0.2);
    expect(Math.sqrt(variance(xs(1)))).toBeLessThan(0.3);
  });

  it('spiral: the arms are point reflections of each other (θ and θ + π), radius growing to 1', () => {
    const d = DATASETS.spiral.make(100, 2);
    const ones = d.inputs.slice(0, 50);
    const zeros = d.inputs.slice(50);
    ones.forEach(([x, y], i) => {
      // Noise of σ 0.02 on each point: the reflection holds to well within 0.2.
      expect(Math.hypot(x + zeros[i][0], y + zeros[i][1])).toBeLessThan(0.2);
    });
    expect(Math.hypot(...ones[49])).toBeGreaterThan(0.9);
    expect(Math.hypot(...ones[0])).toBeLessThan(0.2);
  });
});

describe('starting weights', () => {
  const spec = (init: string, layers = [64, 64, 1]) => parseSpec({
    model: { layers, bias: true, activations: ['relu', 'identity'], loss: 'mse' },
    data: { inputs: [Array(layers[0]).fill(0)], targets: [[0]] },
    optimizer: { lr: 0.1 }, batch: 'full', epochs: 1, seed: 5, init: { weights: init, biases: init },
  });
  const firstLayer = (init: string) => initialParams(spec(init))[0].weight.flat();

  it('every kind is accepted by the spec', () => {
    for (const kind of INIT_KINDS) expect(spec(kind).init.weights).toBe(kind);
  });

  it('Xavier: uniform within ±√(6/(fan_in + fan_out)), variance bound²/3 (torch.nn.init.xavier_uniform_)', () => {
    const bound = Math.sqrt(6 / (64 + 64));
    const w = firstLayer('xavier');
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(variance(w) / (bound ** 2 / 3)).toBeGreaterThan(0.93);
    expect(variance(w) / (bound ** 2 / 3)).toBeLessThan(1.07);
  });

  it('Kaiming: normal, mean 0 and variance 2/fan_in (torch.nn.init.kaiming_normal_)', () => {
    const w = firstLayer('kaiming');
    expect(Math.abs(mean(w))).toBeLessThan(0.02);
    expect(variance(w) / (2 / 64)).toBeGreaterThan(0.93);
    expect(variance(w) / (2 / 64)).toBeLessThan(1.07);
  });

  it('PyTorch default stays within ±1/√fan_in; zeros are zeros', () => {
    expect(Math.max(...firstLayer('pytorch-uniform').map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(firstLayer('zeros').every((x) => x === 0)).toBe(true);
  });
});
