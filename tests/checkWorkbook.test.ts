import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { classifyHeader, MappingError } from '../src/check/classic';
import { checkWorkbookBytes, checkWorkbookData, MapError, renderReport, UnreadableError } from '../src/check/check';
import { readWorkbookData } from '../src/check/load';
import { planFromMap } from '../src/check/mapFile';
import { checkWorkbookFile } from '../src/check/node';
import type { CheckReport, GradientResult, WorkbookReport } from '../src/check/types';
import { checkWorkbookFileBytes } from '../src/check/workbook';
import { runEpochs } from '../src/driver/driver';
import type { Flavour } from '../src/export/xlsx';
import { writeXlsxFile } from '../src/export/xlsxFile';
import { buildLayout } from '../src/layout/layout';
import { loadPreset, PRESET_NAMES } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import { withOverrides } from '../src/spec/validate';
import { batchTableRows, CHECK_MAX_BYTES, reportSections, runWorkbookCheck, verdictLine, type WorkbookCheckView } from '../src/web/views/checkReport';
import { buildWorkbook, numberAt, type Workbook } from '../src/workbook/workbook';
import { GOLDEN_GRADIENTS } from './support/checkGolden';
import {
  addPartsToFile, CLASSIC_FORMULAS, setCellFormulaInFile, writeBlockSheet, writeClassicSheet, writeWorkbook,
} from './support/handmadeSheets';
import { tempPath } from './support/xlsxFiles';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = join(ROOT, 'sheets/maps/example-block-layout.xlsx');
const EXAMPLE_MAP = join(ROOT, 'sheets/maps/example-check-map.json');

function trained(preset: string, epochs = 3): Workbook {
  const spec = withOverrides(loadPreset(preset), { epochs });
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  return wb;
}

async function exported(wb: Workbook, flavour: Flavour): Promise<string> {
  const path = tempPath(`${wb.layout.spec.name}-${flavour}.xlsx`);
  await writeXlsxFile(wb, path, { flavour, version: 'test' });
  return path;
}

const failing = (r: CheckReport) => r.gradients.filter((g) => g.status !== 'pass');
const failingUpdates = (r: CheckReport) => r.updates.filter((u) => u.status !== 'pass');
const byName = (r: CheckReport, gradient: string): GradientResult => r.gradients.find((g) => g.gradient === gradient)!;

describe('classic headers', () => {
  it('recognises the spellings learners use, and nothing else', () => {
    expect(classifyHeader('w1')).toEqual({ role: 'param', key: 'w1', step: null });
    expect(classifyHeader('w_1')).toEqual({ role: 'param', key: 'w1', step: null });
    expect(classifyHeader('W12')).toEqual({ role: 'param', key: 'w12', step: null });
    expect(classifyHeader('w1_1_1')).toEqual({ role: 'param', key: 'w1_1_1', step: null });
    expect(classifyHeader('b3')).toEqual({ role: 'param', key: 'b3', step: null });
    for (const loss of ['E_total', 'E_Total', 'E_tot', 'Etotal', 'E', 'Loss', 'L', 'E total']) expect(classifyHeader(loss)?.role, loss).toBe('loss');
    expect(classifyHeader('L[3]')).toEqual({ role: 'loss', step: 3, rank: 1 });
    for (const g of ['∂E/∂w1', 'dE/dw1', 'δE_t/δw1', 'E∂w1', '∂E_total/∂w1', '∂E_Total/∂w1', 'dEtotal/dw1', '𝜕E/𝜕w1', 'dw1', 'grad w1', '∂E/∂w₁']) {
      expect(classifyHeader(g), g).toEqual({ role: 'grad', key: 'w1', step: null });
    }
    expect(classifyHeader('∂L/∂w2_3_1[4]')).toEqual({ role: 'grad', key: 'w2_3_1', step: 4 });
    expect(classifyHeader('new w5[2]')).toEqual({ role: 'new-param', key: 'w5', step: 2 });
    expect(classifyHeader("w5'")).toEqual({ role: 'new-param', key: 'w5', step: null });
    expect(classifyHeader('v_w1')).toEqual({ role: 'velocity', key: 'w1', step: null });
    expect(classifyHeader('new v_b2[1]')).toEqual({ role: 'new-velocity', key: 'b2', step: 1 });
    for (const lr of ['η', 'lr', 'learning rate', 'eta', 'α']) expect(classifyHeader(lr)?.role, lr).toBe('lr');
    expect(classifyHeader('μ')?.role).toBe('momentum');
    for (const other of ['E1', 'E2', '∂E/∂o1', '∂E/∂h1', '∂L/∂h2_3[1]', 'a_h1', 'h1', 'i1', 't1', 'o1', 'sample[1]', 'weights']) {
      expect(classifyHeader(other), other).toBeNull();
    }
  });
});

