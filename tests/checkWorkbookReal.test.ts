import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckEngine } from '../src/check/engine';
import { readWorkbookData } from '../src/check/load';
import type { SheetReport, WorkbookReport } from '../src/check/types';
import { checkWorkbookFileBytes } from '../src/check/workbook';
import { recalcWithLibreOffice } from './support/libreoffice';

/**
 * The four real student workbooks of ../shared/workbooks, judged as its TRUTH.md says, sheet by sheet, naming
 * exactly the wrong cells and no others. The numbers are TRUTH.md's (recomputed there from each row's own cached
 * inputs, targets and weights), not the checker's.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = fileURLToPath(new URL('../../shared/workbooks/', import.meta.url));
const present = existsSync(join(SHARED, 'TRUTH.md'));
if (!present) console.warn(`tests/checkWorkbookReal.test.ts: ${SHARED} is absent, so the real-workbook tests are skipped`);

const reports = new Map<string, Promise<WorkbookReport>>();
const check = (name: string) => {
  if (!reports.has(name)) reports.set(name, checkWorkbookFileBytes(readFileSync(join(SHARED, `${name}.xlsx`)), `${name}.xlsx`));
  return reports.get(name)!;
};
const sheetOf = (r: WorkbookReport, name: string) => r.sheets.find((s) => s.sheet === name)!;
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const cells = (cols: string[], rows: number[]) => cols.flatMap((c) => rows.map((r) => `${c}${r}`));
const wrong = (s: SheetReport) => [...new Set(s.wrongCells.map((w) => w.address))].sort();
/** A five-point difference with h = 1e-4 carries ~ε·L/h of rounding: a few 1e-9 relative on these gradients. */
const NUMERIC = 1e-7;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
const gradient = (s: SheetReport, address: string) => s.gradients.find((g) => g.gradientAddress === address)!;

