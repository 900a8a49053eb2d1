import type { CellValue } from 'hyperformula';
import { describe, expect, it } from 'vitest';
import { DivergenceError, divergenceAt, epochLosses, runEpochs, runEpochsAsync } from '../src/driver/driver';
import { buildLayout } from '../src/layout/layout';
import { trainReference } from '../src/reference/trainer';
import { loadPreset } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { parseSpec, withOverrides } from '../src/spec/validate';
import { buildWorkbook, numberAt, type Workbook } from '../src/workbook/workbook';
import { close } from './support/sheetCheck';

/** The example: 2-4-1, identity activations, MSE, learning rate 1000, XOR, full batch. */
function identity241(epochs = 100): Spec {
  return parseSpec({
    name: 'identity-2-4-1',
    model: { layers: [2, 4, 1], bias: true, activations: ['identity', 'identity'], loss: 'mse' },
    data: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
    optimizer: { lr: 1000 },
    batch: 'full',
    epochs,
    seed: 1,
  });
}

/** The course's sigmoid sheet at η = 1e12: the first update drives h1 to about −4.7e7, and EXP(4.7e7) overflows. */
const sigmoidHugeLr = (epochs = 51) => withOverrides(loadPreset('end2-backprop-2-2-2'), { lr: 1e12, epochs });

function build(spec: Spec): Workbook {
  return buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
}

function diverge(wb: Workbook): DivergenceError {
  try {
    runEpochs(wb);
  } catch (err) {
    expect(err).toBeInstanceOf(DivergenceError);
    return err as DivergenceError;
  }
  throw new Error('expected training to diverge');
}

const finite = (v: CellValue) => typeof v === 'number' && Number.isFinite(v);

/** Every row of the sheet, each cell checked independently of the driver. */
function rows(wb: Workbook): CellValue[][] {
  return wb.hf.getSheetValues(wb.train).slice(wb.layout.headerRows, wb.layout.headerRows + wb.rows);
}

