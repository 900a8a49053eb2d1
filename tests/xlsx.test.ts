import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { epochLosses, runEpochs } from '../src/driver/driver';
import { readGradsheetXlsx, ImportError } from '../src/export/importXlsx';
import type { Flavour } from '../src/export/xlsx';
import { writeXlsxFile } from '../src/export/xlsxFile';
import { snapshotSource } from '../src/export/snapshot';
import { buildLayout, TRAIN_SHEET } from '../src/layout/layout';
import { loadPreset } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { withOverrides } from '../src/spec/validate';
import { buildWorkbook, type Workbook } from '../src/workbook/workbook';
import { readCsvNumbers, recalcWithLibreOffice } from './support/libreoffice';
import { setCellValueInFile, tempPath, xlsxParts } from './support/xlsxFiles';

const VERSION = 'test';

function trained(spec: Spec): Workbook {
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  return wb;
}

/** `snapshot`: export from a copy of the values, as the CLI does after freeing the engine. */
async function exported(wb: Workbook, flavour: Flavour, name = 'sheet.xlsx', snapshot = false): Promise<string> {
  const path = tempPath(name);
  await writeXlsxFile(snapshot ? snapshotSource(wb) : wb, path, { flavour, version: VERSION });
  return path;
}

interface Compare { rel: number; abs: number; epochs?: number }

/**
 * Every formula cell LibreOffice recomputed equals gradsheet's value. In the live flavour the weights and
 * velocities of later rows are formulas too. Returns how many cells were compared.
 */
function expectLibreOfficeAgrees(wb: Workbook, flavour: Flavour, csv: (number | string)[][], tol: Compare): number {
  const { layout } = wb;
  const values = wb.hf.getSheetValues(wb.train);
  const epochs = Math.min(tol.epochs ?? wb.rows, wb.rows);
  const carried = new Set([...layout.weightColumns, ...(layout.velocityColumns ?? [])].map((c) => c.index));
  const bad: string[] = [];
  let compared = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const row = layout.rowOf(epoch);
    for (const col of layout.columns) {
      const isFormula = (col.formula && !(col.numberAtEpoch0 && epoch === 0)) || (flavour === 'live' && epoch > 0 && carried.has(col.index));
      if (!isFormula) continue;
      const want = values[row][col.index] as number;
      const got = csv[row][col.index];
      compared++;
      if (typeof got !== 'number' || Math.abs(got - want) > tol.rel * Math.abs(want) + tol.abs) {
        if (bad.length < 10) bad.push(`epoch ${epoch}, ${col.name} (${col.letter}${row + 1}): LibreOffice ${got}, gradsheet ${want}`);
      }
    }
  }
  expect(bad).toEqual([]);
  return compared;
}

const EXACT: Compare = { rel: 1e-12, abs: 1e-14 };

describe('XLSX export recomputed by LibreOffice, values flavour', () => {
  it('end2-backprop-2-2-2: every formula cell, and a planted wrong cached value comes back right', async () => {
    const wb = trained(loadPreset('end2-backprop-2-2-2'));
    const path = await exported(wb, 'values');
    const eTotal = wb.layout.column('E_total');
    const address = `${eTotal.letter}${wb.layout.rowOf(20) + 1}`;
    await setCellValueInFile(path, address, 12345);
    const csv = readCsvNumbers(recalcWithLibreOffice(path, 'csv'));
    expect(csv[wb.layout.rowOf(20)][eTotal.index]).not.toBe(12345);
    expect(expectLibreOfficeAgrees(wb, 'values', csv, EXACT)).toBe(51 * 36 - 1);
  }, 120_000);

  it('end2-xor-44, all 2001 epochs: every formula cell, and a planted wrong cached value comes back right', async () => {
    const wb = trained(loadPreset('end2-xor-44'));
    const path = await exported(wb, 'values', 'xor44.xlsx', true);
    const { lossColumn: loss, epochLossColumn: mean } = wb.layout;
    await setCellValueInFile(path, `${loss.letter}${wb.layout.rowOf(1500) + 1}`, 12345);
    await setCellValueInFile(path, `${mean.letter}${wb.layout.rowOf(1000) + 1}`, 12345);
    const csv = readCsvNumbers(recalcWithLibreOffice(path, 'csv'));
    expect(csv[wb.layout.rowOf(1500)][loss.index]).not.toBe(12345);
    // The epoch's mean loss L̄ is the row's last column, a formula LibreOffice recomputes like the others.
    expect(csv[0].slice(-1)).toEqual(['L\u0304']);
    expect(csv[wb.layout.rowOf(1000)][mean.index]).not.toBe(12345);
    const formulaColumns = wb.layout.columns.filter((c) => c.formula).length;
    // Every formula cell of every row; η and μ are numbers at epoch 0.
    expect(expectLibreOfficeAgrees(wb, 'values', csv, EXACT)).toBe(2001 * formulaColumns - 2);
  }, 1_200_000);
});