const run = (...args: string[]) => {
  const r = spawnSync('node_modules/.bin/tsx', ['src/cli/checkWorkbook.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
};

describe.skipIf(!present)('the real workbooks of ../shared/workbooks (TRUTH.md)', () => {
  it('dhairyag (LibreOffice 7.3, table from column B, header row 32, η = 2 labelled "eta"): correct in every row', async () => {
    const r = await check('dhairyag');
    expect(r.verdict).toBe('pass');
    const s = sheetOf(r, 'Sheet1');
    expect(s.verdict).toBe('pass');
    expect([s.headerRow, s.firstRow, s.lastRow]).toEqual([32, 33, 120]);
    expect(wrong(s)).toEqual([]);
    expect(s.columns.filter((c) => c.kind === 'gradient').map((c) => c.letter)).toEqual(['Y', 'Z', 'AA', 'AB', 'AC', 'AD', 'AE', 'AF']);
    expect(s.columns.every((c) => c.rowsChecked >= 87 && c.status === 'pass')).toBe(true);
    expect(rel(gradient(s, 'Y33').claimed!, 3.169933959e-4)).toBeLessThan(1e-9);
    expect(rel(gradient(s, 'AA33').numeric!, 3.517763216e-4)).toBeLessThan(NUMERIC);
    expect(s.found.join('\n')).toContain('learning rate: the cell eta (H31)');
  });

  it('ashwin (WPS, inputs before targets, merged group header, gradients from local-gradient helper columns): correct', async () => {
    const r = await check('ashwin');
    expect(r.verdict).toBe('pass');
    expect(r.sheets.map((s) => [s.sheet, s.verdict])).toEqual([['training', 'pass'], ['lr_charts', 'numbers-only']]);
    const s = sheetOf(r, 'training');
    expect([s.headerRow, s.firstRow, s.lastRow]).toEqual([36, 37, 57]);
    expect(wrong(s)).toEqual([]);
    expect(rel(gradient(s, 'X37').claimed!, 1.882556669e-4)).toBeLessThan(1e-9);
    expect(rel(gradient(s, 'Z37').numeric!, 2.248134626e-4)).toBeLessThan(NUMERIC);
    expect(s.found.join('\n')).toContain('Learning Rate (P34)');
    expect(sheetOf(r, 'lr_charts').message[0]).toContain('nothing to differentiate');
  });

  it('sualeh: sheet Rohan fails Z and AA (reads a_h1 where w3, w4 need a_h2); sheet Self fails X, Y, Z, AA (missing parentheses)', async () => {
    const r = await check('sualeh');
    expect(r.verdict).toBe('fail');
    const rohan = sheetOf(r, 'Rohan');
    expect(rohan.verdict).toBe('fail');
    expect(wrong(rohan)).toEqual(cells(['AA', 'Z'], range(33, 100)).sort());
    const z = gradient(rohan, 'Z33');
    expect(rel(z.claimed!, 3.518686651e-4)).toBeLessThan(1e-9);
    expect(rel(z.numeric!, 3.517763216e-4)).toBeLessThan(NUMERIC);
    expect(z.relError!).toBeGreaterThan(2.5e-4);
    expect(z.hints).toContain('reads a_h1 where the chain rule for w3 needs a_h2 (w3 does not affect a_h1)');
    // The fix, in the sheet's own addresses, exactly as the issue writes it.
    expect(rohan.fixes.find((f) => f.weight === 'w3')).toMatchObject({ address: 'Z33', formula: '((R33-A33)*R33*(1-R33)*N33+(T33-B33)*T33*(1-T33)*P33)*L33*(1-L33)*C33' });

    const self = sheetOf(r, 'Self');
    expect(self.verdict).toBe('fail');
    expect(wrong(self)).toEqual(cells(['AA', 'X', 'Y', 'Z'], range(33, 103)).sort());
    for (const [address, claimed, right] of [['X33', 1.03548526e-2, 3.169933959e-4], ['Y33', 1.054480881e-2, 6.339867918e-4],
      ['Z33', 1.164440543e-2, 3.517763216e-4], ['AA33', 1.185330243e-2, 7.035526432e-4]] as const) {
      expect(rel(gradient(self, address).claimed!, claimed), address).toBeLessThan(1e-9);
      expect(rel(gradient(self, address).numeric!, right), address).toBeLessThan(NUMERIC);
    }
    expect(self.columns.filter((c) => c.kind === 'update').every((c) => c.status === 'pass')).toBe(true);
  });

  it('harshvs: six sheets, each failing X..AA from row 32, the sliding η B29 → B32 named, the copy-error rows named', async () => {
    const r = await check('harshvs');
    expect(r.verdict).toBe('fail');
    expect(r.sheets.map((s) => s.sheet)).toEqual(['LR_0.1', 'LR_0.2', 'LR_0.5', 'LR_0.8', 'LR_1', 'LR_2']);
    const copyRows = [35, 39, 43, 49, 55, 61];
    const w7Rows = [34, 35, 38, 39, 42, 43, 46, 48, 49, 52, 54, 55, 58, 60, 61, 65];
    const expected = [
      ...cells(['X', 'Y', 'Z', 'AA'], range(32, 65)),
      ...cells(['AD'], w7Rows),
      ...cells(['E', 'F', 'M', 'N', 'O', 'P'], range(36, 65)),
      ...cells(['G', 'H'], range(35, 65)),
      ...cells(['I', 'V'], copyRows),
    ].sort();
    for (const s of r.sheets) {
      expect(s.verdict, s.sheet).toBe('fail');
      expect([s.headerRow, s.firstRow, s.lastRow], s.sheet).toEqual([31, 32, 65]);
      expect(wrong(s), s.sheet).toEqual(expected);
      expect(s.findings.join('\n'), s.sheet).toContain('the learning rate ͷ B29 becomes B32 in row 36: the reference is not anchored with $ (write $B$29)');
      expect(s.findings.join('\n'), s.sheet).toContain('t2 drifts: B47 holds 0.989999999999999');
      const ad = s.columns.find((c) => c.kind === 'gradient' && c.weight === 'w7')!;
      expect(ad.failingRows).toEqual(w7Rows);
      expect(ad.numericRows).toEqual([32, ...w7Rows]);
    }
    const s = sheetOf(r, 'LR_0.1');
    for (const [address, claimed, right] of [['X32', 1.641445306e-5, 1.882556669e-4], ['Y32', 3.282890612e-5, 3.765113339e-4],
      ['Z32', 1.82320075e-5, 2.248134626e-4], ['AA32', 3.646401501e-5, 4.496269252e-4]] as const) {
      expect(rel(gradient(s, address).claimed!, claimed), address).toBeLessThan(1e-9);
      expect(rel(gradient(s, address).numeric!, right), address).toBeLessThan(NUMERIC);
    }
    for (const c of ['AB32', 'AC32', 'AD32', 'AE32']) expect(gradient(s, c).status, c).toBe('pass');
    const h1 = s.wrongCells.find((w) => w.address === 'I35')!;
    expect(h1.why).toContain('differs from its column\'s formula = (E35*C35) + (F35*D35)');
  });

  it('the CLI on each workbook: exit codes 0, 0, 1, 1, and the wrong cells in words a student reads', () => {
    const expected: Record<string, number> = { dhairyag: 0, ashwin: 0, sualeh: 1, harshvs: 1 };
    for (const [name, code] of Object.entries(expected)) {
      const r = run(join(SHARED, `${name}.xlsx`));
      expect(r.status, `${name}: ${r.err}`).toBe(code);
      expect(r.err).toBe('');
    }
    const sualeh = run(join(SHARED, 'sualeh.xlsx')).out;
    expect(sualeh).toContain('Sheet "Rohan": FAIL — wrong gradients: w3 (Z, every row), w4 (AA, every row)');
    expect(sualeh).toContain('fix: Z33: =((R33-A33)*R33*(1-R33)*N33+(T33-B33)*T33*(1-T33)*P33)*L33*(1-L33)*C33');
    const harshvs = run(join(SHARED, 'harshvs.xlsx')).out;
    expect(harshvs).toContain('! the learning rate ͷ B29 becomes B32 in row 36');
    expect(harshvs).toContain('w7 (AD, rows 34–35, 38–39, 42–43, 46, 48–49, 52, 54–55, 58, 60–61, 65)');
  }, 120_000);

  describe('a class at once: the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradsheet-class-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('one line per file and sheet, a summary, --csv and --json; an unreadable file gets a line and the batch goes on', () => {
      for (const name of ['ashwin', 'dhairyag', 'harshvs', 'sualeh']) copyFileSync(join(SHARED, `${name}.xlsx`), join(dir, `${name}.xlsx`));
      copyFileSync(join(ROOT, 'README.md'), join(dir, 'notes.xlsx'));
      copyFileSync(join(ROOT, 'README.md'), join(dir, 'work.ods'));
      const csv = join(tmpdir(), `class-${process.pid}.csv`);
      const json = join(tmpdir(), `class-${process.pid}.json`);
      const r = run(dir, '--csv', csv, '--json', json);
      expect(r.status).toBe(1);
      const lines = r.out.trimEnd().split('\n');
      expect(lines.filter((l) => /^\S+\.(xlsx|ods) /.test(l))).toHaveLength(2 + 1 + 6 + 2 + 1 + 1);
      expect(r.out).toMatch(/work\.ods\s+–\s+UNREADABLE\s+a \.ods file, not an \.xlsx workbook: open it in a spreadsheet and save it as \.xlsx/);
      expect(r.out).toMatch(/ashwin\.xlsx\s+training\s+PASS/);
      expect(r.out).toMatch(/ashwin\.xlsx\s+lr_charts\s+NUMBERS ONLY/);
      expect(r.out).toMatch(/notes\.xlsx\s+–\s+UNREADABLE\s+not an XLSX file/);
      expect(r.out).toMatch(/sualeh\.xlsx\s+Self\s+FAIL\s+wrong gradients: w1 \(X, every row\)/);
      expect(lines.at(-1)).toBe('6 workbook(s): 2 pass, 2 fail, 0 with nothing checkable, 2 unreadable; 11 sheet(s): 2 pass, 8 fail, 1 numbers only, 0 unsupported');
      const table = readFileSync(csv, 'utf8').trimEnd().split('\n');
      expect(table[0]).toBe('file,sheet,verdict,failingGradients,failingUpdates,wrongCells,summary');
      expect(table).toHaveLength(1 + 13);
      expect(table.find((l) => l.startsWith('sualeh.xlsx,Rohan,'))).toMatch(/^sualeh\.xlsx,Rohan,fail,w3 w4,,136,/);
      const parsed = JSON.parse(readFileSync(json, 'utf8')) as { workbooks: WorkbookReport[] };
      const all = parsed.workbooks.flatMap((w) => w.sheets);
      expect(all.map((s) => s.verdict).sort()).toEqual(['fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'numbers-only', 'pass', 'pass']);
      for (const s of all) for (const g of [...s.gradients, ...s.updates]) expect(['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8']).toContain(g.weight);
      expect(all.flatMap((s) => s.gradients.map((g) => g.status)).every((x) => x === 'pass' || x === 'fail')).toBe(true);
      rmSync(csv);
      rmSync(json);
    }, 180_000);

    it('refuses to write --json or --csv over a workbook it checks', () => {
      const target = join(dir, 'sualeh.xlsx');
      copyFileSync(join(SHARED, 'sualeh.xlsx'), target);
      const before = readFileSync(target);
      for (const flag of ['--json', '--csv']) {
        const r = run(dir, flag, target);
        expect(r.status).toBe(2);
        expect(r.err).toContain(`${flag} ${target} is one of the workbooks being checked: it would be overwritten`);
      }
      expect(readFileSync(target).equals(before)).toBe(true);
    }, 60_000);
  });

  it('--fix: the copy of sualeh re-checks clean, and LibreOffice recomputes it to the values the checker computes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradsheet-fix-'));
    try {
      const out = join(dir, 'sualeh-fixed.xlsx');
      const r = run(join(SHARED, 'sualeh.xlsx'), '--fix', out);
      expect(r.status).toBe(1);
      expect(r.out).toContain('--fix: wrote');
      const again = run(out);
      expect(again.status, again.out).toBe(0);
      expect(again.out).toContain('Sheet "Self": PASS');

      // LibreOffice opens the copy, recomputes every formula and saves it; its values against the checker's engine.
      const data = await readWorkbookData(readFileSync(out));
      const engine = new CheckEngine(data);
      const lo = await readWorkbookData(readFileSync(recalcWithLibreOffice(out, 'xlsx')));
      let compared = 0;
      try {
        for (const [sheet, cols] of [['Rohan', [25, 26, 22]], ['Self', [23, 24, 25, 26, 22]]] as const) {
          const last = sheet === 'Rohan' ? 100 : 103;
          const loSheet = lo.sheets.find((s) => s.name === sheet)!;
          for (let row = 32; row < last; row++) {
            for (const col of cols) {
              const ours = engine.number({ sheet, row, col })!;
              const theirs = loSheet.rows[row]![col]!.value as number;
              expect(rel(ours, theirs), `${sheet} row ${row + 1} col ${col}`).toBeLessThan(1e-9);
              compared++;
            }
          }
        }
      } finally {
        engine.destroy();
      }
      expect(compared).toBe(68 * 3 + 71 * 5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
