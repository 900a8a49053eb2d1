import { describe, expect, it } from 'vitest';
import { trainEpoch } from '../src/reference/trainer';
import { flattenParams, initialParams, sampleOrder, unflattenParams } from '../src/spec/resolve';
import { loadPreset } from '../src/spec/presets';
import { withOverrides } from '../src/spec/validate';
import { columnValues, epochLosses } from '../src/driver/driver';
import { Session } from '../src/web/session';
import { close } from './support/sheetCheck';
import { referenceLosses } from './support/referenceLosses';

const settings = { preset: 'end2-xor-9', epochs: 120 };

async function trainedSession() {
  const s = Session.fromSettings(settings);
  await s.train();
  return s;
}

describe('Session: train, edit, undo, stop', () => {
  it('trains every epoch and equals the reference run', async () => {
    const s = await trainedSession();
    expect(s.rows).toBe(120);
    const spec = withOverrides(loadPreset('end2-xor-9'), { epochs: 120 });
    const ref = referenceLosses(spec, initialParams(spec), sampleOrder(spec));
    expect(columnValues(s.wb, s.layout.lossColumn)).toEqual(ref.last);
    expect(epochLosses(s.wb)).toEqual(ref.mean);
  });

  it('editing a weight in a middle epoch recomputes that row as the reference does, then re-runs the later epochs', async () => {
    const s = await trainedSession();
    const { layout } = s;
    const epoch = 60;
    const lastLossBefore = s.value(119, layout.lossColumn);
    const w = layout.column('w3');
    await s.edit(epoch, w, 0.75);

    // The edited row's every gradient equals the reference computed from that row's weights with the edit.
    const weights = layout.weightColumns.map((c) => s.value(epoch, c) as number);
    expect(weights[w.param!]).toBe(0.75);
    const velocities = layout.velocityColumns!.map((c) => s.value(epoch, c) as number);
    const order = layout.sampleColumns.map((c) => (s.value(epoch, c) as number) - 1);
    const { layers, bias } = s.spec.model;
    const trace = trainEpoch(s.spec, unflattenParams(weights, layers, bias), unflattenParams(velocities, layers, bias), s.spec.optimizer.lr, s.spec.optimizer.momentum, order);
    for (const col of layout.columns.filter((c) => c.kind === 'grad')) {
      const want = flattenParams(trace.updates[col.step!].grad)[col.param!];
      expect(close(s.value(epoch, col) as number, want), col.name).toBe(true);
    }
    expect(s.rows).toBe(120);
    expect(s.value(119, layout.lossColumn)).not.toBe(lastLossBefore);
    // The chain holds: each later row starts from the weights the row above ends with.
    for (let e = epoch; e < 119; e++) {
      layout.nextWeightColumns.forEach((c, p) => expect(s.value(e + 1, layout.weightColumns[p])).toBe(s.value(e, c)));
    }
  });

  it('undo restores the previous value and everything computed from it', async () => {
    const s = await trainedSession();
    const before = s.wb.hf.getSheetValues(s.wb.train);
    await s.edit(30, s.layout.column('b3'), -2);
    expect(s.wb.hf.getSheetValues(s.wb.train)).not.toEqual(before);
    await s.undo();
    expect(s.wb.hf.getSheetValues(s.wb.train)).toEqual(before);
    expect(s.canUndo).toBe(false);
  });

  it('a new learning rate at epoch 0 gives the same sheet as training with it from the start', async () => {
    const s = await trainedSession();
    await s.edit(0, s.layout.lrColumn, 0.05);
    const fresh = Session.fromSettings({ ...settings, lr: 0.05 });
    await fresh.train();
    expect(s.wb.hf.getSheetValues(s.wb.train)).toEqual(fresh.wb.hf.getSheetValues(fresh.wb.train));
  });

  it('refuses computed cells and non-numbers, changing nothing', async () => {
    const s = await trainedSession();
    const before = s.wb.hf.getSheetValues(s.wb.train);
    await expect(s.edit(5, s.layout.column('∂L/∂w1[1]'), 1)).rejects.toThrow('∂L/∂w1[1] is computed from the weights; edit w1 or the learning rate η instead');
    await expect(s.edit(5, s.layout.column('w1'), Number.NaN)).rejects.toThrow(/finite number/);
    expect(s.wb.hf.getSheetValues(s.wb.train)).toEqual(before);
  });

  it('stop ends training early with a consistent sheet, and train continues it to the same result', async () => {
    const s = Session.fromSettings({ preset: 'end2-xor-44', epochs: 400 });
    const run = s.train();
    await new Promise((r) => setTimeout(r, 150));
    await s.stop();
    await run;
    expect(s.state).toBe('ready');
    expect(s.rows).toBeGreaterThan(1);
    expect(s.rows).toBeLessThan(400);
    await s.train();
    expect(s.rows).toBe(400);
    const spec = withOverrides(loadPreset('end2-xor-44'), { epochs: 400 });
    expect(epochLosses(s.wb)).toEqual(referenceLosses(spec, initialParams(spec), sampleOrder(spec)).mean);
  });

  it('a re-run stopped early drops the rows it did not reach', async () => {
    const s = Session.fromSettings({ preset: 'end2-xor-44', epochs: 400 });
    await s.train();
    const editing = s.edit(10, s.layout.column('w1_1_1'), 0.5);
    await new Promise((r) => setTimeout(r, 100));
    await s.stop();
    await editing;
    expect(s.rows).toBeLessThan(400);
    for (let e = 10; e + 1 < s.rows; e++) {
      s.layout.nextWeightColumns.forEach((c, p) => expect(s.value(e + 1, s.layout.weightColumns[p])).toBe(s.value(e, c)));
    }
  });
});
