import { describe, expect, it } from 'vitest';
import { Session } from '../src/web/session';
import { loadPreset } from '../src/spec/presets';
import { parseSpec, toSpecJson, withOverrides, type SpecOverrides } from '../src/spec/validate';
import type { Spec } from '../src/spec/types';

/**
 * New settings of the same network keep the built rows and re-run the driver over them (src/workbook/retune.ts):
 * the sheet that comes out is the one a fresh build trains, cell for cell and formula for formula.
 */

async function trained(preset: string | Spec, over: SpecOverrides, reuse?: Session) {
  const s = new Session(withOverrides(typeof preset === 'string' ? loadPreset(preset) : preset, over), reuse?.handOver() ?? undefined);
  await s.train();
  return s;
}

const sheet = (s: Session) => ({ values: s.wb.hf.getSheetValues(s.wb.train), formulas: s.wb.hf.getSheetSerialized(s.wb.train) });

describe('settings changes without a rebuild', () => {
  const cases: [string, SpecOverrides, SpecOverrides][] = [
    ['end2-xor-9', { epochs: 120 }, { epochs: 120, lr: 0.2 }],
    ['end2-xor-9', { epochs: 120 }, { epochs: 120, seed: 7 }], // new starting weights and a new sample order
    ['end2-backprop-2-2-2', { epochs: 60, momentum: 0.5 }, { epochs: 60, momentum: 0.9, lr: 1 }],
  ];
  for (const [preset, first, next] of cases) {
    it(`${preset}: ${JSON.stringify(first)} then ${JSON.stringify(next)} keeps the rows and equals a fresh build`, async () => {
      const before = await trained(preset, first);
      const kept = before.wb;
      const retuned = await trained(preset, next, before);
      expect(retuned.wb, 'the workbook was kept').toBe(kept);
      const fresh = await trained(preset, next);
      expect(retuned.wb).not.toBe(fresh.wb);
      expect(sheet(retuned)).toEqual(sheet(fresh));
      expect(retuned.rows).toBe(fresh.rows);
    });
  }

  // Optimizer states carried from row to row start from the optimizer's own start values (Adagrad's accumulator).
  const adagrad = parseSpec({ ...(toSpecJson(loadPreset('end2-backprop-2-2-2')) as object), optimizer: { kind: 'adagrad', lr: 0.5, initial_accumulator_value: 0.1 } });
  const optimizerCases: [string, Spec | string, SpecOverrides, SpecOverrides][] = [
    ['Adam, softmax and cross-entropy', 'end2-xor-softmax-2-4-2', { epochs: 40 }, { epochs: 40, lr: 0.02 }],
    ['Adagrad from an accumulator of 0.1', adagrad, { epochs: 30 }, { epochs: 30, lr: 0.2 }],
  ];
  for (const [what, spec, first, next] of optimizerCases) {
    it(`${what}: a new η keeps the rows and equals a fresh build`, async () => {
      const before = await trained(spec, first);
      const kept = before.wb;
      const retuned = await trained(spec, next, before);
      expect(retuned.wb, 'the workbook was kept').toBe(kept);
      expect(sheet(retuned)).toEqual(sheet(await trained(spec, next)));
    });
  }

  it('a new network, epoch count or a cell the user set rebuilds', async () => {
    const a = await trained('end2-xor-9', { epochs: 40 });
    const b = await trained('end2-xor-9', { epochs: 41 }, a);
    expect(b.wb).not.toBe(a.wb);
    const c = await trained('end2-backprop-2-2-2', { epochs: 41 }, b);
    expect(c.wb).not.toBe(b.wb);
    await c.edit(3, c.layout.weightColumns[0], 0.5);
    expect(c.handOver()).toBeNull();
    const d = await trained('end2-backprop-2-2-2', { epochs: 41, lr: 0.1 }, c);
    expect(d.wb).not.toBe(c.wb);
    expect(sheet(d)).toEqual(sheet(await trained('end2-backprop-2-2-2', { epochs: 41, lr: 0.1 })));
  });

  it('a re-run stopped early, or a divergence, leaves one chain and no kept rows behind', async () => {
    const a = await trained('end2-backprop-2-2-2', { epochs: 80 });
    const s = new Session(withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 80, lr: 0.3 }), a.handOver()!);
    const run = s.train();
    await s.stop();
    await run;
    expect(s.wb.built).toBe(s.rows);
    expect(s.wb.hf.getSheetDimensions(s.wb.train).height).toBe(s.layout.rowOf(s.rows - 1) + 1);
    const blown = new Session(withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 80, lr: 1e12 }), s.handOver()!);
    await blown.train().catch(() => undefined);
    expect(blown.wb.built).toBe(blown.rows);
    expect(blown.rows).toBeLessThan(80);
  });
});
