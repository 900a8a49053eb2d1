import { describe, expect, it } from 'vitest';
import { E_TOTAL_BY_LR, ITERATIONS } from './support/golden';
import fixtures from './fixtures/torch_fixtures.json';
import { trainEpoch, trainReference, type EpochTrace, type OptState } from '../src/reference/trainer';
import { loadPreset } from '../src/spec/presets';
import { flattenParams, initialParams, sampleOrder } from '../src/spec/resolve';
import { parseSpec, withOverrides } from '../src/spec/validate';
import type { LayerParams } from '../src/spec/types';

/** |a − b| relative to the larger magnitude (0 when equal, including both 0). */
function relErr(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}
function maxRelErr(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(0, ...a.map((x, i) => relErr(x, b[i])));
}

describe('reference trainer: the END2 Session 2 backprop sheet (end2-backprop-2-2-2)', () => {
  const spec = loadPreset('end2-backprop-2-2-2');

  it('reproduces the iteration-0 golden values and the weights after one step at η = 0.5', () => {
    let epoch0: EpochTrace | null = null;
    trainReference(withOverrides(spec, { epochs: 1, lr: 0.5 }), initialParams(spec), null, (e, _p, _v, trace) => {
      if (e === 0) epoch0 = trace;
    });
    const u = (epoch0 as EpochTrace | null)!.updates[0];
    const t = u.traces[0];
    const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(1e-9);
    near(t.z[0][0], 0.0275); // h1
    near(t.a[0][0], 0.5068745668); // a_h1
    near(t.z[0][1], 0.0425); // h2
    near(t.a[0][1], 0.510623401); // a_h2
    near(t.z[1][0], 0.4325303572); // o1
    near(t.a[1][0], 0.6064777322); // a_o1
    near(t.z[1][1], 0.5342801539); // o2
    near(t.a[1][1], 0.6304808355); // a_o2
    near(t.lossTerms[0], 0.1778928425); // E1
    near(t.lossTerms[1], 0.06462701484); // E2
    near(u.loss, 0.2425198573); // E_total
    // flattenParams order is w1..w8: h1←i1, h1←i2, h2←i1, h2←i2, o1←a_h1, o1←a_h2, o2←a_h1, o2←a_h2.
    const grads = [1.882556669e-4, 3.765113339e-4, 2.248134626e-4, 4.496269252e-4,
      0.07215707291, 0.07269074519, -0.04245525009, -0.04276924828];
    flattenParams(u.grad).forEach((g, i) => near(g, grads[i]));
    const after = [0.1499058722, 0.1998117443, 0.2498875933, 0.2997751865,
      0.3639214635, 0.4136546274, 0.521227625, 0.5713846241];
    flattenParams(u.params).forEach((w, i) => near(w, after[i]));
    expect(u.velocity).toBeNull();
    expect(u.grad.every((l) => l.bias === null)).toBe(true);
  });

  for (const [eta, want] of Object.entries(E_TOTAL_BY_LR)) {
    it(`matches the E_total table at η = ${eta}`, () => {
      const s = withOverrides(spec, { lr: Number(eta), epochs: 51 });
      const run = trainReference(s, initialParams(s), null);
      ITERATIONS.forEach((it, k) => expect(Math.abs(run.epochLoss[it] - want[k])).toBeLessThan(1e-9));
    });
  }
});

