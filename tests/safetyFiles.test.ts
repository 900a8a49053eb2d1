import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as checkWorkbook } from '../src/cli/checkWorkbook';
import { ImportError, readGradsheetXlsx } from '../src/export/importXlsx';
import { writeCraftedCases, type CraftedCase } from './support/craftedCases';
import { runChild, runInProcess } from './support/cliRun';

/**
 * Issue 19, items 4, 6 and 8: crafted workbooks (written at test time) against the checker and the importer. Each
 * gets its exit code and message in-process; one child process per tool reads them all and reports its peak memory
 * and time, which bound every file (1.5 GB and 60 s, the bounds).
 */

const PEAK_MB = 1536;
const WALL_MS = 60_000;
/** Text that must never reach a user: library messages, URLs, JavaScript errors. */
const NOT_A_MESSAGE = /https?:|stuk\.github|Cannot (read|set) propert|undefined|TypeError|RangeError|Maximum call stack|heap out of memory|at [\w.]+ \(/;

let dir: string;
let cases: CraftedCase[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradsheet-crafted-'));
  cases = await writeCraftedCases(dir);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check-workbook on crafted files: exit code, message, time', () => {
  it('every crafted file', async () => {
    for (const c of cases) {
      const r = await runInProcess(checkWorkbook, [c.file]);
      const text = r.out + r.err;
      expect({ name: c.name, code: r.code }).toEqual({ name: c.name, code: c.checkerCode });
      expect(text, c.name).toMatch(c.message);
      expect(text, c.name).not.toMatch(NOT_A_MESSAGE);
      expect(r.ms, c.name).toBeLessThan(WALL_MS);
    }
  }, 120_000);

  it('a formula the engine cannot take names its cell, and the network around it is still checked (PASS)', async () => {
    const c = cases.find((x) => x.name === 'formulas-engine-cannot-take')!;
    const r = await runInProcess(checkWorkbook, [c.file]);
    expect(r.out).toContain('Sheet "Backprop": PASS');
    expect(r.out).toContain('read another workbook and were taken as their saved values (Backprop!D40)');
  }, 60_000);

  it('the file is never changed by reading it', () => {
    for (const c of cases.slice(0, 3)) expect(readFileSync(c.file).length).toBeGreaterThan(0);
  });
});

describe('the importer on crafted files: a message naming what is wrong', () => {
  it('every crafted file', async () => {
    for (const c of cases) {
      const began = performance.now();
      const err = await readGradsheetXlsx(readFileSync(c.file)).then(() => null, (e: unknown) => e);
      expect(err, c.name).toBeInstanceOf(ImportError);
      const message = (err as Error).message;
      expect(message, c.name).toMatch(c.importMessage ?? c.message);
      expect(message, c.name).not.toMatch(NOT_A_MESSAGE);
      expect(performance.now() - began, c.name).toBeLessThan(WALL_MS);
    }
  }, 120_000);
});

describe('peak memory and time of the checker and the importer over every crafted file (child processes)', () => {
  it(`check-workbook reads them all under ${PEAK_MB} MB and ${WALL_MS / 1000} s`, () => {
    const r = runChild('src/cli/checkWorkbook.ts', [dir]);
    expect(r.stderr).not.toMatch(NOT_A_MESSAGE);
    // one line per file in the batch table
    for (const c of cases) expect(r.stdout).toContain(`${c.name}.xlsx`);
    expect(r.peakMb).toBeLessThan(PEAK_MB);
    expect(r.ms).toBeLessThan(WALL_MS);
  }, 120_000);

  it(`the importer reads them all under ${PEAK_MB} MB and ${WALL_MS / 1000} s`, () => {
    const script = join(dir, 'import-all.mts');
    writeFileSync(script, `import { readFileSync } from 'node:fs';
import { readGradsheetXlsx } from ${JSON.stringify(join(process.cwd(), 'src/export/importXlsx.ts'))};
for (const f of process.argv.slice(2)) {
  const r = await readGradsheetXlsx(readFileSync(f)).then(() => 'imported', (e) => e.name + ': ' + e.message);
  console.log(f + ' -> ' + r);
}
`);
    const r = runChild(script, cases.map((c) => c.file));
    expect(r.status, r.stderr).toBe(0);
    for (const c of cases) expect(r.stdout).toContain(`${c.file} -> ImportError: `);
    expect(r.peakMb).toBeLessThan(PEAK_MB);
    expect(r.ms).toBeLessThan(WALL_MS);
  }, 120_000);
});
