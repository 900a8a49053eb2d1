import { describe, expect, it } from 'vitest';
import { buildLayout } from '../src/layout/layout';
import { loadPreset } from '../src/spec/presets';
import { flattenParams, initialParams } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { heatColour, inputDomain, targetRange } from '../src/web/views/heatmap';
import { diagramGeometry, linkOpacity, linkWidth, paramTooltip, signColour } from '../src/web/views/networkDiagram';
import { forward, type NetworkSnapshot, type ParamSnapshot } from '../src/web/views/snapshot';

/** A preset's starting weights as an epoch-0 snapshot, with the layout's parameter names. */
function snapshotOf(spec: Spec): NetworkSnapshot {
  const values = flattenParams(initialParams(spec));
  const { layers } = spec.model;
  return {
    epoch: 0,
    layers,
    activations: spec.model.activations,
    params: buildLayout(spec).params.map((p) => ({ name: p.name, layer: p.layer, to: p.to, from: p.from, value: values[p.index], grad: null })),
    unitNames: layers.map((n, l) => Array.from({ length: n }, (_, i) => `u${l}_${i}`)),
    data: spec.data,
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const w = (name: string, layer: number, to: number, from: number | null, value: number): ParamSnapshot =>
  ({ name, layer, to, from, value, grad: null });

/** 2-3-1 with biases, relu then identity. */
function reluNet(): NetworkSnapshot {
  return {
    epoch: 3,
    layers: [2, 3, 1],
    activations: ['relu', 'identity'],
    // Deliberately not in layout order: forward must place parameters by layer/to/from.
    params: [
      w('w7', 1, 0, 0, 1), w('w8', 1, 0, 1, 3), w('w9', 1, 0, 2, -0.5), w('b4', 1, 0, null, 0.25),
      w('b1', 0, 0, null, 0.1), w('b2', 0, 1, null, 0.2), w('b3', 0, 2, null, -0.3),
      w('w1', 0, 0, 0, 0.5), w('w2', 0, 0, 1, 0.25), w('w3', 0, 1, 0, -1), w('w4', 0, 1, 1, 0.5), w('w5', 0, 2, 0, 2), w('w6', 0, 2, 1, -1),
    ],
    unitNames: [['i1', 'i2'], ['h1', 'h2', 'h3'], ['o1']],
    data: { inputs: [[1, -2]], targets: [[0]] },
  };
}

describe('forward', () => {
  it('reproduces the Session 2 backprop sheet (class values)', () => {
    const s = snapshotOf(loadPreset('end2-backprop-2-2-2'));
    const [o1, o2] = forward(s, [0.05, 0.1]);
    // Independently: w1..w8 = 0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55.
    const ah1 = sigmoid(0.15 * 0.05 + 0.2 * 0.1);
    const ah2 = sigmoid(0.25 * 0.05 + 0.3 * 0.1);
    expect(Math.abs(o1 - sigmoid(0.4 * ah1 + 0.45 * ah2))).toBeLessThan(1e-15);
    expect(Math.abs(o2 - sigmoid(0.5 * ah1 + 0.55 * ah2))).toBeLessThan(1e-15);
    // Golden values of the reference sheet.
    expect(Math.abs(o1 - 0.6064777322)).toBeLessThan(1e-9);
    expect(Math.abs(o2 - 0.6304808355)).toBeLessThan(1e-9);
  });

  it('adds biases and applies relu and identity', () => {
    // z1 = 0.5 − 0.5 + 0.1 = 0.1 → 0.1; z2 = −1 − 1 + 0.2 = −1.8 → 0; z3 = 2 + 2 − 0.3 = 3.7 → 3.7
    // o1 = 0.1 + 0 − 1.85 + 0.25 = −1.5 (identity keeps the sign)
    expect(forward(reluNet(), [1, -2])[0]).toBeCloseTo(-1.5, 14);
  });

  it('matches a plain matrix computation on the 44-parameter XOR network', () => {
    const spec = loadPreset('end2-xor-44');
    const s = snapshotOf(spec);
    for (const x of spec.data.inputs) {
      let a = x;
      initialParams(spec).forEach((layer, l) => {
        a = layer.weight.map((row) => row.reduce((z, wi, i) => z + wi * a[i], 0)).map(l < 3 ? Math.tanh : (z) => z);
      });
      expect(forward(s, x)[0]).toBeCloseTo(a[0], 14);
    }
  });

  it('throws a clear error when the params do not match the layers', () => {
    const s = reluNet();
    const missing = { ...s, params: s.params.filter((p) => p.name !== 'w5') };
    expect(() => forward(missing, [1, 1])).toThrow(/layers 2-3-1.*no weight for layer 0, unit 0 → unit 2/);
    const extra = { ...s, params: [...s.params, w('w10', 1, 0, 3, 1)] };
    expect(() => forward(extra, [1, 1])).toThrow(/w10 comes from unit 3, but layer 1 has 3 units/);
    const duplicate = { ...s, params: [...s.params, w('w1bis', 0, 0, 0, 1)] };
    expect(() => forward(duplicate, [1, 1])).toThrow(/w1bis duplicates/);
    const deep = { ...s, params: [...s.params, w('w99', 2, 0, 0, 1)] };
    expect(() => forward(deep, [1, 1])).toThrow(/weight layer 2, which does not exist/);
    expect(() => forward({ ...s, activations: ['relu'] }, [1, 1])).toThrow(/expected 2 activations, got 1/);
    expect(() => forward(s, [1, 1, 1])).toThrow(/expected 2 inputs, got 3/);
  });
});

describe('network diagram helpers', () => {
  it('places layers as columns left to right, each centred vertically', () => {
    const g = diagramGeometry([2, 4, 1]);
    expect(g.units.map((c) => c.length)).toEqual([2, 4, 1]);
    const xs = g.units.map((c) => c[0].x);
    expect(xs[0]).toBeLessThan(xs[1]);
    expect(xs[1]).toBeLessThan(xs[2]);
    const mid = (c: { y: number }[]) => (c[0].y + c[c.length - 1].y) / 2;
    expect(mid(g.units[0])).toBeCloseTo(mid(g.units[1]));
    expect(g.units[2][0].y).toBeCloseTo(mid(g.units[1]));
    for (const c of g.units) for (const u of c) {
      expect(u.x - g.radius).toBeGreaterThanOrEqual(0);
      expect(u.x + g.radius).toBeLessThanOrEqual(g.width);
      expect(u.y + g.radius).toBeLessThanOrEqual(g.height);
    }
  });

  it('shrinks circles for wide layers and drops labels above 16 units', () => {
    const small = diagramGeometry([2, 4, 1]);
    const big = diagramGeometry([2, 64, 64, 64, 64, 64, 64, 1]);
    expect(big.radius).toBeLessThan(small.radius);
    expect(small.showLabels).toBe(true);
    expect(diagramGeometry([2, 16, 1]).showLabels).toBe(true);
    expect(diagramGeometry([2, 17, 1]).showLabels).toBe(false);
    // Neighbouring circles never overlap.
    const col = big.units[1];
    expect(col[1].y - col[0].y).toBeGreaterThan(2 * big.radius);
  });

  it('sizes and colours links by weight', () => {
    expect(linkWidth(0, 2)).toBe(0.5);
    expect(linkWidth(-2, 2)).toBe(3.5);
    expect(linkWidth(1, 2)).toBe(2);
    expect(linkWidth(1, 0)).toBe(0.5);
    expect(linkOpacity(5, 2)).toBe(1);
    expect(signColour(0.1)).toBe('#2b6cb0');
    expect(signColour(-0.1)).toBe('#dd6b20');
  });

  it('shows name, value and gradient in full precision', () => {
    expect(paramTooltip({ name: 'w5', layer: 1, to: 0, from: 0, value: 0.35891647971788465, grad: 0.08216704056423078, gradName: '∂E/∂w5' }))
      .toBe('w5 = 0.35891647971788465\n∂E/∂w5 = 0.08216704056423078');
    expect(paramTooltip({ name: 'b1', layer: 0, to: 0, from: null, value: -1e-7, grad: null })).toBe('b1 = -1e-7');
  });
});

describe('heat map helpers', () => {
  it('pads the XOR input square to [−0.25, 1.25] with ticks at 0 and 1', () => {
    expect(inputDomain([0, 0, 1, 1])).toEqual({ min: -0.25, max: 1.25, ticks: [0, 1] });
    expect(inputDomain([3, 3])).toEqual({ min: 2.75, max: 3.25, ticks: [3] });
  });

  it('diverges around the middle of the targets, clamped', () => {
    const [lo, hi] = targetRange([[0], [1], [1], [0]]);
    expect([lo, hi]).toEqual([0, 1]);
    expect(heatColour(0.5, lo, hi)).toEqual([255, 255, 255]);
    expect(heatColour(0, lo, hi)).toEqual([221, 107, 32]);
    expect(heatColour(1, lo, hi)).toEqual([43, 108, 176]);
    expect(heatColour(-3, lo, hi)).toEqual(heatColour(0, lo, hi));
    expect(heatColour(7, lo, hi)).toEqual(heatColour(1, lo, hi));
    const quarter = heatColour(0.25, lo, hi);
    expect(quarter[2]).toBeGreaterThan(32);
    expect(quarter[2]).toBeLessThan(255);
    expect(heatColour(NaN, lo, hi)).toEqual([160, 160, 160]);
    expect(targetRange([[2], [2]])).toEqual([1.5, 2.5]);
  });
});
