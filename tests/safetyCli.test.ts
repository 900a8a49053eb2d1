import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as checkWorkbook } from '../src/cli/checkWorkbook';
import { main as train } from '../src/cli/train';
import { EXCEL_MAX_CELL_CHARS, EXCEL_MAX_FORMULA_CHARS } from '../src/export/excelLimits';
import { ImportError, readGradsheetXlsx } from '../src/export/importXlsx';
import { buildLayout } from '../src/layout/layout';
import { loadPreset } from '../src/spec/presets';
import { ROOT, runChild, runInProcess } from './support/cliRun';
import { writeClassicSheet } from './support/handmadeSheets';
import { setCellValueInFile } from './support/xlsxFiles';
import { WriteError, writeFileSafely } from '../src/io/safeWrite';

/**
 * Issue 19, items 1–3, 5, 7 and 8: writes that fail or are interrupted leave the previous file as it was and say
 * so (exit 4), two flags naming one file are refused (exit 2) before anything runs, reads are bounded and refuse
 * devices and FIFOs, exports stay within Excel's limits, and every bad input gets a message. In-process where a
 * case allows; child processes for signals, a full disk (a file-size limit) and memory.
 */

const SMALL = ['--preset', 'end2-backprop-2-2-2', '--epochs', '3', '--quiet'];
const PEAK_MB = 1536;
const NOT_A_MESSAGE = /https?:|Cannot (read|set) propert|undefined|TypeError|RangeError|ENOENT:|EACCES:|at [\w.]+ \(/;
const isRoot = process.getuid?.() === 0;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradsheet-safety-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const temps = (folder: string) => readdirSync(folder).filter((n) => n.includes('.gradsheet-') && n.endsWith('.tmp'));
const fresh = (name: string) => {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
};

/** A child train run under a file-size limit (ulimit -f, KiB): writes past it fail with EFBIG, as on a full disk. */
function trainWithFileLimit(kib: number, args: string[]): { status: number | null; stderr: string; stdout: string; ms: number } {
  const began = performance.now();
  const ignore = join(dir, 'ignore-sigxfsz.mjs');
  writeFileSync(ignore, "process.on('SIGXFSZ', () => {});\n");
  const r = spawnSync('bash', ['-c', `ulimit -f ${kib}; exec "$0" --import "${ignore}" --import tsx src/cli/train.ts "$@"`, process.execPath, ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, ms: performance.now() - began };
}

describe('1. a write that fails says so at once (exit 4) and costs no training', () => {
  it('--out into a folder that does not exist', async () => {
    const r = await runInProcess(train, [...SMALL, '--out', join(dir, 'nowhere/a.xlsx')]);
    expect(r.code).toBe(4);
    expect(r.err).toContain(`cannot write ${join(dir, 'nowhere/a.xlsx')}: the folder ${join(dir, 'nowhere')} does not exist`);
    expect(r.out).not.toContain('Epoch:'); // refused before training
  });

  it('--out naming a folder, --json into a file used as a folder', async () => {
    const d = fresh('is-a-folder.xlsx');
    const r = await runInProcess(train, [...SMALL, '--out', d]);
    expect(r.code).toBe(4);
    expect(r.err).toContain(`cannot write ${d}: it is a folder`);
    writeFileSync(join(dir, 'plain'), 'x');
    const j = await runInProcess(train, [...SMALL, '--json', join(dir, 'plain/run.json')]);
    expect(j.code).toBe(4);
    expect(j.err).toContain(`cannot write ${join(dir, 'plain/run.json')}: ${join(dir, 'plain')} is not a folder`);
  });

  it.skipIf(isRoot)('a read-only folder', async () => {
    const d = fresh('readonly');
    chmodSync(d, 0o555);
    const r = await runInProcess(train, [...SMALL, '--loss-csv', join(d, 'loss.csv')]);
    expect(r.code).toBe(4);
    expect(r.err).toContain('permission denied');
    chmodSync(d, 0o755);
  });

  it('check-workbook --json into a folder that does not exist: exit 4 before checking', async () => {
    const book = join(dir, 'classic.xlsx');
    await writeClassicSheet(book);
    const r = await runInProcess(checkWorkbook, [book, '--json', join(dir, 'no/such/report.json')]);
    expect(r.code).toBe(4);
    expect(r.err).toContain(`cannot write ${join(dir, 'no/such/report.json')}: the folder ${join(dir, 'no/such')} does not exist`);
    expect(r.out).toBe('');
  });

  it('a disk that fills during the end2-xor-44 export (300 epochs): exit 4 within a minute, the old file intact, no temporary file left', () => {
    const d = fresh('full');
    const out = join(d, 'run.xlsx');
    writeFileSync(out, 'the previous file');
    const r = trainWithFileLimit(1024, ['--preset', 'end2-xor-44', '--epochs', '300', '--quiet', '--out', out]);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(`cannot write ${out}: the file is larger than this system allows`);
    expect(r.ms).toBeLessThan(60_000);
    expect(readFileSync(out, 'utf8')).toBe('the previous file');
    expect(temps(d)).toEqual([]);
  }, 120_000);

  it('--lanes --out the same', () => {
    const d = fresh('full-lanes');
    const out = join(d, 'lanes.xlsx');
    writeFileSync(out, 'the previous file');
    const r = trainWithFileLimit(256, ['--preset', 'end2-xor-44', '--epochs', '300', '--quiet', '--lanes', '0.1,0.5', '--out', out]);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(`cannot write ${out}: the file is larger than this system allows`);
    expect(readFileSync(out, 'utf8')).toBe('the previous file');
    expect(temps(d)).toEqual([]);
  }, 120_000);
});

describe('2. files are written whole or not at all', () => {
  it('writeFileSafely: a writer that fails, or a stream that fails while its writer waits for ever, leaves the old file and rejects at once', async () => {
    const d = fresh('unit');
    const path = join(d, 'out.json');
    writeFileSync(path, 'old');
    const failing = writeFileSafely(path, async (stream) => {
      stream.write('half a file');
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow(WriteError);
    const began = performance.now();
    const full = writeFileSafely(path, (stream) => {
      stream.write('half a file');
      stream.destroy(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      return new Promise<void>(() => undefined); // a writer that never finishes (the old back-pressure wait)
    });
    await expect(full).rejects.toThrow(`cannot write ${path}: the disk is full`);
    expect(performance.now() - began).toBeLessThan(1000);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(temps(d)).toEqual([]);
    await writeFileSafely(path, (stream) => void stream.end('new'));
    expect(readFileSync(path, 'utf8')).toBe('new');
  });

  it('SIGTERM during the export: exit 4, the message, the previous file intact, no temporary file left', async () => {
    const d = fresh('sigterm');
    const out = join(d, 'run.xlsx');
    writeFileSync(out, 'the previous file');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', '--preset', 'end2-xor-44', '--epochs', '600', '--quiet', '--out', out], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Once the temporary file exists and has grown, the export is under way.
    for (const began = Date.now(); Date.now() - began < 90_000;) {
      const t = temps(d)[0];
      if (t && existsSync(join(d, t)) && readFileSync(join(d, t)).length > 100_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(temps(d).length).toBe(1);
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(4);
    expect(stderr).toContain(`cannot write ${out}: interrupted (SIGTERM); the file that was there before is unchanged`);
    expect(readFileSync(out, 'utf8')).toBe('the previous file');
    expect(temps(d)).toEqual([]);
  }, 120_000);

  it('two runs writing one path at once both finish, and the file is one complete workbook', async () => {
    const out = join(fresh('two'), 'same.xlsx');
    const run = () => new Promise<number | null>((resolve) => {
      spawn(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', '--preset', 'end2-backprop-2-2-2', '--epochs', '400', '--quiet', '--out', out], { cwd: ROOT, stdio: 'ignore' })
        .on('exit', (code) => resolve(code));
    });
    expect(await Promise.all([run(), run()])).toEqual([0, 0]);
    const spec = await readGradsheetXlsx(readFileSync(out));
    expect(spec.epochs).toBe(400);
    expect(temps(join(dir, 'two'))).toEqual([]);
  }, 120_000);
});

describe('3. two flags naming one file are a usage error (exit 2) before anything runs', () => {
  it('check-workbook book.xlsx --json book.xlsx keeps the workbook', async () => {
    const book = join(dir, 'book.xlsx');
    await writeClassicSheet(book);
    const before = readFileSync(book);
    const r = await runInProcess(checkWorkbook, [book, '--json', book]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--json ${book} is one of the workbooks being checked: it would be overwritten`);
    expect(readFileSync(book).equals(before)).toBe(true);
  });

  it('train --out a.xlsx --json a.xlsx; --json naming the --spec, the --loss-csv, or a link to either', async () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, readFileSync(join(ROOT, 'sheets/end2-backprop-2-2-2.json')));
    const link = join(dir, 'link-to-spec.json');
    symlinkSync(spec, link);
    const cases: [string[], string][] = [
      [['--out', join(dir, 'a.xlsx'), '--json', join(dir, 'a.xlsx')], '--out and --json both name'],
      [['--spec', spec, '--json', spec, '--epochs', '3'], '--spec and --json both name'],
      [['--spec', spec, '--json', link, '--epochs', '3'], `--spec and --json both name one file ("${spec}" and "${link}")`],
      [[...SMALL, '--loss-csv', join(dir, 'l.csv'), '--json', `${dir}/./l.csv`], '--json and --loss-csv both name one file'],
      [[...SMALL, '--rows-csv', join(dir, 'r.csv'), '--out', join(dir, 'r.csv')], '--out and --rows-csv both name'],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(train, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(message);
      expect(r.out).not.toContain('Epoch:');
    }
    expect(JSON.parse(readFileSync(spec, 'utf8')).name).toBe('end2-backprop-2-2-2');
  });

  it('check-workbook --json naming the --map', async () => {
    const map = join(dir, 'map.json');
    writeFileSync(map, '{"loss":"C20","weights":[]}');
    const r = await runInProcess(checkWorkbook, [join(dir, 'book.xlsx'), '--map', map, '--json', map]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--map and --json both name');
    expect(readFileSync(map, 'utf8')).toBe('{"loss":"C20","weights":[]}');
  });
});

describe('5. bounded reads from regular files only', () => {
  it('--spec /dev/zero, a FIFO with no writer, a 17 MB spec: exit 4 with what the file is, at once', async () => {
    const fifo = join(dir, 'fifo.json');
    spawnSync('mkfifo', [fifo]);
    const big = join(dir, 'big.json');
    writeFileSync(big, `{"name": "${'x'.repeat(17 * 2 ** 20)}"}`);
    const cases: [string, string][] = [
      ['/dev/zero', 'cannot read spec file /dev/zero: it is a device, not a file'],
      [fifo, `cannot read spec file ${fifo}: it is a pipe (FIFO), not a file`],
      [big, `cannot read spec file ${big}: it is 17 MB; gradsheet reads spec and run files up to 16 MB`],
      [join(dir, 'missing.json'), `cannot read spec file ${join(dir, 'missing.json')}: no such file`],
      [dir, `cannot read spec file ${dir}: it is a folder, not a file`],
    ];
    for (const [file, message] of cases) {
      const r = await runInProcess(train, ['--spec', file]);
      expect(r.code, file).toBe(4);
      expect(r.err).toContain(message);
      expect(r.ms).toBeLessThan(5000);
    }
    for (const [file, message] of [['/dev/zero', 'cannot read /dev/zero: it is a device, not a file'], [fifo, `cannot read ${fifo}: it is a pipe (FIFO)`]]) {
      const r = await runInProcess(checkWorkbook, [file]);
      expect(r.code).toBe(4);
      expect(r.out).toContain(message);
      const m = await runInProcess(checkWorkbook, [join(dir, 'book.xlsx'), '--map', file]);
      expect(m.code).toBe(4);
      expect(m.err).toContain(`cannot read the map ${file}: it is a`);
    }
  });

  it(`a 15 MB nested-array spec and --spec /dev/zero stay under ${PEAK_MB} MB (child)`, () => {
    const nested = join(dir, 'nested.json');
    writeFileSync(nested, `{"name":"n","model":${'['.repeat(7_500_000)}${']'.repeat(7_500_000)}}`);
    for (const [file, code, message] of [[nested, 2, 'model'], ['/dev/zero', 4, 'it is a device']] as const) {
      const r = runChild('src/cli/train.ts', ['--spec', file]);
      expect(r.status).toBe(code);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(NOT_A_MESSAGE);
      expect(r.peakMb).toBeLessThan(PEAK_MB);
      expect(r.ms).toBeLessThan(60_000);
    }
  }, 120_000);
});

describe('7. exports within Excel\'s limits', () => {
  const samples = (n: number) => Array.from({ length: n }, (_, i) => [Math.sin(i) * 0.123456789, Math.cos(i) * 0.987654321]);
  const specOf = (batch: 'full' | 'sample') => {
    const inputs = samples(1000);
    return {
      name: 'thousand', model: { layers: [2, 2, 1], activations: ['sigmoid', 'sigmoid'], loss: 'mse' },
      data: { inputs, targets: inputs.map(([a, b]) => [a * b > 0 ? 0.9 : 0.1]) }, optimizer: { lr: 0.5 }, epochs: 3, batch,
      ...(batch === 'sample' ? { stepsPerEpoch: 4 } : {}),
    };
  };

  it('a full-batch spec of 1,000 samples is refused before training, with the formula and the limit', async () => {
    const file = join(dir, 'full1000.json');
    writeFileSync(file, JSON.stringify(specOf('full')));
    const r = await runInProcess(train, ['--spec', file, '--out', join(dir, 'full1000.xlsx')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out: the XLSX would hold a formula of [\d,]+ characters \(Train!\w+, .+\); a spreadsheet takes formulas of up to 8,192 characters \(a full-batch sum over 1000 samples\)/);
    expect(r.out).not.toContain('Epoch:');
    expect(existsSync(join(dir, 'full1000.xlsx'))).toBe(false);
  });

  it('a spec longer than a cell is written over several cells of Run, every formula and cell within the limits, and imports back', async () => {
    const file = join(dir, 'sample1000.json');
    const spec = specOf('sample');
    writeFileSync(file, JSON.stringify(spec));
    const out = join(dir, 'sample1000.xlsx');
    const r = await runInProcess(train, ['--spec', file, '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    const zip = await JSZip.loadAsync(readFileSync(out));
    let longestFormula = 0;
    let longestText = 0;
    for (const name of Object.keys(zip.files).filter((n) => n.startsWith('xl/worksheets/'))) {
      const xml = await zip.file(name)!.async('string');
      for (const m of xml.matchAll(/<f>([^<]*)<\/f>/g)) longestFormula = Math.max(longestFormula, m[1].length);
      for (const m of xml.matchAll(/<t[^>]*>([^<]*)<\/t>/g)) longestText = Math.max(longestText, m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&').length);
    }
    expect(longestFormula).toBeLessThanOrEqual(EXCEL_MAX_FORMULA_CHARS);
    expect(longestText).toBeLessThanOrEqual(EXCEL_MAX_CELL_CHARS);
    expect(JSON.stringify(spec).length).toBeGreaterThan(EXCEL_MAX_CELL_CHARS); // so the spec was split
    const back = await readGradsheetXlsx(readFileSync(out));
    expect(back.data.inputs).toEqual(spec.data.inputs);
    expect(back.stepsPerEpoch).toBe(4);
  }, 60_000);
});

describe('8. a message for every bad input', () => {
  it('a weight of 1e400 in a spec', async () => {
    const spec = JSON.parse(readFileSync(join(ROOT, 'sheets/end2-backprop-2-2-2.json'), 'utf8'));
    const file = join(dir, 'huge.json');
    writeFileSync(file, JSON.stringify({ ...spec, init: undefined, initial: [{ weight: [['HUGE', 0.2], [0.25, 0.3]], bias: null }, { weight: [[0.4, 0.45], [0.5, 0.55]], bias: null }] }).replace('"HUGE"', '1e400'));
    const r = await runInProcess(train, ['--spec', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('must be a finite number, got Infinity (a number beyond ±1.8e308, such as 1e400, is too large for a float64)');
  });

  it('a weight of 1e400 in an exported workbook', async () => {
    const out = join(dir, 'export.xlsx');
    expect((await runInProcess(train, [...SMALL, '--out', out])).code).toBe(0);
    const layout = buildLayout(loadPreset('end2-backprop-2-2-2'));
    const at = `${layout.weightColumns[0].letter}${layout.rowOf(0) + 1}`;
    await setCellValueInFile(out, at, '1e400' as unknown as number);
    const err = await readGradsheetXlsx(readFileSync(out)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toBe(`Train!${at} (${layout.weightColumns[0].name}) holds a number too large for a spreadsheet (beyond ±1.8e308, such as 1e400); give it a finite number`);
  });

  it('--rows out of range is refused before training', async () => {
    const r = await runInProcess(train, [...SMALL, '--rows', '0-999999999', '--rows-csv', join(dir, 'rows.csv')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--rows 0-999999999: the sheet has epochs 0 to 2; give A-B with A ≤ B ≤ 2');
    expect(r.out).not.toContain('Epoch:');
  });

  it("a run file's format is checked", async () => {
    const run = join(dir, 'run.json');
    expect((await runInProcess(train, [...SMALL, '--json', run])).code).toBe(0);
    writeFileSync(run, readFileSync(run, 'utf8').replace('gradsheet.run/1', 'gradsheet.run/9'));
    const r = await runInProcess(train, ['--spec', run]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('format: must be "gradsheet.run/1" (a run file gradsheet wrote), got "gradsheet.run/9"');
  });

  it('ANSI escapes in a spec\'s name do not reach the terminal', async () => {
    const spec = JSON.parse(readFileSync(join(ROOT, 'sheets/end2-backprop-2-2-2.json'), 'utf8'));
    const file = join(dir, 'ansi.json');
    writeFileSync(file, JSON.stringify({ ...spec, name: 'red\u001b[31mALERT\u001b]0;title\u0007\u001b[2J', epochs: 2 }));
    const r = await runInProcess(train, ['--spec', file, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('redALERT: 2-2-2');
    expect(r.err + r.out).not.toMatch(/\u001b|\u0007/);
  });

  it('a UTF-16 spec says UTF-16', async () => {
    const file = join(dir, 'utf16.json');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(join(ROOT, 'sheets/end2-backprop-2-2-2.json'), 'utf8'), 'utf16le')]));
    const r = await runInProcess(train, ['--spec', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the file is UTF-16 text, not UTF-8: save it again as UTF-8');
  });
});
