import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { columnValues, epochLosses, runEpochs } from '../src/driver/driver';
import { explainColumn } from '../src/explain/explain';
import { lossCsv } from '../src/export/csv';
import { COMPARE_SHEET } from '../src/export/xlsx';
import { writeLanesXlsxFile } from '../src/export/xlsxFile';
import { trainLanes } from '../src/lanes/lanes';
import { buildLayout } from '../src/layout/layout';
import { loadPreset, PRESET_NAMES } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { withOverrides } from '../src/spec/validate';
import { buildWorkbook, type Workbook } from '../src/workbook/workbook';
import { namedFormula } from '../src/workbook/formulas';
import { readCsvNumbers, recalcWithLibreOffice } from './support/libreoffice';
import { referenceLosses } from './support/referenceLosses';
import { close } from './support/sheetCheck';
import { tempPath } from './support/xlsxFiles';

function trained(spec: Spec): Workbook {
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  return wb;
}

const reference = (spec: Spec) => referenceLosses(spec, initialParams(spec), sampleOrder(spec));
const xor44 = (epochs: number) => withOverrides(loadPreset('end2-xor-44'), { epochs });

describe('the epoch-loss column', () => {
  it('sample mode with several steps: the last column, L̄ = AVERAGE of the step losses; no other column moves', () => {
    const layout = buildLayout(loadPreset('end2-xor-44'));
    const col = layout.epochLossColumn;
    expect(col.name).toBe('L\u0304');
    expect(col.kind).toBe('epoch-loss');
    expect(col.group).toBe('epoch loss');
    expect(col.index).toBe(layout.columns.length - 1);
    expect(col.letter).toBe('ADL'); // column 792
    expect(namedFormula(col)).toBe('=AVERAGE(L[1],L[2],L[3],L[4])');
    expect(layout.stepLossColumns.map((c) => c.name)).toEqual(['L[1]', 'L[2]', 'L[3]', 'L[4]']);
    expect(layout.lossColumn.name).toBe('L[4]');
    // Letters the issues and the README quote.
    expect(layout.column('w1_1_1').letter).toBe('D');
    expect(layout.column('∂L/∂w1_1_1[1]').letter).toBe('EE');
    expect(buildLayout(loadPreset('end2-course-xor-2-2-1')).epochLossColumn.name).toBe('E\u0304');
  });

  it('full batch and single-step sample mode: the loss column already is the epoch loss, and no column is added', () => {
    for (const name of PRESET_NAMES) {
      for (const spec of [withOverrides(loadPreset(name), { batch: 'full' }), { ...withOverrides(loadPreset(name), { batch: 'sample' }), stepsPerEpoch: 1 }]) {
        const layout = buildLayout(spec);
        expect(layout.epochLossColumn, `${name} ${spec.batch}`).toBe(layout.lossColumn);
        expect(layout.stepLossColumns).toEqual([layout.lossColumn]);
        expect(layout.columns.some((c) => c.kind === 'epoch-loss')).toBe(false);
      }
    }
  });

  for (const [spec, label] of [[xor44(50), 'end2-xor-44'], [loadPreset('end2-xor-9'), 'end2-xor-9'], [loadPreset('end2-course-xor-2-2-1'), 'end2-course-xor-2-2-1']] as const) {
    it(`${label}: each epoch's L̄ is the reference trainer's mean of that epoch's step losses`, () => {
      const wb = trained(spec);
      const ref = reference(spec);
      const got = epochLosses(wb);
      expect(got).toHaveLength(spec.epochs);
      got.forEach((l, e) => expect(close(l, ref.mean[e]), `epoch ${e}: ${l} vs ${ref.mean[e]}`).toBe(true));
      wb.layout.stepLossColumns.forEach((c, s) =>
        columnValues(wb, c).forEach((l, e) => expect(close(l, ref.steps[e][s]), `epoch ${e}, ${c.name}`).toBe(true)));
      wb.hf.destroy();
    });
  }

  it('end2-xor-44, all 2001 epochs: L̄ is 0 only where all four steps drew the (0,0) sample; L[4] is 0 at hundreds of epochs', () => {
    // With no biases, the (0,0) sample's output is exactly 0 = its target, so its L1 loss is exactly 0: the last
    // step's loss is 0 whenever that step drew it, the mean only when every step of the epoch did (1 in 256).
    const spec = loadPreset('end2-xor-44');
    const wb = trained(spec);
    const ref = reference(spec);
    const zeroEpochs = (xs: number[]) => xs.flatMap((x, e) => (x === 0 ? [e] : []));
    const allZeroSamples = sampleOrder(spec)!.flatMap((draws, e) => (draws.every((s) => s === 0) ? [e] : []));
    expect(zeroEpochs(epochLosses(wb))).toEqual(allZeroSamples);
    expect(allZeroSamples.length).toBeLessThan(20);
    const stepZeros = zeroEpochs(columnValues(wb, wb.layout.lossColumn));
    expect(stepZeros).toEqual(zeroEpochs(ref.last));
    expect(stepZeros.length).toBeGreaterThan(500);
    expect(epochLosses(wb)[0]).toBe(ref.mean[0]);
    expect(Math.abs(ref.mean[0] - 0.4798)).toBeLessThan(1e-4); // the "falls from 0.48"
    wb.hf.destroy();
  }, 120_000);

  it('the explanation says what it averages and what the notebook prints instead', () => {
    const layout = buildLayout(loadPreset('end2-xor-44'));
    const text = explainColumn(layout, layout.epochLossColumn);
    expect(text).toContain('mean of its 4 step losses (L[1], L[2], L[3], L[4])');
    expect(text).toContain("prints the last step's loss, L[4]");
    expect(explainColumn(layout, layout.column('L[2]'))).toContain("the epoch's mean is L\u0304");
  });
});