describe('gradsheet exports: every gradient cell passes', () => {
  for (const preset of PRESET_NAMES) {
    for (const flavour of ['values', 'live'] as const) {
      it(`${preset} (${flavour}): mapped automatically to the layout's own cells, all pass`, async () => {
        const wb = trained(preset);
        const path = await exported(wb, flavour);
        const report = await checkWorkbookFile(path);
        const { layout } = wb;
        // Every row, every sheet: the Train sheet passes, the others hold numbers only.
        const whole = await checkWorkbookFileBytes(readFileSync(path), 'export.xlsx');
        expect(whole.verdict).toBe('pass');
        expect(whole.sheets.map((s) => [s.sheet, s.verdict])).toEqual([['Train', 'pass'], ['Data', 'numbers-only'], ['Run', 'numbers-only'], ['Columns', 'numbers-only']]);
        expect(whole.sheets[0].columns.filter((c) => c.kind === 'gradient')).toHaveLength(layout.columns.filter((c) => c.kind === 'grad').length);
        expect(report.verdict).toBe('pass');
        expect(failing(report)).toEqual([]);
        expect(failingUpdates(report)).toEqual([]);
        // The oracle: the layout knows which columns are gradients and what they hold at epoch 0.
        const grads = layout.columns.filter((c) => c.kind === 'grad');
        expect(report.gradients.map((g) => g.gradientAddress).sort()).toEqual(grads.map((c) => `${c.letter}2`).sort());
        for (const g of report.gradients) {
          const col = grads.find((c) => `${c.letter}2` === g.gradientAddress)!;
          expect(g.claimed).toBe(numberAt(wb, 0, col));
        }
        // One step a row in full batch, one per single-sample step otherwise, each against its own loss.
        const steps = layout.spec.batch === 'full' ? 1 : layout.spec.stepsPerEpoch;
        expect(new Set(report.gradients.map((g) => g.step)).size).toBe(steps);
        // Each weight's update: the new-weight cell and the next row's weight (and velocities with momentum).
        const perWeight = layout.momentumColumn ? 2 : 1;
        expect(report.updates.length).toBe(layout.params.length * (steps + 1) * perWeight);
      }, 120_000);
    }
  }

  it('late rows of a 300-epoch end2-xor-44 pass: an L1 loss near 0 is computed from numbers near 1, and the floor follows them', async () => {
    const wb = trained('end2-xor-44', 300);
    const path = tempPath('xor44-300.xlsx');
    await writeXlsxFile(wb, path, { flavour: 'values', version: 'test' });
    const data = await readWorkbookData(readFileSync(path));
    for (const row of [150, 290, 301]) {
      const report = checkWorkbookData(data, { fileName: 'xor44-300.xlsx', row });
      expect(failing(report), `row ${row}`).toEqual([]);
      expect(report.verdict).toBe('pass');
    }
  }, 300_000);

  it('--row checks a later iteration: end2-backprop-2-2-2 at epoch 4 (sheet row 6)', async () => {
    const wb = trained('end2-backprop-2-2-2', 8);
    const report = await checkWorkbookFile(await exported(wb, 'values'), { row: 6 });
    expect(report.verdict).toBe('pass');
    expect(report.row).toBe(6);
    const col = wb.layout.column('∂E/∂w5');
    expect(byName(report, '∂E/∂w5').claimed).toBe(numberAt(wb, 4, col));
    expect(report.found.join('\n')).toContain('checked row 6 (epoch 4)');
  });
});

