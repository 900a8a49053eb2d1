import { describe, expect, it } from 'vitest';
import { DATASETS } from '../src/data/datasets';
import { buildLayout } from '../src/layout/layout';
import { loadPreset } from '../src/spec/presets';
import { initialParams } from '../src/spec/resolve';
import type { OptimizerKind } from '../src/spec/types';
import { LIMITS, parseSpec, SpecError, toSpecJson } from '../src/spec/validate';
import { draftCells, draftHyper, draftOf, draftSpec, type Draft } from '../src/web/editorDraft';
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

/** The draft after choosing a kind in the select and typing into its boxes (text as typed, flags as ticked). */
function choose(kind: OptimizerKind, typed: Record<string, string | boolean>, from = current): Draft {
  const d = draftOf(from);
  d.optimizer = kind;
  d.hyper = draftHyper(kind, from.optimizer, '0.5');
  for (const [name, value] of Object.entries(typed)) {
    const h = d.hyper.find((x) => x.name === name);
    if (!h) throw new Error(`${kind} has no ${name} box`);
    h.value = value;
  }
  return d;
}

/** Each kind: what is typed into the editor, and the optimizer object a person would write in a spec file for it. */
const KINDS: Array<{ kind: OptimizerKind; typed: Record<string, string | boolean>; json: Record<string, unknown> }> = [
  { kind: 'sgd', typed: { lr: '0.3', momentum: '0.9', nesterov: true, weight_decay: '0.001' }, json: { lr: 0.3, momentum: 0.9, nesterov: true, weight_decay: 0.001 } },
  { kind: 'adagrad', typed: { lr: '0.05', lr_decay: '0.01', initial_accumulator_value: '0.1' }, json: { kind: 'adagrad', lr: 0.05, lr_decay: 0.01, initial_accumulator_value: 0.1 } },
  { kind: 'rmsprop', typed: { alpha: '0.9', momentum: '0.5', centered: true }, json: { kind: 'rmsprop', alpha: 0.9, momentum: 0.5, centered: true } },
  { kind: 'adam', typed: { 'betas[0]': '0.8' }, json: { kind: 'adam', betas: [0.8, 0.999] } },
  { kind: 'adamw', typed: { lr: '2e-3', 'betas[1]': ' 0.99 ', weight_decay: '0.05' }, json: { kind: 'adamw', lr: 0.002, betas: [0.9, 0.99], weight_decay: 0.05 } },
];

describe('the editor\'s optimizer', () => {
  it('offers PyTorch\'s defaults for a kind the sheet does not use (torch.optim\'s signatures, written out here)', () => {
    const values = (kind: OptimizerKind) => Object.fromEntries(draftHyper(kind, current.optimizer, '0.5').map((h) => [h.name, h.value]));
    expect(current.optimizer.kind).toBe('sgd');
    expect(values('adam')).toEqual({ lr: '0.001', 'betas[0]': '0.9', 'betas[1]': '0.999', eps: '1e-8', weight_decay: '0' });
    expect(values('adamw')).toEqual({ lr: '0.001', 'betas[0]': '0.9', 'betas[1]': '0.999', eps: '1e-8', weight_decay: '0.01' });
    expect(values('rmsprop')).toEqual({ lr: '0.01', alpha: '0.99', eps: '1e-8', weight_decay: '0', momentum: '0', centered: false });
    expect(values('adagrad')).toEqual({ lr: '0.01', lr_decay: '0', weight_decay: '0', initial_accumulator_value: '0', eps: '1e-10' });
    // The sheet's own kind comes with the sheet's values (this preset: SGD, η 0.5, no momentum).
    expect(values('sgd')).toEqual({ lr: String(current.optimizer.lr), momentum: String(current.optimizer.momentum), nesterov: false, weight_decay: '0' });
    // And a sheet built with Adam, reopened, shows its β1.
    const adamSheet = parseSpec({ ...toSpecJson(current), optimizer: { kind: 'adam', lr: 0.01, betas: [0.7, 0.99] } });
    expect(draftOf(adamSheet).hyper.map((h) => h.value)).toEqual(['0.01', '0.7', '0.99', '1e-8', '0']);
  });

  for (const { kind, typed, json } of KINDS) {
    it(`${kind}: the draft's spec is what parseSpec makes of the hand-written spec file; its cell count is the layout's`, () => {
      const d = choose(kind, typed);
      const spec = draftSpec(d, current);
      const written = parseSpec({ ...toSpecJson(current), optimizer: json });
      expect(spec).toEqual({ ...written, name: spec.name, description: spec.description });
      const columns = buildLayout(written).columns.length;
      expect(draftCells(d, current)).toEqual({ row: columns, total: columns * written.epochs });
      // The spec download (toSpecJson) and the share link carry the kind and its values.
      expect(parseSpec(JSON.parse(JSON.stringify(toSpecJson(spec)))).optimizer).toEqual(written.optimizer);
      expect(parseSpec(JSON.parse(specTextFromLink(new URL(specLink('http://127.0.0.1:5173/', spec)).search)!)).optimizer).toEqual(written.optimizer);
    });
  }

  it('a bad hyper-parameter is the validator\'s refusal naming that field', () => {
    const e = refusal(() => draftSpec(choose('adam', { 'betas[0]': '1.5' }), current));
    expect(e.field).toBe('optimizer.betas[0]');
    expect(e.reason).toBe('must be from 0 up to (not including) 1, got 1.5');
    expect(refusal(() => draftSpec(choose('sgd', { momentum: '0', nesterov: true }), current)).field).toBe('optimizer.nesterov');
    expect(refusal(() => draftSpec(choose('rmsprop', { eps: '' }), current)).field).toBe('optimizer.eps');
    expect(draftCells(choose('adam', { 'betas[0]': '1.5' }), current)).toBeNull();
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
