import { describe, expect, it } from 'vitest';
import { columnValues, epochLosses, runEpochs } from '../src/driver/driver';
import { buildLayout } from '../src/layout/layout';
import { trainReference } from '../src/reference/trainer';
import { loadPreset, PRESET_NAMES } from '../src/spec/presets';
import { flattenParams, initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { withOverrides } from '../src/spec/validate';
import { buildWorkbook, numberAt, type Workbook } from '../src/workbook/workbook';
import { E_TOTAL_BY_LR, ITERATIONS } from './support/golden';
import { referenceLosses } from './support/referenceLosses';
import { close, compareSheetWithReference } from './support/sheetCheck';

function trained(spec: Spec): Workbook {
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  return wb;
}


describe('end2-backprop-2-2-2 in the formula engine reproduces the class values', () => {
  const spec = loadPreset('end2-backprop-2-2-2');

  it('iteration 0: every golden value, by name', () => {
    const wb = trained(spec);
    const at = (name: string) => numberAt(wb, 0, wb.layout.column(name));
    const golden: Record<string, number> = {
      h1: 0.0275, a_h1: 0.5068745668, h2: 0.0425, a_h2: 0.510623401,
      o1: 0.4325303572, a_o1: 0.6064777322, o2: 0.5342801539, a_o2: 0.6304808355,
      E1: 0.1778928425, E2: 0.06462701484, E_total: 0.2425198573,
      '∂E/∂w1': 1.882556669e-4, '∂E/∂w2': 3.765113339e-4, '∂E/∂w3': 2.248134626e-4, '∂E/∂w4': 4.496269252e-4,
      '∂E/∂w5': 0.07215707291, '∂E/∂w6': 0.07269074519, '∂E/∂w7': -0.04245525009, '∂E/∂w8': -0.04276924828,
      'new w1': 0.1499058722, 'new w2': 0.1998117443, 'new w3': 0.2498875933, 'new w4': 0.2997751865,
      'new w5': 0.3639214635, 'new w6': 0.4136546274, 'new w7': 0.521227625, 'new w8': 0.5713846241,
    };
    for (const [name, want] of Object.entries(golden)) expect(Math.abs(at(name) - want), name).toBeLessThan(1e-9);
    // The next row starts from the new weights the driver copied.
    expect(numberAt(wb, 1, wb.layout.column('w5'))).toBe(at('new w5'));
  });

  for (const [lr, row] of Object.entries(E_TOTAL_BY_LR)) {
    it(`E_total at iterations ${ITERATIONS.join(', ')} for η = ${lr}`, () => {
      const wb = trained(withOverrides(spec, { lr: Number(lr) }));
      const losses = epochLosses(wb);
      ITERATIONS.forEach((it, i) => expect(Math.abs(losses[it] - row[i]), `iteration ${it}`).toBeLessThan(1e-9));
    });
  }

  it('changing η in the first row recomputes every row that depends on it', () => {
    const wb = trained(spec);
    const { hf, layout } = wb;
    hf.setCellContents({ sheet: wb.train, row: layout.rowOf(0), col: layout.lrColumn.index }, 2);
    expect(numberAt(wb, 50, layout.lrColumn)).toBe(2);
    expect(numberAt(wb, 0, layout.column('new w5'))).toBeCloseTo(0.4 - 2 * 0.07215707291, 9);
    runEpochs(wb);
    expect(Math.abs(epochLosses(wb)[50] - E_TOTAL_BY_LR['2.0'][6])).toBeLessThan(1e-9);
  });
});

/** Every preset, plus end2-xor-44 in full mode with and without momentum. */
const CASES: [string, () => Spec][] = [
  ...PRESET_NAMES.map((name): [string, () => Spec] => [name, () => loadPreset(name)]),
  ['end2-xor-44 full batch, momentum 0.9', () => withOverrides(loadPreset('end2-xor-44'), { batch: 'full' })],
  ['end2-xor-44 full batch, no momentum', () => withOverrides(loadPreset('end2-xor-44'), { batch: 'full', momentum: 0 })],
  ['end2-xor-9 sample mode, no momentum', () => withOverrides(loadPreset('end2-xor-9'), { momentum: 0 })],
  ['end2-backprop-2-2-2 with momentum 0.5', () => withOverrides(loadPreset('end2-backprop-2-2-2'), { momentum: 0.5 })],
];

describe('every cell the engine computed equals the reference trainer (from that row\'s own weights)', () => {
  for (const [label, make] of CASES) {
    it(label, () => {
      const spec = make();
      const wb = trained(spec);
      const { mismatches, cells } = compareSheetWithReference(wb);
      expect(mismatches).toEqual([]);
      expect(cells).toBe(spec.epochs * wb.layout.columns.length);

      // Whole runs: the sheet sums in the reference's order, so even single-sample L1 runs agree throughout.
      const ref = trainReference(spec, initialParams(spec), sampleOrder(spec));
      const { last, mean } = referenceLosses(spec, initialParams(spec), sampleOrder(spec));
      const far = columnValues(wb, wb.layout.lossColumn).findIndex((l, e) => !close(l, last[e]));
      expect(far, `first epoch whose loss differs from the reference run`).toBe(-1);
      const farMean = epochLosses(wb).findIndex((l, e) => !close(l, mean[e]));
      expect(farMean, `first epoch whose mean loss differs from the reference run's mean of its step losses`).toBe(-1);
      const final = wb.layout.nextWeightColumns.map((c) => numberAt(wb, spec.epochs - 1, c));
      flattenParams(ref.final).forEach((w, p) => expect(close(final[p], w), `final ${wb.layout.params[p].name}`).toBe(true));
      wb.hf.destroy();
    }, 300_000);
  }
});
