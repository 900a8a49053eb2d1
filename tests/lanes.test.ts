import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeLanesXlsxFile } from '../src/export/xlsxFile';
import { trainLanes } from '../src/lanes/lanes';
import { COURSE_LEARNING_RATES, parseLearningRates } from '../src/lanes/rates';
import { loadPreset } from '../src/spec/presets';
import { withOverrides } from '../src/spec/validate';
import { E_TOTAL_BY_LR, ITERATIONS } from './support/golden';
import { readCsvNumbers, recalcWithLibreOffice } from './support/libreoffice';
import { tempPath } from './support/xlsxFiles';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const golden = (lr: number) => E_TOTAL_BY_LR[lr.toFixed(1)];

describe('learning-rate lanes', () => {
  it('reproduce the course table of E_total at iterations 0, 1, 2, 5, 10, 20 and 50 for all six learning rates (1e-9)', () => {
    const lanes = trainLanes(withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 51 }), COURSE_LEARNING_RATES);
    expect(lanes.map((l) => l.lr)).toEqual([0.1, 0.2, 0.5, 0.8, 1.0, 2.0]);
    for (const lane of lanes) {
      expect(lane.error).toBeNull();
      ITERATIONS.forEach((it, i) => expect(Math.abs(lane.losses[it] - golden(lane.lr)[i]), `η ${lane.lr}, iteration ${it}`).toBeLessThan(1e-9));
    }
  });

  it('CLI --lanes prints the same table; --out writes a Compare sheet that LibreOffice recomputes to it', async () => {
    const out = tempPath('lanes.xlsx');
    const r = spawnSync('node_modules/.bin/tsx', ['src/cli/train.ts', '--preset', 'end2-backprop-2-2-2', '--epochs', '51', '--lanes', '0.1,0.2,0.5,0.8,1.0,2.0', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const rows = new Map(r.stdout.split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => {
      const [epoch, ...losses] = l.trim().split(/\s+/).map(Number);
      return [epoch, losses] as const;
    }));
    for (const [i, it] of ITERATIONS.entries()) {
      COURSE_LEARNING_RATES.forEach((lr, lane) => expect(Math.abs(rows.get(it)![lane] - golden(lr)[i])).toBeLessThan(1e-9));
    }
    const csv = readCsvNumbers(recalcWithLibreOffice(out, 'csv'));
    expect(csv[0][0]).toBe('epoch');
    for (const [i, it] of ITERATIONS.entries()) {
      COURSE_LEARNING_RATES.forEach((lr, lane) => expect(Math.abs((csv[1 + it][1 + lane] as number) - golden(lr)[i])).toBeLessThan(1e-9));
    }
  }, 120_000);

  it('in the live flavour each lane sheet trains itself from its own learning rate, and Compare follows', async () => {
    const spec = withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 51 });
    const lanes = trainLanes(spec, [0.1, 0.5]);
    const path = tempPath('lanes-live.xlsx');
    await writeLanesXlsxFile(lanes.map((l) => ({ lr: l.lr, source: l.wb })), path, { flavour: 'live', version: 'test' });
    const csv = readCsvNumbers(recalcWithLibreOffice(path, 'csv'));
    ITERATIONS.forEach((it, i) => {
      expect(Math.abs((csv[1 + it][1] as number) - golden(0.1)[i])).toBeLessThan(1e-9);
      expect(Math.abs((csv[1 + it][2] as number) - golden(0.5)[i])).toBeLessThan(1e-9);
    });
  }, 120_000);

  it('bad learning-rate lists are refused with the reason', () => {
    expect(() => parseLearningRates('0.1,abc')).toThrow(/"abc"/);
    expect(() => parseLearningRates('0.1,-2')).toThrow(/positive/);
    expect(() => parseLearningRates('0.1,0.1')).toThrow(/once/);
    expect(() => parseLearningRates('')).toThrow(/positive/);
    const r = spawnSync('node_modules/.bin/tsx', ['src/cli/train.ts', '--preset', 'end2-backprop-2-2-2', '--lanes', '0.1,x'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--lanes: .*"x"/);
  });
});