describe('planted mistakes in an exported end2-backprop-2-2-2 are found and named', () => {
  // Columns of the export: P a_h1, R a_h2, T a_o1, M t1, Z ∂E/∂o1, AH ∂E/∂w5, AP new w5, G w5, B η.
  it('checks that the columns are where this test plants its mistakes', () => {
    const layout = buildLayout(loadPreset('end2-backprop-2-2-2'));
    const letters = Object.fromEntries(['a_h1', 'a_h2', 'a_o1', 't1', '∂E/∂o1', '∂E/∂w5', 'new w5', 'w5', 'η'].map((n) => [n, layout.column(n).letter]));
    expect(letters).toEqual({ a_h1: 'P', a_h2: 'R', a_o1: 'T', t1: 'M', '∂E/∂o1': 'Z', '∂E/∂w5': 'AH', 'new w5': 'AP', w5: 'G', η: 'B' });
  });

  it('∂E/∂w5 reading a_h2 instead of a_h1: that cell fails, and the report says so', async () => {
    const path = await exported(trained('end2-backprop-2-2-2'), 'live');
    await setCellFormulaInFile(path, 'AH2', 'Z2*R2');
    const report = await checkWorkbookFile(path);
    expect(report.verdict).toBe('fail');
    expect(failing(report).map((g) => `${g.gradient} ${g.gradientAddress}`)).toEqual(['∂E/∂w5 AH2']);
    const g = byName(report, '∂E/∂w5');
    expect(g.formula).toBe('=∂E/∂o1*a_h2');
    expect(g.reads!.map((r) => r.name)).toEqual(['∂E/∂o1', 'a_h2']);
    expect(g.hints).toContain('reads a_h2 where the chain rule for w5 needs a_h1 (w5 multiplies a_h1 in o1)');
    expect(Math.abs(g.numeric! / 0.07215707291 - 1)).toBeLessThan(1e-9); // the class value
    // The update uses the claimed gradient consistently, so the update rule holds.
    expect(failingUpdates(report)).toEqual([]);
    const text = renderReport(report);
    expect(text).toContain('→ reads a_h2 where the chain rule for w5 needs a_h1');
    expect(text).toContain('FAIL: 7 of 8 gradient cells pass, 1 fail');
  });

  it('∂E/∂w5 without the σ′ factor a_o1·(1 − a_o1): that cell fails, the missing factor is named', async () => {
    const path = await exported(trained('end2-backprop-2-2-2'), 'live');
    await setCellFormulaInFile(path, 'AH2', '(T2-M2)*P2');
    const report = await checkWorkbookFile(path);
    expect(failing(report).map((g) => g.gradientAddress)).toEqual(['AH2']);
    const g = byName(report, '∂E/∂w5');
    expect(g.formula).toBe('=(a_o1-t1)*a_h1');
    expect(g.hints.join('\n')).toContain('numerical = claimed × a_o1·(1 − a_o1), the sigmoid\'s derivative at a_o1: the formula misses that factor');
  });

  it('a wrong sign in the update (new w5 = w5 + η·∂E/∂w5): the update rule fails for w5 only, gradients pass', async () => {
    for (const flavour of ['live', 'values'] as const) {
      const path = await exported(trained('end2-backprop-2-2-2'), flavour);
      await setCellFormulaInFile(path, 'AP2', 'G2+B2*AH2');
      const report = await checkWorkbookFile(path);
      expect(failing(report)).toEqual([]);
      const bad = failingUpdates(report);
      // live: the next row's w5 reads new w5, so both fail; values: the next row holds the number gradsheet copied.
      expect(bad.map((u) => `${u.nextName} ${u.nextAddress}`), flavour).toEqual(flavour === 'live' ? ['new w5 AP2', 'w5 G3'] : ['new w5 AP2']);
      expect(bad.every((u) => u.weight === 'w5')).toBe(true);
      expect(bad[0].hints).toEqual(['the update adds η·gradient: the sign is wrong (it should be w − η·∂E/∂w)']);
      expect(bad[0].formula).toBe('=w5+η*∂E/∂w5');
      expect(report.verdict).toBe('fail');
    }
  });
});

