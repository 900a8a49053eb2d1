import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEpochs } from '../driver/driver';
import { buildLayout } from '../layout/layout';
import { trainReference } from '../reference/trainer';
import { loadPreset } from '../spec/presets';
import { initialParams, sampleOrder } from '../spec/resolve';
import { buildWorkbook, type Workbook } from '../workbook/workbook';
import { setHyperFormulaPatches, type PatchName } from '../workbook/hfPatches';
import ExcelJS from 'exceljs';
import { Session } from '../web/session';
import { withOverrides } from '../spec/validate';
import { snapshotSource } from '../export/snapshot';
import { fillWorkbook } from '../export/xlsx';
import { writeXlsxFile } from '../export/xlsxFile';
import { xlsxBytes } from '../export/xlsxBuffer';

/**
 * npm run bench [-- --runs N] [-- --no-process] [-- --no-levers] [-- --no-xlsx] [-- --no-settings]: end2-xor-44 (2001 epochs) trained in the formula engine, against the
 * plain float64 reference trainer in the same process and, where a python3 with torch is installed, against the
 * course notebook's PyTorch loop as a whole process. Figures are medians over N runs (default 3); the whole-process
 * runs alternate gradsheet and PyTorch.
 */

const args = process.argv.slice(2);
const flag = (name: string) => args.indexOf(`--${name}`);
const RUNS = flag('runs') >= 0 ? Number(args[flag('runs') + 1]) : 3;
const WHOLE_PROCESS = flag('no-process') < 0;
const LEVERS = flag('no-levers') < 0;
const XLSX = flag('no-xlsx') < 0;
const SETTINGS = flag('no-settings') < 0;
const PRESET = 'end2-xor-44';
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

const gc = (globalThis as { gc?: () => void }).gc;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const out = f();
  return [out, performance.now() - t];
}

/** Edits one weight in a middle row and reads that row back: what a user waits for after typing a weight. */
function editLatency(wb: Workbook): number[] {
  const { hf, layout, train } = wb;
  const row = layout.rowOf(Math.floor(layout.spec.epochs / 2));
  const col = layout.weightColumns[5].index;
  const original = hf.getCellValue({ sheet: train, row, col }) as number;
  const last = layout.columns.length - 1;
  const times: number[] = [];
  for (let i = 0; i < 101; i++) {
    times.push(time(() => {
      hf.setCellContents({ sheet: train, row, col }, i % 2 === 0 ? original * 1.01 : original);
      hf.getRangeValues({ start: { sheet: train, row, col: 0 }, end: { sheet: train, row, col: last } });
    })[1]);
  }
  return times;
}

/** Re-runs every epoch after an edit of one epoch-0 weight (the driver rewrites each later row's weights). */
function rerunAfterEdit(wb: Workbook, value: number): number {
  const { hf, layout, train } = wb;
  return time(() => {
    hf.setCellContents({ sheet: train, row: layout.rowOf(0), col: layout.weightColumns[0].index }, value);
    runEpochs(wb, { from: 0 });
  })[1];
}

/** Each HyperFormula patch measured against the same run without it, and all of them against none. */
const PATCH_NAMES: PatchName[] = ['rowTemplates', 'linearSort', 'noChangeRecords', 'sharedTrees'];
const CONFIGS: { label: string; patches: boolean | Partial<Record<PatchName, boolean>> }[] = [
  { label: 'unpatched HyperFormula', patches: false },
  { label: 'all patches', patches: true },
  ...PATCH_NAMES.map((name) => ({ label: `all patches but ${name}`, patches: { ...Object.fromEntries(PATCH_NAMES.map((n) => [n, true])), [name]: false } })),
];

/** Build + 2001 epochs, and a re-run after an epoch-0 edit, per configuration; runs rotate the order. */
function patchLevers() {
  const spec = loadPreset(PRESET);
  const initial = initialParams(spec);
  const order = sampleOrder(spec);
  const train = CONFIGS.map(() => [] as number[]);
  const rerun = CONFIGS.map(() => [] as number[]);
  for (let run = 0; run < RUNS; run++) {
    for (let k = 0; k < CONFIGS.length; k++) {
      const i = (k + run) % CONFIGS.length;
      setHyperFormulaPatches(CONFIGS[i].patches);
      gc?.();
      const [wb, t] = time(() => {
        const w = buildWorkbook(buildLayout(spec), initial, order);
        runEpochs(w);
        return w;
      });
      train[i].push(t);
      rerun[i].push(rerunAfterEdit(wb, 0.3 + run / 100));
      wb.hf.destroy();
    }
    process.stderr.write(`patch run ${run + 1}/${RUNS} done\n`);
  }
  setHyperFormulaPatches(true);
  const base = 0;
  console.log(`HyperFormula patches (src/workbook/hfPatches.ts), ${PRESET}, medians of ${RUNS} runs, order rotated each run:`);
  console.log(`  ${'configuration'.padEnd(34)} ${'build + driver'.padStart(16)} ${'ratio'.padStart(6)} ${'re-run after edit'.padStart(18)} ${'ratio'.padStart(6)}`);
  CONFIGS.forEach((c, i) => {
    const t = median(train[i]);
    const r = median(rerun[i]);
    const tr = median(train[i].map((x, j) => x / train[base][j]));
    const rr = median(rerun[i].map((x, j) => x / rerun[base][j]));
    console.log(`  ${c.label.padEnd(34)} ${ms(t).padStart(16)} ${tr.toFixed(2).padStart(6)} ${ms(r).padStart(18)} ${rr.toFixed(2).padStart(6)}`);
  });
  console.log('  (ratios: median of each run\'s ratio to the unpatched run of the same round)');
}

