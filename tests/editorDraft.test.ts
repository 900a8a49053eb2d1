import { describe, expect, it } from 'vitest';
import { DATASETS } from '../src/data/datasets';
import { buildLayout } from '../src/layout/layout';
import { loadPreset } from '../src/spec/presets';
import { initialParams } from '../src/spec/resolve';
import { LIMITS, SpecError } from '../src/spec/validate';
import { draftCells, draftOf, draftSpec } from '../src/web/editorDraft';
import { specLink, specTextFromLink } from '../src/web/specLink';

/** The network editor's draft → spec (through the spec validator), its cell count, and specs shared by link. */

const current = loadPreset('end2-backprop-2-2-2');
const refusal = (f: () => unknown): SpecError => {
  try {
    f();
  } catch (err) {
    if (err instanceof SpecError) return err;
    throw err;
  }
  throw new Error('accepted');
};

describe('the editor draft', () => {
  it('starts as the current sheet, which it builds again unchanged', () => {
    const d = draftOf(current);
    expect(d.dataset).toBe('session2');
    expect(d.init).toBe('explicit');
    const spec = draftSpec(d, current);
    expect(spec.model).toEqual(current.model);
    expect(spec.data).toEqual(current.data);
    expect(initialParams(spec)).toEqual(initialParams(current));
  });

  it('2-3-1 sigmoid on the circle: sizes from the data, weights drawn from the seed, samples as asked', () => {
    const d = { ...draftOf(current), hidden: [{ units: '3', activation: 'sigmoid' as const }], dataset: 'circle' as const, samples: '30', init: 'xavier' as const, seed: '4' };
    const spec = draftSpec(d, current);
    expect(spec.model.layers).toEqual([2, 3, 1]);
    expect(spec.data).toEqual(DATASETS.circle.make(30, 4));
    expect(spec.init).toEqual({ weights: 'xavier', biases: 'xavier' });
    // The editor's count is the layout's.
    expect(draftCells(d, current)).toEqual({ row: buildLayout(spec).columns.length, total: buildLayout(spec).columns.length * spec.epochs });
  });

  it('a bad layer size is the validator\'s refusal of that layer', () => {
    const e = refusal(() => draftSpec({ ...draftOf(current), hidden: [{ units: '65', activation: 'sigmoid' }] }, current));
    expect(e.field).toBe('model.layers[1]');
    expect(e.reason).toBe(`must be a whole number from 1 to ${LIMITS.maxUnits}, got 65`);
    expect(refusal(() => draftSpec({ ...draftOf(current), hidden: [{ units: 'x', activation: 'sigmoid' }] }, current)).reason).toBe('must be a finite number, got "x"');
  });

  it('explicit weights of another shape, and too many cells, are refused with the validator\'s messages', () => {
    const e = refusal(() => draftSpec({ ...draftOf(current), hidden: [{ units: '3', activation: 'sigmoid' }] }, current));
    expect(e.field).toBe('initial[0].weight');
    const big = refusal(() => draftSpec({ ...draftOf(current), init: 'normal', epochs: '100000', hidden: [{ units: '64', activation: 'relu' }] }, current));
    expect(big.field).toBe('epochs');
    expect(big.reason).toMatch(/over the limit of 5,000,000 cells/);
  });
});

describe('a spec shared by link', () => {
  it('comes back as the same spec JSON, names with ∂ and η included', () => {
    const link = specLink('http://127.0.0.1:5173/?preset=x#y', current);
    expect(new URL(link).searchParams.has('preset')).toBe(false);
    const text = specTextFromLink(new URL(link).search)!;
    expect(JSON.parse(text).description).toBe(current.description);
    expect(specTextFromLink('?preset=end2-xor-44')).toBeNull();
    expect(() => specTextFromLink('?spec=%%%')).toThrow(/not readable/);
  });
});
