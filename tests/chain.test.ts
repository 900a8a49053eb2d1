import { describe, expect, it } from 'vitest';
import { runEpochs } from '../src/driver/driver';
import { breakdownOf, chainText, factorCount } from '../src/layout/chain';
import { buildLayout } from '../src/layout/layout';
import { loadPreset, PRESET_NAMES } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { withOverrides } from '../src/spec/validate';
import { buildWorkbook, numberAt, type Workbook } from '../src/workbook/workbook';

function trained(spec: Spec): Workbook {
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  return wb;
}

const close = (got: number, want: number) => Math.abs(got - want) <= 1e-12 * Math.abs(want) + 1e-15;

/** Every cell with a chain (pre-activations, deltas, gradients, velocities, new weights) in the given rows. */
function checkRows(wb: Workbook, epochs: number[]): number {
  const { layout } = wb;
  let checked = 0;
  const bad: string[] = [];
  for (const epoch of epochs) {
    const valueOf = (c: { index: number; name: string }) => numberAt(wb, epoch, layout.column(c.name));
    for (const col of layout.columns.filter((c) => c.chain)) {
      const want = valueOf(col);
      for (const expand of [0, 1, 8]) {
        const b = breakdownOf(layout, col, valueOf, { expand })!;
        checked++;
        if (!close(b.value, want)) bad.push(`epoch ${epoch} ${col.name} expand ${expand}: breakdown ${b.value}, cell ${want}`);
      }
    }
  }
  expect(bad.slice(0, 10)).toEqual([]);
  return checked;
}

describe('chain-rule breakdown: the product of the named factors equals the cell', () => {
  for (const name of PRESET_NAMES) {
    it(`${name}: every gradient, delta, momentum and update cell of the first, a middle and the last row`, () => {
      const spec = withOverrides(loadPreset(name), { epochs: Math.min(loadPreset(name).epochs, 60) });
      const wb = trained(spec);
      const grads = wb.layout.columns.filter((c) => c.kind === 'grad').length;
      expect(grads).toBeGreaterThan(0);
      expect(checkRows(wb, [0, 30, wb.rows - 1])).toBeGreaterThanOrEqual(3 * 3 * grads);
    });
  }

  it('with momentum, single-sample steps: the velocity and weight updates v ← μ·v + g, w ← w − η·v', () => {
    const spec = withOverrides(loadPreset('end2-xor-9'), { momentum: 0.9, epochs: 40 });
    const wb = trained(spec);
    checkRows(wb, [0, 39]);
    const { layout } = wb;
    const valueOf = (c: { name: string }) => numberAt(wb, 5, layout.column(c.name));
    const v = layout.columns.find((c) => c.kind === 'new-velocity')!;
    const w = layout.columns.find((c) => c.kind === 'new-weight' && c.param === v.param)!;
    expect(chainText(breakdownOf(layout, v, valueOf)!)).toMatch(/^new v_w1\[1\] = μ·v_w1 \+ ∂L\/∂w1\[1\]$/);
    expect(chainText(breakdownOf(layout, w, valueOf)!)).toMatch(/^new w1\[1\] = w1 − η·new v_w1\[1\]$/);
  });
});

describe('chain-rule breakdown reads as the course writes it', () => {
  const wb = trained(withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 2 }));
  const { layout } = wb;
  const valueOf = (c: { name: string }) => numberAt(wb, 0, layout.column(c.name));

  it('∂E/∂w1, one level and fully expanded', () => {
    const col = layout.column('∂E/∂w1');
    expect(chainText(breakdownOf(layout, col, valueOf)!)).toBe('∂E/∂w1 = ∂E/∂h1·i1');
    const full = breakdownOf(layout, col, valueOf, { expand: 8 })!;
    expect(chainText(full)).toBe('∂E/∂w1 = (∂E/∂a_o1·∂a_o1/∂o1·w5 + ∂E/∂a_o2·∂a_o2/∂o2·w7)·∂a_h1/∂h1·i1');
    expect(factorCount(full)).toBe(8);
    // The class value of ∂E/∂w1 at iteration 0 (reference file), from the breakdown's own arithmetic.
    expect(Math.abs(full.value - 1.882556669e-4)).toBeLessThan(1e-12);
  });

  it('each factor links to the cell that holds it, with its value', () => {
    const full = breakdownOf(layout, layout.column('∂E/∂w5'), valueOf, { expand: 8 })!;
    expect(chainText(full)).toBe('∂E/∂w5 = ∂E/∂a_o1·∂a_o1/∂o1·a_h1');
    const [dE, dSigma, a] = full.terms[0].factors;
    expect(dE.kind === 'slope' && dE.heldBy.name).toBe('∂E/∂o1');
    expect(dE.value).toBeCloseTo(0.6064777322 - 0.01, 9); // a_o1 − t1 (class values)
    expect(dSigma.kind === 'slope' && dSigma.heldBy.name).toBe('∂E/∂o1');
    expect(dSigma.value).toBeCloseTo(0.6064777322 * (1 - 0.6064777322), 9);
    expect(a.kind === 'cell' && a.column.name).toBe('a_h1');
    expect(a.value).toBeCloseTo(0.5068745668, 9);
  });

  it('a pre-activation is the neuron\'s weighted sum', () => {
    expect(chainText(breakdownOf(layout, layout.column('h1'), valueOf)!, true)).toBe('h1 = w1[0.15]·i1[0.05] + w2[0.2]·i2[0.1]');
  });
});

describe('every cell kind has its plain-language explanation', () => {
  it('for every column of every preset, from the layout and the registries', async () => {
    const { explainColumn } = await import('../src/explain/explain');
    const { ACTIVATION_REGISTRY } = await import('../src/model/activations');
    for (const name of PRESET_NAMES) {
      const layout = buildLayout(loadPreset(name));
      for (const col of layout.columns) {
        const text = explainColumn(layout, col);
        expect(text.length, `${name} ${col.name}`).toBeGreaterThan(40);
        if (col.kind === 'act') expect(text).toContain(ACTIVATION_REGISTRY[layout.spec.model.activations[col.layer!]].explain);
      }
    }
  });
});