/**
 * The XLSX writers on the trained end2-xor-44 sheet (values flavour), alternated: exceljs's streaming writer (what
 * the CLI used; the baseline), exceljs's in-memory writer (what the page used), and sheetml.ts's writer to a file
 * and to bytes (what the CLI and the page use now).
 */
async function xlsxWriters() {
  const spec = loadPreset(PRESET);
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  const source = snapshotSource(wb);
  const info = { flavour: 'values' as const, version: 'bench' };
  const out = join(tmpdir(), `gradsheet-bench-${process.pid}.xlsx`);
  const writers: [string, () => Promise<unknown>][] = [
    ['exceljs streaming writer, to a file', async () => {
      const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: true, useSharedStrings: false });
      await fillWorkbook(book, source, info);
      await book.commit();
    }],
    ['exceljs in-memory writer, to bytes', async () => {
      const book = new ExcelJS.Workbook();
      await fillWorkbook(book, wb, info);
      await book.xlsx.writeBuffer();
    }],
    ['sheetml.ts, to a file (the CLI)', () => writeXlsxFile(source, out, info)],
    ['sheetml.ts, to bytes (the page\'s worker)', () => xlsxBytes(wb, info)],
  ];
  const times = writers.map(() => [] as number[]);
  const sizes = writers.map(() => 0);
  for (let run = 0; run < RUNS; run++) {
    for (let k = 0; k < writers.length; k++) {
      const i = (k + run) % writers.length;
      gc?.();
      const t = performance.now();
      const bytes = await writers[i][1]();
      times[i].push(performance.now() - t);
      sizes[i] = bytes instanceof ArrayBuffer ? bytes.byteLength : statSync(out).size;
    }
    process.stderr.write(`xlsx run ${run + 1}/${RUNS} done\n`);
  }
  rmSync(out, { force: true });
  wb.hf.destroy();
  console.log(`XLSX writers, the trained ${PRESET} sheet (values flavour), medians of ${RUNS} runs, order rotated each run:`);
  writers.forEach(([label], i) => line(label, `${ms(median(times[i]))}, ratio ${median(times[i].map((x, j) => x / times[0][j])).toFixed(2)}, ${mb(sizes[i])}`));
}

/**
 * The page's "new η": a session for the new settings, trained, as the engine worker does it: built anew (before),
 * or taking over the trained sheet's rows (Session's reuse, src/workbook/retune.ts). Alternated.
 */
async function settingsChange() {
  const spec = loadPreset(PRESET);
  const rebuild: number[] = [];
  const keep: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const trained = new Session(spec);
    await trained.train();
    const next = withOverrides(spec, { lr: spec.optimizer.lr * (0.8 + run / 10) });
    const both: [number[], () => Session][] = [
      [rebuild, () => new Session(next)],
      [keep, () => new Session(next, trained.handOver()!)],
    ];
    if (run % 2 === 1) both.reverse();
    for (const [times, make] of both) {
      gc?.();
      const t = performance.now();
      const s = make();
      await s.train();
      times.push(performance.now() - t);
      if (s.wb !== trained.wb) s.wb.hf.destroy();
    }
    trained.wb.hf.destroy();
    process.stderr.write(`settings run ${run + 1}/${RUNS} done\n`);
  }
  console.log(`A new η on the trained ${PRESET} sheet, to all ${spec.epochs} epochs trained again (Session, as the page's worker), medians of ${RUNS}, alternated:`);
  line('rebuilt (before)', ms(median(rebuild)));
  line('rows kept, driver re-run', `${ms(median(keep))}, ratio ${median(keep.map((k, i) => k / rebuild[i])).toFixed(2)}`);
}

