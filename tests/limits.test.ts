import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLayout } from '../src/layout/layout';
import { loadPreset, PRESET_NAMES } from '../src/spec/presets';
import { ACTIVATIONS, LOSSES, type Spec } from '../src/spec/types';
import { LIMITS, SpecError, cellsPerRow, parseSpec, parseSpecText, toSpecJson, withOverrides } from '../src/spec/validate';
import { thrown } from './support/specErrors';
import { OPTIMIZER_VARIANTS, fitLoss } from './support/fitLoss';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any


/** A network of the given layers, sample mode over `samples` XOR-like samples. */
function net(layers: number[], samples: number, extra: Json = {}): Json {
  return {
    name: 'big',
    model: { layers, bias: true, activations: layers.slice(1).map(() => 'tanh'), loss: 'mse' },
    data: {
      inputs: Array.from({ length: samples }, (_, s) => Array.from({ length: layers[0] }, (_, i) => (s + i) % 2)),
      targets: Array.from({ length: samples }, (_, s) => Array.from({ length: layers[layers.length - 1] }, () => s % 2)),
    },
    optimizer: { lr: 0.1, momentum: 0.9 },
    batch: 'sample',
    epochs: 10,
    ...extra,
  };
}

describe('cellsPerRow counts a row without building the layout', () => {
  it('equals the layout for every preset, in both batch modes, with and without momentum', () => {
    for (const name of PRESET_NAMES) {
      const hasMomentum = ['sgd', 'rmsprop'].includes(loadPreset(name).optimizer.kind);
      for (const over of [{}, { batch: 'full' as const }, { batch: 'sample' as const }, { momentum: 0 }, ...(hasMomentum ? [{ momentum: 0.5 }] : [])]) {
        const spec = withOverrides(loadPreset(name), over);
        expect(cellsPerRow(spec), `${name} ${JSON.stringify(over)}`).toBe(buildLayout(spec).columns.length);
      }
    }
    expect(cellsPerRow(loadPreset('end2-xor-44'))).toBe(792);
  });

  it('equals the layout for random networks', () => {
    const arb = fc.record({
      layers: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 5 }),
      bias: fc.boolean(),
      acts: fc.array(fc.constantFrom(...ACTIVATIONS), { minLength: 4, maxLength: 4 }),
      loss: fc.constantFrom(...LOSSES),
      samples: fc.integer({ min: 1, max: 4 }),
      batch: fc.constantFrom('full', 'sample'),
      steps: fc.integer({ min: 1, max: 5 }),
      optimizer: fc.constantFrom(...OPTIMIZER_VARIANTS),
    });
    fc.assert(fc.property(arb, (r) => {
      const raw = net(r.layers, r.samples, { optimizer: r.optimizer, batch: r.batch });
      raw.model = { layers: r.layers, bias: r.bias, activations: r.acts.slice(0, r.layers.length - 1), loss: r.loss };
      if (r.batch === 'sample') raw.stepsPerEpoch = r.steps;
      const spec = parseSpec(fitLoss(raw));
      expect(cellsPerRow(spec)).toBe(buildLayout(spec).columns.length);
    }), { numRuns: 300, seed: 7 });
  });
});

