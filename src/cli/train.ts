import { DivergenceError, runEpochs } from '../driver/driver';
import { buildLayout } from '../layout/layout';
import { runFileJson, runFileOf } from '../run/runFile';
import { PRESET_NAMES, loadPreset } from '../spec/presets';
import { initialParams, parameterCount, sampleOrder } from '../spec/resolve';
import { SpecError, parseSpecText, withOverrides, type SpecOverrides } from '../spec/validate';
import type { Spec } from '../spec/types';
import { buildWorkbook, numberAt } from '../workbook/workbook';
import { parseArgs, UsageError, type FlagSpec } from './args';
import { lossCsv, rowsCsv } from '../export/csv';
import { FLAVOURS, type Flavour } from '../export/xlsx';
import { xlsxLimitProblem } from '../export/excelLimits';
import { writeXlsxFile } from '../export/xlsxFile';
import { snapshotSource } from '../export/snapshot';
import { collectGarbage } from '../node/collectGarbage';
import { parseLearningRates } from '../lanes/rates';
import { runLanes } from './lanesRun';
import { gradcheckRows } from './gradcheckReport';
import { checkNotebookSpec, notebookFiles } from '../export/notebook';
import { notebookRunOf } from '../export/notebookRun';
import { NotebookError } from '../export/notebookTorch';
import packageJson from '../../package.json';
import { sameFileClash, unwritableOutput } from '../io/distinctPaths';
import { ReadError, readTextBounded, TEXT_FILE_MAX_BYTES } from '../io/readBounded';
import { WriteError, writeTextSafely } from '../io/safeWrite';
import { isMainModule, printable } from '../io/terminal';

const VERSION = packageJson.version;

/**
 * V8 lets the heap of a growing sheet climb well past what it holds: end2-xor-44 trained to a peak of 817–866 MB
 * resident with ~330 MB live. A full collection once the process is over 600 MB, at most every 500 epochs (so 1–3
 * of them), kept the peak of a training plus `--out` at 602–620 MB in three alternated runs, training time within
 * the runs' noise (3.5–4.8 s against 3.9–4.8 s).
 */
const GC_ABOVE_BYTES = 600 * 2 ** 20;
const GC_EVERY_EPOCHS = 500;

export const EXIT = { ok: 0, usage: 2, diverged: 3, io: 4, gradcheck: 5 } as const;

const FLAGS: FlagSpec = {
  preset: 'string', spec: 'string', epochs: 'int', lr: 'number', momentum: 'number', seed: 'int', batch: 'string',
  json: 'string', out: 'string', flavour: 'string', 'loss-csv': 'string', 'rows-csv': 'string', rows: 'string',
  quiet: 'boolean', help: 'boolean', gradcheck: 'boolean', lanes: 'string', notebook: 'string', script: 'string',
};

export const USAGE = `Usage: npm run train -- [--preset NAME | --spec FILE] [options]

Builds the network's training sheet in the formula engine, trains it row by row and prints the
notebook-style log (every 50 epochs and the last). In single-sample mode the log prints the last step's
loss, as the course notebook does; --loss-csv writes each epoch's mean loss L̄ and the step losses.

  --preset NAME         one of: ${PRESET_NAMES.join(', ')} (default end2-xor-44)
  --spec FILE           a spec file or a run file (a run file replays exactly: its initial weights and order)
  --epochs N            number of epochs (rows)
  --lr X                learning rate η
  --momentum M          SGD momentum μ (0 ≤ μ < 1)
  --seed S              seed for the starting weights and the sample order
  --batch full|sample   one update per epoch from all samples, or single-sample steps
  --json FILE           write the run file (format gradsheet.run/1)
  --out FILE.xlsx       write the workbook as XLSX (every formula with its value)
  --flavour values|live XLSX weights as the copied numbers (values, default) or formulas over the row above (live)
  --loss-csv FILE       write the loss curve as CSV: epoch, the epoch's loss (single-sample mode: the mean L̄
                        of its steps) and each step's loss (epoch,L̄,L[1],…)
  --rows-csv FILE       write every column of a range of rows as CSV (--rows A-B, default all)
  --notebook FILE.ipynb write the run as the course's PyTorch notebook (nbformat 4): the sheet's starting weights,
                        sample order and settings, the same log, and a last cell comparing its losses with the sheet's
  --script FILE.py      the same code as a Python script (python3 FILE.py; needs PyTorch)
  --gradcheck           check every gradient cell of the first and last rows against central differences through
                        the engine; prints the worst relative error per layer (exit 5 when one is over 1e-6)
  --lanes η1,η2,…       train once per learning rate from the same starting weights and print the table of
                        epoch losses (course: --lanes 0.1,0.2,0.5,0.8,1.0,2.0); --out then writes one sheet per
                        lane and a Compare sheet, --loss-csv one epoch-loss column per lane
  --quiet               no progress bar
  --help                this text

Exit codes: 0 done, 2 bad arguments or spec (also two flags naming one file), 3 training diverged, 4 file could
not be read or written (a failed or interrupted write leaves the file that was there as it was), 5 the gradient
check failed.`;

const peakMemoryMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function progressBar(done: number, total: number, startedMs: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const secs = ((performance.now() - startedMs) / 1000).toFixed(1);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] epoch ${done}/${total}  ${secs}s`;
}

/** The spec field each override flag sets: a value the spec refuses is a bad flag value. */
const OVERRIDE_FIELDS: Record<string, string> = { epochs: 'epochs', 'optimizer.lr': 'lr', 'optimizer.momentum': 'momentum', seed: 'seed', batch: 'batch' };

function withOverridesOfFlags(spec: Spec, over: SpecOverrides): Spec {
  try {
    return withOverrides(spec, over);
  } catch (err) {
    const flag = err instanceof SpecError ? OVERRIDE_FIELDS[err.field] : undefined;
    if (flag && over[flag as keyof SpecOverrides] !== undefined) throw new UsageError(`--${flag} ${over[flag as keyof SpecOverrides]}: ${(err as SpecError).message}`);
    throw err;
  }
}

export async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseArgs(argv, FLAGS);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`gradsheet: ${err.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  if (flags.help) {
    log(USAGE);
    return EXIT.ok;
  }
  const clash = sameFileClash(flags);
  if (clash) {
    process.stderr.write(`gradsheet: ${clash}\n`);
    return EXIT.usage;
  }

  let spec;
  try {
    if (flags.preset !== undefined && flags.spec !== undefined) throw new UsageError('give --preset or --spec, not both');
    if (flags.spec !== undefined) {
      let text: string;
      try {
        text = readTextBounded(String(flags.spec), TEXT_FILE_MAX_BYTES, 'spec and run files');
      } catch (err) {
        if (!(err instanceof ReadError)) throw err;
        process.stderr.write(`gradsheet: cannot read spec file ${printable(err.path)}: ${err.reason}\n`);
        return EXIT.io;
      }
      spec = parseSpecText(text, String(flags.spec));
    } else {
      spec = loadPreset(String(flags.preset ?? 'end2-xor-44'));
    }
    if (flags.flavour !== undefined && !FLAVOURS.includes(flags.flavour as Flavour)) {
      throw new UsageError(`--flavour must be values or live, got "${flags.flavour}"`);
    }
    if (flags.out !== undefined && !String(flags.out).toLowerCase().endsWith('.xlsx')) {
      throw new UsageError(`--out writes an XLSX workbook; name the file .xlsx, got "${flags.out}"`);
    }
    for (const [flag, ext] of [['notebook', '.ipynb'], ['script', '.py']] as const) {
      if (flags[flag] !== undefined && !String(flags[flag]).toLowerCase().endsWith(ext)) {
        throw new UsageError(`--${flag} writes a ${ext} file; name it ${ext}, got "${flags[flag]}"`);
      }
    }
    if (flags.rows !== undefined && !/^\d+-\d+$/.test(String(flags.rows))) {
      throw new UsageError(`--rows must be a range of epochs such as 0-50, got "${flags.rows}"`);
    }
    if (flags.batch !== undefined && flags.batch !== 'full' && flags.batch !== 'sample') {
      throw new UsageError(`--batch must be full or sample, got "${flags.batch}"`);
    }
    const over: SpecOverrides = {
      epochs: flags.epochs as number | undefined,
      lr: flags.lr as number | undefined,
      momentum: flags.momentum as number | undefined,
      seed: flags.seed as number | undefined,
      batch: flags.batch as SpecOverrides['batch'],
    };
    spec = withOverridesOfFlags(spec, over);
    if (flags.notebook !== undefined || flags.script !== undefined) checkNotebookSpec(spec);
    if (flags.rows !== undefined) {
      const [from, to] = String(flags.rows).split('-').map(Number);
      if (from > to || to > spec.epochs - 1) {
        throw new UsageError(`--rows ${flags.rows}: the sheet has epochs 0 to ${spec.epochs - 1}; give A-B with A ≤ B ≤ ${spec.epochs - 1}`);
      }
    }
  } catch (err) {
    if (err instanceof NotebookError) {
      process.stderr.write(`gradsheet: --${flags.notebook !== undefined ? 'notebook' : 'script'}: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof SpecError || err instanceof UsageError) {
      // A bad flag value gets the usage; a bad spec file just its field and reason.
      process.stderr.write(`gradsheet: ${err.message}\n${err instanceof UsageError ? `\n${USAGE}\n` : ''}`);
      return EXIT.usage;
    }
    throw err;
  }

  // A sheet that Excel could not open as written is refused before training.
  const limit = flags.out !== undefined ? xlsxLimitProblem(buildLayout(spec)) : null;
  if (limit) {
    process.stderr.write(`gradsheet: --out: ${limit}\n`);
    return EXIT.usage;
  }
  // A typo in an output's folder costs no training: every output is checked first.
  const unwritable = unwritableOutput(flags);
  if (unwritable) {
    process.stderr.write(`gradsheet: ${printable(unwritable.message)}\n`);
    return EXIT.io;
  }

  if (flags.lanes !== undefined) {
    let lrs: number[];
    try {
      if (flags.json !== undefined || flags['rows-csv'] !== undefined || flags.gradcheck || flags.notebook !== undefined || flags.script !== undefined) {
        throw new UsageError('--lanes writes --out and --loss-csv; --json, --rows-csv, --notebook, --script and --gradcheck work on one run');
      }
      lrs = parseLearningRates(String(flags.lanes));
    } catch (err) {
      process.stderr.write(`gradsheet: --lanes: ${(err as Error).message}\n`);
      return EXIT.usage;
    }
    try {
      const diverged = await runLanes(spec, lrs, {
        xlsx: flags.out as string | undefined, lossCsv: flags['loss-csv'] as string | undefined,
        flavour: (flags.flavour as Flavour) ?? 'values', version: VERSION,
      }, log);
      return diverged ? EXIT.diverged : EXIT.ok;
    } catch (err) {
      if (err instanceof WriteError) {
        process.stderr.write(`gradsheet: ${printable(err.message)}\n`);
        return EXIT.io;
      }
      throw err;
    }
  }

  const layout = buildLayout(spec);
  const showBar = !flags.quiet && process.stderr.isTTY;
  const started = performance.now();
  process.stderr.write(
    `${printable(spec.name)}: ${spec.model.layers.join('-')}, ${parameterCount(spec.model.layers, spec.model.bias)} parameters, ` +
    `${spec.epochs} epochs, batch ${spec.batch}; ${layout.columns.length} cells a row\n`,
  );
  const wb = buildWorkbook(layout, initialParams(spec), sampleOrder(spec));
  let lastGc = -Infinity;
  try {
    runEpochs(wb, {
      progressEvery: Math.max(1, Math.floor(spec.epochs / 100)),
      onProgress: (p) => {
        if (showBar) process.stderr.write(progressBar(p.epoch + 1, p.epochs, started));
        if (p.epoch - lastGc >= GC_EVERY_EPOCHS && process.memoryUsage.rss() > GC_ABOVE_BYTES) {
          lastGc = p.epoch;
          collectGarbage();
        }
      },
    });
  } catch (err) {
    if (showBar) process.stderr.write('\n');
    if (err instanceof DivergenceError) {
      // The rows before the bad one trained normally: log them as a finished run would, then say what went wrong.
      for (let epoch = 0; epoch < err.epoch; epoch++) {
        if (epoch % 50 === 0 || epoch === err.epoch - 1) log(`Epoch: ${epoch}\tLoss: ${numberAt(wb, epoch, layout.lossColumn).toFixed(10)}`);
      }
      const before = err.epoch === 1 ? 'Epoch 0' : `Epochs 0 to ${err.epoch - 1}`;
      const kept = err.epoch > 0 ? ` ${before} trained normally (--epochs ${err.epoch} keeps just ${err.epoch === 1 ? 'it' : 'them'}).` : '';
      process.stderr.write(`gradsheet: ${err.message} Set the learning rate with --lr${layout.momentumColumn ? ', the momentum with --momentum' : ''}.${kept}\n`);
      return EXIT.diverged;
    }
    throw err;
  }
  if (showBar) process.stderr.write('\n');

  for (let epoch = 0; epoch < spec.epochs; epoch++) {
    if (epoch % 50 === 0 || epoch === spec.epochs - 1) {
      log(`Epoch: ${epoch}\tLoss: ${numberAt(wb, epoch, layout.lossColumn).toFixed(10)}`);
    }
  }
  process.stderr.write(`trained in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);

  if (flags.gradcheck && !gradcheckRows(wb, log)) return EXIT.gradcheck;

  const flavour = (flags.flavour as Flavour) ?? 'values';
  const outputs: [string | undefined, () => Promise<void> | void][] = [
    [flags.json as string | undefined, () => writeTextSafely(String(flags.json), runFileJson(runFileOf(wb)))],
    [flags['loss-csv'] as string | undefined, () => writeTextSafely(String(flags['loss-csv']), lossCsv(wb))],
    [flags['rows-csv'] as string | undefined, () => {
      const [from, to] = flags.rows ? String(flags.rows).split('-').map(Number) : [0, wb.rows - 1];
      return writeTextSafely(String(flags['rows-csv']), rowsCsv(wb, from, to));
    }],
    ...notebookOutputs(wb, flags.notebook as string | undefined, flags.script as string | undefined),
    // Last: it copies the values out and frees the engine first, so the XLSX writer has the memory.
    [flags.out as string | undefined, () => {
      const values = snapshotSource(wb);
      wb.hf.destroy();
      collectGarbage();
      return writeXlsxFile(values, String(flags.out), { flavour, version: VERSION });
    }],
  ];
  for (const [file, write] of outputs) {
    if (file === undefined) continue;
    const began = performance.now();
    try {
      await write();
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      process.stderr.write(`gradsheet: ${printable(err.message)}\n`);
      return EXIT.io;
    }
    process.stderr.write(`wrote ${file} in ${((performance.now() - began) / 1000).toFixed(1)} s; peak memory so far ${peakMemoryMb()} MB\n`);
  }
  return EXIT.ok;
}

/** --notebook and --script: generated once from the trained sheet, each written atomically. */
function notebookOutputs(wb: ReturnType<typeof buildWorkbook>, notebook: string | undefined, script: string | undefined): [string | undefined, () => Promise<void>][] {
  let files: ReturnType<typeof notebookFiles> | null = null;
  const made = () => (files ??= notebookFiles(notebookRunOf({ layout: wb.layout, rows: wb.rows, value: (e, c) => numberAt(wb, e, c) }), VERSION));
  return [[notebook, () => writeTextSafely(notebook!, made().ipynb)], [script, () => writeTextSafely(script!, made().py)]];
}


if (isMainModule(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