function inProcess() {
  const spec = loadPreset(PRESET);
  const initial = initialParams(spec);
  const order = sampleOrder(spec);
  const reference: number[] = [];
  const build: number[] = [];
  const train: number[] = [];
  const heap: number[] = [];
  const edits: number[] = [];
  const reruns: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    reference.push(time(() => trainReference(spec, initial, order))[1]);
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const [wb, tBuild] = time(() => buildWorkbook(buildLayout(spec), initial, order));
    build.push(tBuild);
    train.push(time(() => runEpochs(wb))[1]);
    gc?.();
    heap.push(process.memoryUsage().heapUsed - before);
    edits.push(median(editLatency(wb)));
    reruns.push(rerunAfterEdit(wb, 0.3 + run / 100));
    wb.hf.destroy();
    process.stderr.write(`in-process run ${run + 1}/${RUNS} done\n`);
  }
  const cells = buildLayout(spec).columns.length * spec.epochs;
  const tRef = median(reference);
  const tTotal = median(build.map((b, i) => b + train[i]));
  console.log(`gradsheet bench: ${PRESET}, ${spec.epochs} epochs, ${cells} cells, medians of ${RUNS} runs${gc ? '' : ' (run with --expose-gc for heap figures)'}`);
  line('reference trainer (plain float64)', ms(tRef));
  line('HyperFormula build (header and epoch 0)', ms(median(build)));
  line(`driver: ${spec.epochs - 1} rows added and computed`, `${ms(median(train))} (${ms(median(train) / spec.epochs)} a row)`);
  line('build + driver', ms(tTotal));
  line('ratio build + driver / reference', `${(tTotal / tRef).toFixed(1)}`);
  line('workbook JS heap after GC', `${mb(median(heap))} (${(median(heap) / cells).toFixed(0)} B a cell)`);
  line('peak resident memory of this process', mb(process.resourceUsage().maxRSS * 1024));
  line('edit one weight, recompute and read its row', ms(median(edits)));
  line(`edit an epoch-0 weight, re-run ${spec.epochs - 1} epochs`, `${ms(median(reruns))} (${ms(median(reruns) / spec.epochs)} a row)`);
}

function wallSeconds(cmd: string, argv: string[], cwd: string): number | null {
  const t = performance.now();
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`${cmd} ${argv.join(' ')} failed: ${r.stderr?.slice(-500) ?? r.error}\n`);
    return null;
  }
  return (performance.now() - t) / 1000;
}

function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

function wholeProcess() {
  const py = findTorchPython();
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const g = wallSeconds('npm', ['run', '-s', 'train', '--', '--preset', PRESET, '--quiet'], ROOT);
    if (g !== null) ours.push(g);
    if (py) {
      const p = wallSeconds(py, [join(HERE, 'notebook_xor44.py'), String(run)], ROOT);
      if (p !== null) theirs.push(p);
    }
    process.stderr.write(`whole-process run ${run + 1}/${RUNS} done\n`);
  }
  console.log(`whole processes, medians of ${RUNS} runs, alternating:`);
  if (ours.length) line(`npm run train -- --preset ${PRESET}`, `${median(ours).toFixed(2)} s`);
  if (!py) {
    line('PyTorch notebook loop', 'skipped: no python3 with torch (Debian: apt install python3-torch)');
    return;
  }
  if (theirs.length) line('PyTorch notebook loop (src/bench/notebook_xor44.py)', `${median(theirs).toFixed(2)} s`);
  if (ours.length && theirs.length) line('ratio gradsheet / PyTorch', (median(ours) / median(theirs)).toFixed(2));
}

/** The CLI's XLSX export of the trained sheet: it reports its own time and peak resident memory. */
function exportRun() {
  const out = join(tmpdir(), `gradsheet-bench-${process.pid}.xlsx`);
  const r = spawnSync('npm', ['run', '-s', 'train', '--', '--preset', PRESET, '--quiet', '--out', out], { cwd: ROOT, encoding: 'utf8' });
  const report = /wrote .* in ([\d.]+) s; peak memory so far (\d+) MB/.exec(r.stderr ?? '');
  if (r.status !== 0 || !report) {
    process.stderr.write(`export run failed: ${r.stderr?.slice(-500) ?? r.error}\n`);
    return;
  }
  console.log(`XLSX export (values flavour) of the trained ${PRESET} sheet, one run:`);
  line('export time', `${report[1]} s`);
  line('file size', mb(statSync(out).size));
  line('peak resident memory (training + export)', `${report[2]} MB (budget 1024 MB)`);
  rmSync(out, { force: true });
}

inProcess();
if (LEVERS) patchLevers();
if (SETTINGS) await settingsChange();
if (XLSX) await xlsxWriters();
if (WHOLE_PROCESS) {
  wholeProcess();
  exportRun();
}