describe('reference trainer against PyTorch float64 (tests/fixtures/torch_fixtures.json)', () => {
  /**
   * Relative tolerances per fixture. Full-batch runs: 1e-12 on everything. Single-sample runs: every epoch's loss to
   * 1e-9, gradients0 and final params to 1e-12, except where noted. Measured when the fixtures were generated
   * (max relative error, loss / gradients0 / final):
   *   end2-xor-44 sample 30              5.0e-15 / 2.5e-14 / 1.7e-15  (L1 signs never part in these 30 epochs)
   *   end2-xor-44 full 50                8.5e-16 / 3.2e-14 / 1.9e-15
   *   end2-xor-9 sample 30               4.8e-13 / 3.7e-16 / 2.9e-15
   *   end2-course-xor-2-2-1 sample 30    1.4e-12 / 1.6e-16 / 1.0e-12  (lr 2 on saturated tanh amplifies last-bit
   *                                      differences; the losses near 1e-7 lose digits to cancellation in y − t)
   *   sig-relu-2-3-2 full 20             6.3e-16 / 2.1e-16 / 3.7e-16
   */
  const tolerances: Record<string, { loss: number; grad: number; final: number }> = {
    'end2-xor-44 sample 30': { loss: 1e-9, grad: 1e-12, final: 1e-12 },
    'end2-xor-44 full 50': { loss: 1e-12, grad: 1e-12, final: 1e-12 },
    'end2-xor-9 sample 30': { loss: 1e-9, grad: 1e-12, final: 1e-12 },
    'end2-course-xor-2-2-1 sample 30': { loss: 1e-9, grad: 1e-12, final: 1e-11 },
    'sig-relu-2-3-2 full 20': { loss: 1e-12, grad: 1e-12, final: 1e-12 },
  };

  interface Fixture { name: string; spec: unknown; epochLoss: number[]; gradients0: LayerParams[]; final: LayerParams[] }
  const cases = (fixtures as { cases: Fixture[] }).cases;

  it('covers every fixture it has a tolerance for', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(tolerances).sort());
  });

  for (const c of cases) {
    it(`agrees with PyTorch on ${c.name}`, () => {
      const tol = tolerances[c.name];
      const spec = parseSpec(c.spec);
      const run = trainReference(spec, initialParams(spec), sampleOrder(spec));
      expect(run.epochLoss.length).toBe(c.epochLoss.length);
      expect(maxRelErr(run.epochLoss, c.epochLoss)).toBeLessThan(tol.loss);
      expect(maxRelErr(flattenParams(run.gradients0), flattenParams(c.gradients0))).toBeLessThan(tol.grad);
      expect(maxRelErr(flattenParams(run.final), flattenParams(c.final))).toBeLessThan(tol.final);
    });
  }
});

describe('reference trainer: structure', () => {
  it('trains the 44 parameters of end2-xor-44', () => {
    const spec = withOverrides(loadPreset('end2-xor-44'), { epochs: 2 });
    const run = trainReference(spec, initialParams(spec), sampleOrder(spec));
    expect(flattenParams(run.final)).toHaveLength(44);
    expect(flattenParams(run.gradients0)).toHaveLength(44);
    expect(flattenParams(run.finalVelocity!)).toHaveLength(44);
    expect(run.epochLoss).toHaveLength(2);
  });

  it('makes stepsPerEpoch single-sample updates chained through params and velocity, and does not mutate its input', () => {
    const spec = withOverrides(loadPreset('end2-xor-9'), { epochs: 3 });
    const initial = initialParams(spec);
    const before = JSON.stringify(initial);
    const order = sampleOrder(spec)!;
    const epochs: EpochTrace[] = [];
    const run = trainReference(spec, initial, order, (_e, _p, _v, trace) => epochs.push(trace));
    expect(JSON.stringify(initial)).toBe(before);
    // Replaying epoch by epoch with trainEpoch gives the same numbers.
    let p = initial;
    let v: OptState | null = null;
    for (let e = 0; e < 3; e++) {
      const trace = trainEpoch(spec, p, v, spec.optimizer.lr, spec.optimizer.momentum, order[e]);
      expect(trace.updates).toHaveLength(4);
      expect(trace.updates.map((u) => u.traces[0].sample)).toEqual(order[e]);
      expect(trace).toEqual(epochs[e]);
      p = trace.updates[3].params;
      v = trace.updates[3].state;
    }
    expect(p).toEqual(run.final);
    expect(v).toEqual(run.finalState);
  });

  it('has gradients that match central finite differences of its own loss', () => {
    const spec = parseSpec((fixtures as { cases: Array<{ name: string; spec: unknown }> }).cases
      .find((c) => c.name === 'sig-relu-2-3-2 full 20')!.spec);
    const one = withOverrides(spec, { epochs: 1 });
    const p0 = initialParams(one);
    const lossAt = (p: LayerParams[]) => trainEpoch(one, p, null, 1, 0, null).updates[0].loss;
    const g = flattenParams(trainEpoch(one, p0, null, 1, 0, null).updates[0].grad);
    const flat = flattenParams(p0);
    const shape = (f: number[]): LayerParams[] => {
      let i = 0;
      return p0.map((l) => ({ weight: l.weight.map((r) => r.map(() => f[i++])), bias: l.bias!.map(() => f[i++]) }));
    };
    const h = 1e-6;
    flat.forEach((_, k) => {
      const up = [...flat]; up[k] += h;
      const down = [...flat]; down[k] -= h;
      const numeric = (lossAt(shape(up)) - lossAt(shape(down))) / (2 * h);
      expect(Math.abs(numeric - g[k])).toBeLessThan(1e-7);
    });
  });
});