describe('a workbook too large is refused before anything is built', () => {
  it('states the limits', () => {
    expect(LIMITS).toEqual({
      maxLayers: 8, maxUnits: 64, maxEpochs: 100_000, maxSamples: 1000, maxStepsPerEpoch: 1000,
      maxCellsPerRow: 16_384, maxCells: 5_000_000,
    });
  });

  it('end2-xor-44 (792 cells × 2001 epochs = 1,584,792) fits; 6313 epochs fit, 6314 do not', () => {
    const spec = loadPreset('end2-xor-44');
    expect(cellsPerRow(spec) * spec.epochs).toBe(1_584_792);
    expect(withOverrides(spec, { epochs: 6313 }).epochs).toBe(6313);
    const err = thrown(() => withOverrides(spec, { epochs: 6314 }));
    expect(err.field).toBe('epochs');
    expect(err.reason).toBe('the workbook would have 792 cells a row × 6,314 epochs = 5,000,688 cells, over the limit of 5,000,000 cells; ' +
      'at most 6,313 epochs fit this network, or use a smaller network or fewer steps an epoch');
  });

  it('withOverrides checks again when the epochs, the batch mode or the momentum change the size', () => {
    const spec = withOverrides(loadPreset('end2-xor-44'), { epochs: 15_000, batch: 'full', momentum: 0 });
    const row = cellsPerRow(spec);
    expect(row).toBe(buildLayout(spec).columns.length);
    expect(row * 15_000).toBeLessThanOrEqual(LIMITS.maxCells);
    expect(thrown(() => withOverrides(spec, { epochs: 30_000 })).reason).toContain(`${row} cells a row × 30,000 epochs`);
    // Single-sample steps (571 cells a row) and momentum (392) make the same epochs too many.
    expect(thrown(() => withOverrides(spec, { batch: 'sample' })).reason).toMatch(/^the workbook would have 571 cells a row × 15,000 epochs = 8,565,000 cells/);
    expect(thrown(() => withOverrides(spec, { momentum: 0.9 })).reason).toMatch(/^the workbook would have 392 cells a row × 15,000 epochs = 5,880,000 cells/);
  });

  it('a spec file too large names the file, the numbers and the limit', () => {
    const raw = toSpecJson(loadPreset('end2-xor-44'));
    raw.epochs = 100_000;
    const err = thrown(() => parseSpecText(JSON.stringify(raw), 'huge.json'));
    expect(err.field).toBe('huge.json: epochs');
    expect(err.reason).toContain('792 cells a row × 100,000 epochs = 79,200,000 cells, over the limit of 5,000,000 cells; at most 6,313 epochs fit');
  });

  it('a row wider than 16,384 cells is refused (the most columns an XLSX sheet has)', () => {
    // 2-64-64-1 with biases has 4,417 parameters; ten single-sample steps with momentum make ~176,000 cells a row.
    const err = thrown(() => parseSpec(net([2, 64, 64, 1], 4, { stepsPerEpoch: 10 })));
    expect(err.field).toBe('model.layers');
    expect(err.reason).toMatch(/^a row would have 1\d\d,\d{3} cells \(network 2-64-64-1, 10 steps an epoch\), over the limit of 16,384 cells a row/);
    // With momentum not even one step fits (weights, velocities, gradients, new velocities, new weights: 5 × 4,417).
    expect(thrown(() => parseSpec(net([2, 64, 64, 1], 4, { stepsPerEpoch: 1 }))).reason).toMatch(/^a row would have 22,480 cells \(network 2-64-64-1, 1 step an epoch\)/);
    // Without momentum one step an epoch fits a row, but not 1000 epochs of them.
    const one = parseSpec(net([2, 64, 64, 1], 4, { stepsPerEpoch: 1, epochs: 10, optimizer: { lr: 0.1, momentum: 0 } }));
    expect(cellsPerRow(one)).toBeLessThanOrEqual(LIMITS.maxCellsPerRow);
    expect(thrown(() => withOverrides(one, { epochs: 1000 })).field).toBe('epochs');
  });

  it('full batch over 1000 samples: the samples make the row too wide', () => {
    const err = thrown(() => parseSpec(net([2, 4, 1], 1000, { batch: 'full' })));
    expect(err.field).toBe('model.layers');
    expect(err.reason).toMatch(/network 2-4-1, 1,000 samples a batch\), over the limit of 16,384 cells a row/);
  });

  it('a run file with an order and a huge --epochs is refused at once, before an order is drawn for it', () => {
    const spec = withOverrides(loadPreset('end2-xor-9'), { epochs: 5 });
    const withOrder: Spec = parseSpec({ ...toSpecJson(spec), order: [[0, 1, 2, 3], [3, 2, 1, 0], [0, 0, 1, 1], [2, 2, 3, 3], [1, 2, 3, 0]] });
    const started = performance.now();
    expect(thrown(() => withOverrides(withOrder, { epochs: 100_000 })).reason).toMatch(/186 cells a row × 100,000 epochs = 18,600,000 cells/);
    expect(thrown(() => withOverrides(withOrder, { epochs: 1e9 })).reason).toMatch(/whole number from 1 to 100000, got 1000000000/);
    expect(performance.now() - started).toBeLessThan(500);
    expect(withOverrides(withOrder, { epochs: 20 }).order!.slice(0, 5)).toEqual(withOrder.order);
  });

  it('an explicit order sets the steps an epoch within the same bounds', () => {
    const raw = net([2, 2, 1], 4, { epochs: 2 });
    expect(thrown(() => parseSpec({ ...raw, order: [[], []] })).field).toBe('order[0]');
    expect(thrown(() => parseSpec({ ...raw, order: [[], []] })).reason).toBe('must have 1 to 1000 entries, got 0');
    const long = Array.from({ length: 1001 }, () => 0);
    expect(thrown(() => parseSpec({ ...raw, order: [long, long] })).reason).toBe('must have 1 to 1000 entries, got 1001');
    expect(parseSpec({ ...raw, order: [[0, 1, 2], [3, 2, 1]] }).stepsPerEpoch).toBe(3);
  });

  it('states the bounds of epochs, layers, units, samples and steps', () => {
    const bad: [Json, string, RegExp][] = [
      [{ epochs: 100_001 }, 'epochs', /from 1 to 100000/],
      [{ model: { layers: [1, 1, 1, 1, 1, 1, 1, 1, 1], activations: Array(8).fill('tanh'), loss: 'mse' } }, 'model.layers', /2 to 8 entries, got 9/],
      [{ model: { layers: [2, 65, 1], activations: ['tanh', 'tanh'], loss: 'mse' } }, 'model.layers[1]', /from 1 to 64, got 65/],
      [{ stepsPerEpoch: 1001 }, 'stepsPerEpoch', /from 1 to 1000, got 1001/],
    ];
    for (const [extra, field, reason] of bad) {
      const err = thrown(() => parseSpec({ ...net([2, 2, 1], 4), ...extra }));
      expect(err.field).toBe(field);
      expect(err.reason).toMatch(reason);
    }
    const many = net([1, 1], 1001);
    expect(thrown(() => parseSpec(many)).reason).toMatch(/1 to 1000 entries, got 1001/);
  });
});