describe('a hand-made classic sheet (exceljs, formulas filled down as shared formulas)', () => {
  it('is read with its shared formulas translated, and every gradient equals the class values', async () => {
    const path = tempPath('student.xlsx');
    await writeClassicSheet(path);
    const xml = await (await JSZip.loadAsync(readFileSync(path))).file('xl/worksheets/sheet1.xml')!.async('string');
    expect(xml).toMatch(/<f t="shared"[^>]*ref="X5:X10"/);
    const data = await readWorkbookData(readFileSync(path));
    // X7 is a clone of X5's shared formula: exceljs gives it translated to row 7.
    expect(data.sheets[0].rows[6][23]!.formula).toBe('((R7-C7)*R7*(1-R7)*M7+(T7-D7)*T7*(1-T7)*O7)*J7*(1-J7)*A7');
    const report = await checkWorkbookFile(path);
    expect(report.verdict).toBe('pass');
    expect(report.row).toBe(5);
    expect(report.found.join('\n')).toContain('learning rate: the cell η (B2) that w1\'s update E6 reads = 0.5');
    report.gradients.forEach((g, i) => expect(Math.abs(g.claimed! / GOLDEN_GRADIENTS[i] - 1), g.gradient).toBeLessThan(1e-9));
    expect(report.updates.map((u) => u.nextAddress)).toEqual(['E6', 'F6', 'G6', 'H6', 'M6', 'N6', 'O6', 'P6']);
    const later = await checkWorkbookFile(path, { row: 8 });
    expect(later.verdict).toBe('pass');
    expect(later.updates[0].nextAddress).toBe('E9');
  });

  it('∂E/∂w1 with a_h2·(1 − a_h2) instead of a_h1·(1 − a_h1) fails, naming a_h2 and a_h1', async () => {
    const path = tempPath('student-ah2.xlsx');
    await writeClassicSheet(path, { formulas: { '∂E/∂w1': CLASSIC_FORMULAS['∂E/∂w1'].replace('a_h1*(1-a_h1)', 'a_h2*(1-a_h2)') } });
    const report = await checkWorkbookFile(path);
    expect(failing(report).map((g) => g.gradient)).toEqual(['∂E/∂w1']);
    expect(byName(report, '∂E/∂w1').hints).toContain('reads a_h2 where the chain rule for w1 needs a_h1 (w1 does not affect a_h2)');
    expect(failingUpdates(report)).toEqual([]);
  });

  it('∂E/∂w5 without σ′ fails, naming the missing factor', async () => {
    const path = tempPath('student-sigma.xlsx');
    await writeClassicSheet(path, { formulas: { '∂E/∂w5': '=(a_o1-t1)*a_h1' } });
    const report = await checkWorkbookFile(path);
    expect(failing(report).map((g) => g.gradient)).toEqual(['∂E/∂w5']);
    expect(byName(report, '∂E/∂w5').hints.join('\n')).toContain('a_o1·(1 − a_o1), the sigmoid\'s derivative at a_o1');
  });

  it('a wrong sign in the next row\'s w3 fails the update rule for w3 only', async () => {
    const path = tempPath('student-sign.xlsx');
    await writeClassicSheet(path, { update: { w3: '=w3@prev+$B$2*∂E/∂w3@prev' } });
    const report = await checkWorkbookFile(path);
    expect(failing(report)).toEqual([]);
    const bad = failingUpdates(report);
    expect(bad.map((u) => `${u.weight} ${u.nextAddress}`)).toEqual(['w3 G6']);
    expect(bad[0].formula).toBe('=w3+η*∂E/∂w3');
    expect(bad[0].hints[0]).toContain('the sign is wrong');
  });

  it('a learning-rate cell far below the rows checked: the whole sheet is loaded, and it passes', async () => {
    const path = tempPath('student-far.xlsx');
    const { classicSheet } = await import('./support/handmadeSheets');
    const { grid, shared } = classicSheet({ iterations: 40 });
    grid[1][1] = '=B200';
    while (grid.length < 200) grid.push([]);
    grid[199] = ['η', 0.5];
    await writeWorkbook(path, { Backprop: grid }, shared);
    const report = await checkWorkbookFile(path);
    expect(report.verdict).toBe('pass');
    expect(report.notes.join('\n')).not.toContain('were loaded');
    const near = tempPath('student-40.xlsx');
    await writeClassicSheet(near, { iterations: 40 });
    expect((await checkWorkbookFile(near)).notes).toContain('only rows 1–6 of "Backprop" were loaded: nothing the checked cells read lies below');
  });
});