describe('divergence stops at the epoch and names the first bad cell along the chain', () => {
  it('2-4-1 identity, MSE, η = 1000: stops at the first row holding a bad cell, the leftmost one', () => {
    const wb = build(identity241());
    const err = diverge(wb);
    const all = rows(wb);
    // The row that diverged is the last row in the sheet; every earlier row is all finite numbers.
    expect(wb.rows).toBe(err.epoch + 1);
    expect(err.epoch).toBeGreaterThan(0);
    for (let e = 0; e < err.epoch; e++) expect(all[e].every(finite), `epoch ${e}`).toBe(true);
    // The reported cell is the first one, in the layout's (computation) order, that is not a finite number.
    const bad = all[err.epoch];
    const first = wb.layout.columns.find((c) => !finite(bad[c.index]))!;
    expect(err.column).toBe(first);
    expect(err.value).toEqual(bad[first.index]);
    expect((err.value as { value: string }).value).toBe('#NUM!');
    // Every cell it reads is finite: it is where the chain of bad cells starts (here a pre-activation product).
    expect(err.column.kind).toBe('pre');
    expect(err.address).toBe(`Train!${first.letter}${wb.layout.rowOf(err.epoch) + 1}`);
    expect(err.message).toContain(`training diverged at epoch ${err.epoch}`);
    expect(err.message).toContain(`${first.name} (${err.address}) = #NUM!`);
    expect(err.detail).toMatch(/beyond the largest number a cell holds \(1\.8e308\)/);
    expect(err.suggestion).toBe('The values grew too large for a cell: try a smaller learning rate η (now 1000).');
    expect(err.message).toContain(err.suggestion);
    expect(divergenceAt(wb, err.epoch)!.column).toBe(first);
    for (let e = 0; e < err.epoch; e++) expect(divergenceAt(wb, e)).toBeNull();
  });

  it('the rows before it stay readable and equal the reference trainer; the bad row reads as errors', () => {
    const spec = identity241();
    const wb = build(spec);
    const err = diverge(wb);
    const ref = trainReference({ ...spec, epochs: err.epoch }, initialParams(spec), null);
    const losses = epochLosses(wb).slice(0, err.epoch);
    losses.forEach((l, e) => expect(close(l, ref.epochLoss[e]), `epoch ${e}`).toBe(true));
    // The weights the last good row ends with are the reference's, and were copied into the bad row.
    const last = err.epoch - 1;
    const refFinal = ref.final.flatMap((l) => [...l.weight.flat(), ...(l.bias ?? [])]);
    wb.layout.nextWeightColumns.forEach((c, p) => expect(close(numberAt(wb, last, c), refFinal[p])).toBe(true));
    wb.layout.weightColumns.forEach((c, p) => expect(numberAt(wb, err.epoch, c)).toBe(numberAt(wb, last, wb.layout.nextWeightColumns[p])));
    expect(() => numberAt(wb, err.epoch, err.column)).toThrow(/#NUM!/);
    // The same spec trained for just the good epochs finishes.
    const kept = build(identity241(err.epoch));
    runEpochs(kept);
    expect(epochLosses(kept)).toEqual(epochLosses(wb).slice(0, err.epoch));
  });

  it('a sigmoid network at η = 1e12: the first bad cell is the activation whose EXP overflowed, not the loss', () => {
    const wb = build(sigmoidHugeLr());
    const err = diverge(wb);
    expect(err.epoch).toBe(1);
    expect(err.column.name).toBe('a_h1');
    expect(err.column.kind).toBe('act');
    const h1 = numberAt(wb, 1, wb.layout.column('h1'));
    expect(h1).toBeLessThan(-Math.log(Number.MAX_VALUE));
    // Everything downstream is bad too: the loss and every new weight.
    expect(() => numberAt(wb, 1, wb.layout.lossColumn)).toThrow(/#NUM!/);
    expect(err.message).toContain('training diverged at epoch 1: the first bad cell is a_h1 (Train!');
    expect(err.detail).toMatch(/^EXP overflowed in a_h1 = 1\/\(1\+EXP\(-h1\)\) with h1 = -4\.\d+e\+7: EXP\(4\.\d+e\+7\) is beyond the largest number/);
    expect(err.detail).toContain('EXP(x) overflows above x = 709.78');
    expect(err.suggestion).toBe("The weights grew so large that the sigmoid's EXP overflowed: try a smaller learning rate η (now 1e+12).");
    // Epoch 0 is intact: the course's E_total.
    expect(Math.abs(numberAt(wb, 0, wb.layout.lossColumn) - 0.2425198573)).toBeLessThan(1e-9);
  });

  it('a loss that overflows while the gradient is still finite stops training at that epoch', () => {
    // y = 1e155: (y − t)² = 1e310 overflows, 2(y − t) = 2e155 does not, so the new weight is finite.
    const spec = parseSpec({
      model: { layers: [1, 1], activations: ['identity'], loss: 'mse' },
      data: { inputs: [[1]], targets: [[0]] },
      optimizer: { lr: 0.1 },
      batch: 'full',
      epochs: 5,
      initial: [{ weight: [[1e155]], bias: null }],
    });
    const wb = build(spec);
    const err = diverge(wb);
    expect(err.epoch).toBe(0);
    expect(err.column.kind).toBe('loss');
    expect(err.column.name).toBe('L');
    expect(Number.isFinite(numberAt(wb, 0, wb.layout.column('new w1')))).toBe(true);
    expect(err.detail).toMatch(/^L = \(o1-t1\)\^2 with o1 = 1e\+155, t1 = 0: the result is beyond the largest number/);
    expect(wb.rows).toBe(1);
  });

  it('the last row is checked too, though nothing copies it', () => {
    const probe = diverge(build(identity241()));
    // Exactly as many epochs as reach the bad row: the bad row is the last.
    const wb = build(identity241(probe.epoch + 1));
    const err = diverge(wb);
    expect(err.epoch).toBe(probe.epoch);
    expect([err.column.index, err.column.name]).toEqual([probe.column.index, probe.column.name]);
    // Sigmoid with one epoch: the only row is fine; with two, the last row overflows.
    expect(() => runEpochs(build(sigmoidHugeLr(1)))).not.toThrow();
    expect(diverge(build(sigmoidHugeLr(2))).epoch).toBe(1);
  });

  it('with momentum the suggestion also names μ', () => {
    const spec = withOverrides(identity241(), { momentum: 0.9 });
    const err = diverge(build(spec));
    expect(err.suggestion).toMatch(/try a smaller learning rate η \(now 1000\), or less momentum μ \(now 0\.9\)\.$/);
  });

  it('runEpochsAsync rejects with the same error, keeping the rows', async () => {
    const wb = build(identity241());
    const sync = diverge(build(identity241()));
    const err = await runEpochsAsync(wb).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    const d = err as DivergenceError;
    expect([d.epoch, d.column.name, d.address, d.message]).toEqual([sync.epoch, sync.column.name, sync.address, sync.message]);
    expect(wb.rows).toBe(d.epoch + 1);
  });

  it('sample mode: the bad cell is found within the right step', () => {
    const spec = withOverrides(identity241(), { batch: 'sample' });
    const wb = build(spec);
    const err = diverge(wb);
    const bad = rows(wb)[err.epoch];
    expect(err.column).toBe(wb.layout.columns.find((c) => !finite(bad[c.index])));
    expect(err.column.step).not.toBeNull();
    expect(err.message).toContain(`[${err.column.step! + 1}]`);
  });
});