describe('the loss CSV', () => {
  it('sample mode: epoch, L̄, then each step\'s loss, at full precision', () => {
    const spec = xor44(12);
    const wb = trained(spec);
    const ref = reference(spec);
    const [header, ...lines] = lossCsv(wb).trimEnd().split('\n');
    expect(header).toBe('epoch,L\u0304,L[1],L[2],L[3],L[4]');
    expect(lines).toHaveLength(12);
    lines.forEach((line, e) => {
      const [epoch, mean, ...steps] = line.split(',').map(Number);
      expect(epoch).toBe(e);
      expect(close(mean, ref.mean[e])).toBe(true);
      steps.forEach((l, s) => expect(close(l, ref.steps[e][s])).toBe(true));
    });
  });

  it('full batch: epoch and the one loss', () => {
    const spec = loadPreset('end2-backprop-2-2-2');
    const [header, first] = lossCsv(trained(spec)).split('\n');
    expect(header).toBe('epoch,E_total');
    expect(Math.abs(Number(first.split(',')[1]) - 0.2425198573)).toBeLessThan(1e-10); // the course's E_total at iteration 0
  });
});

describe('lanes compare epoch losses', () => {
  it('end2-xor-44: each lane\'s losses are the reference means at its η; the Compare sheet reads L̄ and LibreOffice agrees', async () => {
    const spec = xor44(30);
    const lrs = [0.01, 0.02];
    const lanes = trainLanes(spec, lrs);
    lanes.forEach((lane) => {
      const want = reference(withOverrides(spec, { lr: lane.lr })).mean;
      expect(lane.error).toBeNull();
      lane.losses.forEach((l, e) => expect(close(l, want[e]), `η ${lane.lr}, epoch ${e}`).toBe(true));
    });
    const path = tempPath('lanes-xor44.xlsx');
    await writeLanesXlsxFile(lanes.map((l) => ({ lr: l.lr, source: l.wb })), path, { flavour: 'values', version: 'test' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(path);
    const compare = book.getWorksheet(COMPARE_SHEET)!;
    const letter = buildLayout(spec).epochLossColumn.letter;
    expect(compare.getRow(1).getCell(2).value).toBe('L\u0304, η = 0.01');
    expect((compare.getRow(3).getCell(3).value as ExcelJS.CellFormulaValue).formula).toBe(`'lr 0.02'!${letter}3`);
    const csv = readCsvNumbers(recalcWithLibreOffice(path, 'csv'));
    lanes.forEach((lane, i) => lane.losses.forEach((l, e) => expect(Math.abs((csv[1 + e][1 + i] as number) - l)).toBeLessThan(1e-12)));
  }, 120_000);
});