describe('a sheet unlike the classic one, through a map file', () => {
  it('the committed example (sheets/maps) passes with its map, and is refused without one, saying what was found', async () => {
    const report = await checkWorkbookFile(EXAMPLE, { mapPath: EXAMPLE_MAP });
    expect(report.verdict).toBe('pass');
    expect(report.source).toBe('map');
    report.gradients.forEach((g, i) => expect(Math.abs(g.claimed! / GOLDEN_GRADIENTS[i] - 1)).toBeLessThan(1e-9));
    expect(report.updates.map((u) => u.nextName)).toEqual(['new w1', 'new w2', 'new w3', 'new w4', 'new w5', 'new w6', 'new w7', 'new w8']);
    const err = await checkWorkbookFile(EXAMPLE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    const lines = (err as MappingError).lines.join('\n');
    expect(lines).toContain('best header row 6: weights: w1, w2; loss: none; gradients: none');
    expect(lines).toContain('headers seen: w1, w2');
    expect(lines).toContain('--map');
  });

  it('the committed example is the one tests/support/makeExampleWorkbook.ts writes', async () => {
    const path = tempPath('block.xlsx');
    await writeBlockSheet(path);
    const cells = async (p: string) => (await readWorkbookData(readFileSync(p))).sheets.map((s) => s.rows.map((r) => r.map((c) => c?.formula ?? c?.value)));
    expect(await cells(EXAMPLE)).toEqual(await cells(path));
  });

  it('planted mistakes in the block layout: a gradient reading the wrong activation, a wrong-signed new weight', async () => {
    const path = tempPath('block-bad.xlsx');
    await writeBlockSheet(path, { E17: '=D17*C16', D24: '=D7+$B$3*F16' });
    const report = await checkWorkbookFile(path, { mapPath: EXAMPLE_MAP });
    expect(failing(report).map((g) => `${g.gradient} ${g.gradientAddress}`)).toEqual(['∂E/∂w5 E17']);
    expect(byName(report, '∂E/∂w5').hints).toContain('reads a_h2 where the chain rule for w5 needs a_h1 (w5 multiplies a_h1 in o1)');
    expect(failingUpdates(report).map((u) => `${u.nextName} ${u.nextAddress}`)).toEqual(['new w4 D24']);
  });

  it('a map with column-only addresses checks a classic-like sheet whose headers are not recognised, at any row', async () => {
    const path = tempPath('renamed.xlsx');
    const { classicSheet, CLASSIC_HEADERS } = await import('./support/handmadeSheets');
    const { grid, shared } = classicSheet();
    grid[3] = CLASSIC_HEADERS.map((h) => `col ${h}`);
    await writeWorkbook(path, { Backprop: grid }, shared);
    await expect(checkWorkbookFile(path)).rejects.toBeInstanceOf(MappingError);
    const letters = ['E', 'F', 'G', 'H', 'M', 'N', 'O', 'P'];
    const gradients = ['X', 'Y', 'Z', 'AA', 'AB', 'AC', 'AD', 'AE'];
    const map = {
      sheet: 'Backprop', row: 5, loss: 'W', learningRate: 'B2',
      weights: letters.map((c, i) => ({ name: `w${i + 1}`, cell: c, gradient: gradients[i], next: `${c}+1` })),
    };
    const mapPath = tempPath('renamed-map.json');
    writeFileSync(mapPath, JSON.stringify(map));
    for (const row of [undefined, 9]) {
      const report = await checkWorkbookFile(path, { mapPath, ...(row ? { row } : {}) });
      expect(report.verdict, `row ${row}`).toBe('pass');
      expect(report.updates[0].nextAddress).toBe(`E${(row ?? 5) + 1}`);
    }
  });

  it('a bad map is refused with the field named', async () => {
    const data = await readWorkbookData(readFileSync(EXAMPLE));
    const good = JSON.parse(readFileSync(EXAMPLE_MAP, 'utf8')) as Record<string, unknown>;
    const weights = good.weights as Record<string, unknown>[];
    const cases: [unknown, string][] = [
      [[], 'map: must be a JSON object'],
      [{ ...good, format: 'x' }, 'format: must be "gradsheet.check-map/1"'],
      [{ ...good, sheet: 'Nope' }, 'sheet: no sheet named "Nope" (sheets: Backprop)'],
      [{ ...good, loss: undefined }, 'loss: missing'],
      [{ ...good, lossCell: 'B20' }, 'lossCell: unknown field'],
      [{ ...good, weights: [] }, 'weights: must be a non-empty list'],
      [{ ...good, weights: [weights[0], { ...weights[1], gradient: 'F15x' }] }, 'weights[1].gradient: "F15x" is not a cell address'],
      [{ ...good, weights: [weights[0], { ...weights[1], gradient: undefined }] }, 'weights[1].gradient: missing'],
      [{ ...good, weights: [weights[0], weights[0]] }, 'weights[1].name: "w1" is given twice'],
      [{ ...good, weights: [{ ...weights[0], grad: 'E15' }] }, 'weights[0].grad: unknown field'],
      [{ ...good, loss: 'B' }, 'loss: "B" names a column only: give "row" in the map or --row'],
      [{ ...good, weights: [{ ...weights[0], velocity: 'H1' }] }, 'weights[0].velocity: a velocity needs "momentum"'],
      [{ ...good, loss: 'Other!B20' }, 'loss: "Other!B20": no sheet named "Other"'],
      [{ ...good, row: 0 }, 'row: must be a sheet row number'],
    ];
    for (const [map, message] of cases) {
      const err = (() => {
        try {
          planFromMap(data, map);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(err, message).toBeInstanceOf(MapError);
      expect((err as MapError).message).toContain(message);
    }
  });
});

describe('what HyperFormula cannot do is skipped with a note, never a crash', () => {
  it('an unknown function off the loss\'s path is noted; on it, the gradients are skipped, saying which function', async () => {
    const off = tempPath('unknown-off.xlsx');
    const { classicSheet } = await import('./support/handmadeSheets');
    const a = classicSheet({ iterations: 3 });
    a.grid[0][5] = '=FOOBAR(1)';
    a.grid[0][6] = '=CONCAT("a","b")';
    await writeWorkbook(off, { Backprop: a.grid }, a.shared);
    const r1 = await checkWorkbookFile(off);
    expect(r1.verdict).toBe('pass');

    const on = tempPath('unknown-on.xlsx');
    const b = classicSheet({ iterations: 3 });
    b.grid[4][21] = '=FOOBAR(0.5*(D5-T5)^2)';
    await writeWorkbook(on, { Backprop: b.grid }, b.shared);
    const r2 = await checkWorkbookFile(on);
    expect(r2.verdict).toBe('unchecked');
    expect(r2.gradients.every((g) => g.status === 'skipped')).toBe(true);
    expect(r2.notes.join('\n')).toContain('V5 (=FOOBAR(0.5*(D5-T5)^2)) gives #NAME?: Function name FOOBAR not recognized.');
  });

  it('a formula reading another workbook keeps its saved value; macros and pivot tables are noted, not run', async () => {
    const path = tempPath('student-links.xlsm');
    await writeClassicSheet(path, { iterations: 3 });
    // The learning rate comes from another workbook ([1]), saved as 0.5; a macro project and a pivot table part.
    const zip = await JSZip.loadAsync(readFileSync(path));
    const xml = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
    const withLink = xml.replace(/<c r="B2"[^>]*?(\/>|>.*?<\/c>)/, () => '<c r="B2"><f>[1]Settings!$B$1</f><v>0.5</v></c>');
    expect(withLink).not.toBe(xml);
    zip.file('xl/worksheets/sheet1.xml', withLink);
    // A macro-enabled workbook (.xlsm): its content type and the workbook's relationship to the VBA project.
    const types = await zip.file('[Content_Types].xml')!.async('string');
    zip.file('[Content_Types].xml', types
      .replace('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml', 'application/vnd.ms-excel.sheet.macroEnabled.main+xml')
      .replace('</Types>', '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'));
    const rels = await zip.file('xl/_rels/workbook.xml.rels')!.async('string');
    zip.file('xl/_rels/workbook.xml.rels', rels.replace('</Relationships>',
      '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'));
    writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer' }));
    await addPartsToFile(path, { 'xl/vbaProject.bin': new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]), 'xl/pivotTables/pivotTable1.xml': '<pivotTableDefinition/>' });
    const report = await checkWorkbookFile(path);
    expect(report.verdict).toBe('pass');
    const notes = report.notes.join('\n');
    expect(notes).toContain('macros (VBA): they were not run');
    expect(notes).toContain('pivot tables: they were left out');
    expect(notes).toContain('1 formula cell(s) read another workbook and were taken as their saved values');
  });

  it('a file that is not an XLSX is refused as unreadable', async () => {
    await expect(checkWorkbookBytes(new TextEncoder().encode('not a zip'), { fileName: 'x.xlsx' })).rejects.toBeInstanceOf(UnreadableError);
  });
});

describe('a loss with a kink (L1)', () => {
  /** One linear unit y = w·x, L = |y − t|, with the claimed gradient in C2; t is chosen relative to w·x. */
  async function l1Sheet(t: string, gradient: string): Promise<CheckReport> {
    const path = tempPath('l1.xlsx');
    await writeWorkbook(path, {
      S: [
        ['x', 'w1', 't', 'y', 'L', '∂L/∂w1', 'η'],
        [1, 0.3, t.startsWith('=') ? t : Number(t), '=B2*A2', '=ABS(D2-C2)', gradient, 0.1],
        [1, '=B2-$G$2*F2', '=C2', '=B3*A3', '=ABS(D3-C3)', gradient.replace(/2/g, '3'), null],
      ],
    });
    return checkWorkbookFile(path);
  }

  it('away from the kink the sign() gradient passes; at it, sign(0) = 0 is a subgradient and passes with a note', async () => {
    const away = await l1Sheet('0.1', '=SIGN(D2-C2)*A2');
    expect(away.gradients[0].status).toBe('pass');
    const at = await l1Sheet('=0.3', '=SIGN(D2-C2)*A2');
    expect(at.gradients[0].status).toBe('kink');
    expect(at.gradients[0].note).toContain('the loss has a kink at this point');
    expect(at.verdict).toBe('pass');
  });

  it('at the kink a claimed value outside the one-sided slopes fails', async () => {
    const r = await l1Sheet('=0.3', '=2*A2');
    expect(r.gradients[0].status).toBe('fail');
    expect(r.gradients[0].note).toContain('the claimed value is neither');
  });
});

describe('npm run check-workbook', () => {
  const run = (...args: string[]) => {
    const r = spawnSync('node_modules/.bin/tsx', ['src/cli/checkWorkbook.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };

  it('exit codes: 0 all pass, 1 a failing cell, 2 usage or bad map, 4 unreadable, 5 nothing mapped', async () => {
    const good = tempPath('good.xlsx');
    await writeClassicSheet(good, { iterations: 3 });
    const bad = tempPath('bad.xlsx');
    await writeClassicSheet(bad, { iterations: 3, formulas: { '∂E/∂w5': '=(a_o1-t1)*a_h1' } });
    const json = tempPath('report.json');

    const ok = run(good, '--json', json);
    expect(ok.status).toBe(0);
    expect(ok.out).toContain('Sheet "Backprop": PASS — 8 gradient columns pass in all 3 rows, 8 update columns in all 2');
    const parsed = JSON.parse(readFileSync(json, 'utf8')) as WorkbookReport;
    expect(parsed.verdict).toBe('pass');
    expect(parsed.sheets.map((s) => [s.sheet, s.verdict])).toEqual([['Backprop', 'pass']]);

    const whole = run(bad);
    expect(whole.status).toBe(1);
    expect(whole.out).toContain('Sheet "Backprop": FAIL — wrong gradients: w5 (AB, every row)');
    expect(whole.out).toContain('→ numerical = claimed × a_o1·(1 − a_o1), the sigmoid\'s derivative at a_o1: the formula misses that factor');
    expect(whole.out).toContain('fix: AB5: =(R5-C5)*R5*(1-R5)*J5');
    const failed = run('--row', '5', bad);
    expect(failed.status).toBe(1);
    expect(failed.out).toContain('∂E/∂w5 (AB5)   w5      0.3023393921     0.07215707291    7.6e-1      FAIL');

    const usage = run(good, '--bogus');
    expect(usage.status).toBe(2);
    expect(usage.err).toContain('Exit codes: 0 every sheet with a network passes');
    const badMap = run(EXAMPLE, '--map', join(ROOT, 'README.md'));
    expect(badMap.status).toBe(2);
    expect(badMap.err).toContain('bad map: README.md: not valid JSON');
    const unreadable = run(join(ROOT, 'README.md'));
    expect(unreadable.status).toBe(4);
    expect(unreadable.out).toContain('not an XLSX file: it is not a zip archive');
    const missing = run(join(ROOT, 'no-such-file.xlsx'));
    expect(missing.status).toBe(4);
    expect(missing.out).toContain('no such file');
    const pasted = tempPath('pasted.xlsx');
    const { classicSheet } = await import('./support/handmadeSheets');
    const numbers = classicSheet({ iterations: 3 }).grid.map((row) => row.map((v) => (typeof v === 'string' && v.startsWith('=') ? 0.5 : v)));
    await writeWorkbook(pasted, { Backprop: numbers });
    const numbersOnly = run(pasted, '--json', json);
    expect(numbersOnly.status).toBe(5);
    expect(numbersOnly.out).toContain('Sheet "Backprop": NUMBERS ONLY');
    expect((JSON.parse(readFileSync(json, 'utf8')) as WorkbookReport).sheets[0].verdict).toBe('numbers-only');
    const none = run(EXAMPLE);
    expect(none.status).toBe(5);
    expect(none.out).toContain('Sheet "Backprop": UNSUPPORTED');
    expect(none.out).toContain('best header row 6: weights: w1, w2; loss: none; gradients: none');
  }, 120_000);
});

describe('the page\'s Check a workbook (no DOM: a stand-in view)', () => {
  function fakeView() {
    const seen: { busy: string[]; error: string[]; shown: CheckReport[]; tables: WorkbookReport[][] } = { busy: [], error: [], shown: [], tables: [] };
    const view: WorkbookCheckView = {
      element: null as unknown as HTMLElement,
      busy: (t) => seen.busy.push(t),
      error: (t) => seen.error.push(t),
      show: (r) => seen.shown.push(r),
      showTable: (r) => seen.tables.push(r),
      clear: () => undefined,
    };
    return { view, seen };
  }
  const fileOf = (path: string, name = path.split('/').pop()!) => new File([readFileSync(path)], name);

  it('checks one workbook with the map chosen with it, and lays the report out as text', async () => {
    const { view, seen } = fakeView();
    const report = await runWorkbookCheck([fileOf(EXAMPLE_MAP), fileOf(EXAMPLE)], view) as CheckReport;
    expect(seen.error).toEqual([]);
    expect(seen.busy).toEqual(['checking example-block-layout.xlsx with example-check-map.json…']);
    expect(report.verdict).toBe('pass');
    expect(verdictLine(report)).toBe('PASS: example-block-layout.xlsx: 8 of 8 gradient cells pass, 8 of 8 updates pass');
    const sections = reportSections(report);
    expect(sections.map((s) => s.title)).toEqual(['Gradients, sheet "Backprop"', 'Update rule, sheet "Backprop" (new weight = w − η·gradient)']);
  });

  it('checks many workbooks at once: one table row per file and sheet, each opening its full report', async () => {
    const { view, seen } = fakeView();
    const good = tempPath('good.xlsx');
    await writeClassicSheet(good, { iterations: 3 });
    const faulty = tempPath('faulty.xlsx');
    await writeClassicSheet(faulty, { iterations: 3, formulas: { '∂E/∂w5': '=(a_o1-t1)*a_h1' } });
    const reports = await runWorkbookCheck([fileOf(good), fileOf(faulty), new File(['<b>not a zip</b>'], 'x.xlsx')], view) as WorkbookReport[];
    expect(seen.busy).toEqual(['checking 1 of 3: good.xlsx…', 'checking 2 of 3: faulty.xlsx…', 'checking 3 of 3: x.xlsx…']);
    expect(seen.tables).toHaveLength(1);
    const rows = batchTableRows(reports);
    expect(rows.map((r) => [r.file, r.sheet, r.verdict])).toEqual([['good.xlsx', 'Backprop', 'PASS'], ['faulty.xlsx', 'Backprop', 'FAIL'], ['x.xlsx', '', 'UNREADABLE']]);
    expect(rows[1].summary).toBe('wrong gradients: w5 (AB, every row)');
    const text = rows[1].report.join('\n');
    expect(text).toContain('∂E/∂w5 (AB): FAIL in all 3 rows, first in row 5');
    expect(text).toContain('→ numerical = claimed × a_o1·(1 − a_o1)');
    expect(rows[2].report).toEqual(['x.xlsx: not an XLSX file: it is not a zip archive; give the workbook saved as .xlsx from a spreadsheet']);
  });

  it('refuses a single file over the size limit, or a map alone, with a message', async () => {
    const { view, seen } = fakeView();
    expect(await runWorkbookCheck([new File([new Uint8Array(CHECK_MAX_BYTES + 1)], 'big.xlsx')], view)).toBeNull();
    expect(seen.error[0]).toBe('big.xlsx is 2.0 MB; the page checks workbooks up to 2.0 MB. Larger ones: npm run check-workbook -- big.xlsx');
    expect(await runWorkbookCheck([fileOf(EXAMPLE_MAP)], view)).toBeNull();
    expect(seen.error[1]).toContain('Choose the workbooks (.xlsx)');
    expect(seen.shown).toEqual([]);
  });
});