describe('XLSX export, live flavour: the file trains itself in the spreadsheet', () => {
  it('full batch (end2-backprop-2-2-2) agrees on every epoch to 1e-9', async () => {
    const wb = trained(loadPreset('end2-backprop-2-2-2'));
    const csv = readCsvNumbers(recalcWithLibreOffice(await exported(wb, 'live'), 'csv'));
    expectLibreOfficeAgrees(wb, 'live', csv, { rel: 1e-9, abs: 1e-12 });
  }, 120_000);

  it('single samples (end2-xor-9) agree on the first 20 epochs to 1e-9', async () => {
    const wb = trained(loadPreset('end2-xor-9'));
    const csv = readCsvNumbers(recalcWithLibreOffice(await exported(wb, 'live'), 'csv'));
    expect(csv[0][wb.layout.epochLossColumn.index]).toBe('L\u0304');
    expectLibreOfficeAgrees(wb, 'live', csv, { rel: 1e-9, abs: 1e-12, epochs: 20 });
  }, 120_000);

  it('a new learning rate typed into the file gives the loss curve gradsheet trains with it', async () => {
    const spec = loadPreset('end2-backprop-2-2-2');
    const wb = trained(spec);
    const path = await exported(wb, 'live');
    const lr = wb.layout.lrColumn;
    await setCellValueInFile(path, `${lr.letter}${wb.layout.rowOf(0) + 1}`, 2);
    const csv = readCsvNumbers(recalcWithLibreOffice(path, 'csv'));
    const want = epochLosses(trained(withOverrides(spec, { lr: 2 })));
    const got = want.map((_, e) => csv[wb.layout.rowOf(e)][wb.layout.lossColumn.index] as number);
    got.forEach((l, e) => expect(Math.abs(l - want[e]), `epoch ${e}`).toBeLessThan(1e-9));
    expect(Math.abs(got[50] - 0.0122261078)).toBeLessThan(1e-9); // the class table, η = 2.0, iteration 50
  }, 120_000);
});

describe('XLSX export from a snapshot of the values (the CLI frees the engine first)', () => {
  for (const [preset, flavour] of [['end2-backprop-2-2-2', 'live'], ['end2-xor-9', 'values']] as const) {
    it(`${preset} (${flavour}): the same workbook as from the engine`, async () => {
      const wb = trained(loadPreset(preset));
      const fromEngine = await exported(wb, flavour, 'engine.xlsx');
      const fromSnapshot = await exported(wb, flavour, 'snapshot.xlsx', true);
      expect(await xlsxParts(fromSnapshot)).toEqual(await xlsxParts(fromEngine));
    }, 60_000);
  }
});

describe('XLSX import', () => {
  for (const [preset, flavour] of [['end2-backprop-2-2-2', 'values'], ['end2-xor-9', 'live'], ['end2-course-xor-2-2-1', 'values']] as const) {
    it(`${preset} (${flavour}): export, import, export again gives the same workbook`, async () => {
      const first = await exported(trained(loadPreset(preset)), flavour);
      const spec = await readGradsheetXlsx(readFileSync(first));
      const second = await exported(trained(spec), flavour);
      expect(await xlsxParts(second)).toEqual(await xlsxParts(first));
    }, 60_000);
  }

  it('a workbook exported before the epoch-loss column L̄ existed (its last column missing) still imports', async () => {
    const wb = trained(loadPreset('end2-xor-9'));
    const path = await exported(wb, 'values');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(path);
    const train = book.getWorksheet(TRAIN_SHEET)!;
    expect(train.getRow(1).getCell(wb.layout.epochLossColumn.index + 1).value).toBe('L\u0304');
    train.spliceColumns(wb.layout.epochLossColumn.index + 1, 1);
    const older = tempPath('older.xlsx');
    await book.xlsx.writeFile(older);
    expect(await readGradsheetXlsx(readFileSync(older))).toEqual(await readGradsheetXlsx(readFileSync(path)));
    // Any other column missing or renamed is still refused.
    train.getRow(1).getCell(wb.layout.lossColumn.index + 1).value = 'loss';
    await book.xlsx.writeFile(older);
    await expect(readGradsheetXlsx(readFileSync(older))).rejects.toThrow(/should be the column "L\[4\]"/);
  }, 60_000);

  it('a starting weight and the learning rate edited in the file come back', async () => {
    const wb = trained(loadPreset('end2-backprop-2-2-2'));
    const path = await exported(wb, 'values');
    await setCellValueInFile(path, `${wb.layout.column('w5').letter}2`, 0.9);
    await setCellValueInFile(path, `${wb.layout.lrColumn.letter}2`, 1);
    const spec = await readGradsheetXlsx(readFileSync(path));
    expect(spec.optimizer.lr).toBe(1);
    expect(spec.initial![1].weight[0][0]).toBe(0.9);
  }, 60_000);

  it('refuses what is not ours, not XLSX, or damaged, with a message', async () => {
    await expect(readGradsheetXlsx(new TextEncoder().encode('hello, world'))).rejects.toThrow(ImportError);
    await expect(readGradsheetXlsx(new TextEncoder().encode('hello, world'))).rejects.toThrow(/not an XLSX file: it is not a zip archive/);
    const path = await exported(trained(loadPreset('end2-backprop-2-2-2')), 'values');
    await setCellValueInFile(path, 'A2', 0); // still ours; now damage a sample-free preset's weight instead
    await setCellValueInFile(path, 'C2', Number.NaN);
    await expect(readGradsheetXlsx(readFileSync(path))).rejects.toThrow(/Train!C2 \(w1\) should hold a number/);
  }, 60_000);
});
