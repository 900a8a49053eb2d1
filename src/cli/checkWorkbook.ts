import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MapError, MappingError, renderReport, UnreadableError } from '../check/check';
import { checkWorkbookFile } from '../check/node';
import { batchRows, csvOf, renderWorkbook, VERDICT_TEXT, type BatchRow } from '../check/render';
import type { WorkbookReport } from '../check/types';
import { checkWorkbookFileBytes, unreadableReport, workbookVerdict } from '../check/workbook';
import { fixedWorkbookBytes } from '../check/fixFile';
import { parseArgs, UsageError, type Flags, type FlagSpec } from './args';
import { WORKBOOK_FILE_MAX_BYTES } from '../check/workbookGuard';
import { sameFileClash, unwritableOutput } from '../io/distinctPaths';
import { ReadError, readFileBounded } from '../io/readBounded';
import { WriteError, writeTextSafely } from '../io/safeWrite';
import { isMainModule, printable } from '../io/terminal';

export const EXIT = { ok: 0, failed: 1, usage: 2, io: 4, unmapped: 5 } as const;

const FLAGS: FlagSpec = { sheet: 'string', row: 'int', map: 'string', json: 'string', csv: 'string', fix: 'string', help: 'boolean' };
/** Flags that take a value, for telling the file arguments apart from a flag's value. */
const VALUED = new Set(Object.entries(FLAGS).filter(([, k]) => k !== 'boolean').map(([f]) => `--${f}`));

export const USAGE = `Usage: npm run check-workbook -- FILE.xlsx|FOLDER ... [--json OUT.json] [--csv OUT.csv] [--fix OUT.xlsx]
       npm run check-workbook -- FILE.xlsx --map MAP.json [--sheet NAME] [--row N] [--json OUT.json]

Checks the gradient cells of backprop workbooks. In every sheet it finds the table of iterations (a header row
naming the weights w1 …, the loss E_total … and the gradients ∂E/∂w1 …, anywhere in the sheet), checks the first
row's gradients against the loss's slope measured by nudging each weight (central differences through the
formula engine), compares every later row's formulas with the first row's, checks any row that differs on its
own, and checks the update rule (next weight = w − η·gradient) in every row. For a wrong cell it prints what
its formula reads, what looks wrong and, for the classic 2-2-2 network, the correct formula.

  FILE.xlsx|FOLDER  workbooks (.xlsx, .xlsm; macros are never run); a folder means every workbook in it.
                    Several: one line per file and sheet, and a summary.
  --json OUT.json   write the full reports (one file: its report; several: the table and every report)
  --csv OUT.csv     write the table (file, sheet, verdict, wrong gradients, wrong updates …)
  --fix OUT.xlsx    (one workbook) write a copy with every failing gradient column of the classic network
                    replaced by the correct formula, down the whole column
  --map MAP.json    which cells are which, for a sheet unlike the classic layout (one workbook, one row)
  --sheet NAME      only this sheet
  --row N           with --map, or to check one row the old way: the sheet row, as the spreadsheet numbers it
  --help            this text

Exit codes: 0 every sheet with a network passes, 1 some sheet fails, 2 bad arguments or a bad map file (also an
output naming an input or another output), 4 a file could not be read or written, 5 no network could be found or
checked (the message says what was found).`;

function splitArgs(argv: string[]): { files: string[]; rest: string[] } {
  const rest: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      rest.push(a);
      if (VALUED.has(a) && i + 1 < argv.length) rest.push(argv[++i]);
    } else {
      files.push(a);
    }
  }
  return { files, rest };
}

const WORKBOOK = /\.(xlsx|xlsm)$/i;

/** Standard output, with a file's own text (sheet names, labels) made safe for a terminal. */
const say = (text: string) => process.stdout.write(printable(text));

/**
 * The files named: files as given, folders as every file in them (and their folders), sorted; a file that is not
 * an .xlsx/.xlsm gets its own line in the batch (a class folder holding an .ods or a .pdf should say so).
 */
const inFolder = new Set<string>();

function workbooksOf(args: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('~$') || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        out.push(p);
        inFolder.add(p);
      }
    }
  };
  for (const a of args) {
    if (existsSync(a) && statSync(a).isDirectory()) walk(a);
    else out.push(a);
  }
  return out;
}

/** Files in a folder that are not workbooks at all: they get a line, but do not set the exit code. */
const foreign = new WeakSet<WorkbookReport>();

function exitOf(all: WorkbookReport[]): number {
  const reports = all.filter((r) => !foreign.has(r));
  if (reports.length === 0) return EXIT.unmapped;
  if (reports.some((r) => r.verdict === 'fail')) return EXIT.failed;
  if (reports.some((r) => r.verdict === 'unreadable')) return EXIT.io;
  if (reports.some((r) => r.verdict !== 'pass')) return EXIT.unmapped;
  return EXIT.ok;
}

async function checkPath(path: string): Promise<WorkbookReport> {
  const ext = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext && inFolder.has(path) && !WORKBOOK.test(path)) {
    const spreadsheet = ['xls', 'ods', 'numbers', 'csv', 'xlsb'].includes(ext);
    const r = unreadableReport(basename(path), `a .${ext} file, not an .xlsx workbook${spreadsheet ? ': open it in a spreadsheet and save it as .xlsx' : ' (left out)'}`);
    if (!spreadsheet) foreign.add(r);
    return r;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileBounded(path, WORKBOOK_FILE_MAX_BYTES, 'workbooks');
  } catch (err) {
    if (err instanceof ReadError) return unreadableReport(basename(path), err.message);
    throw err;
  }
  return checkWorkbookFileBytes(bytes, basename(path));
}

function batchTable(rows: BatchRow[]): string[] {
  const cells = rows.map((r) => [r.file, r.sheet || '–', VERDICT_TEXT[r.verdict] ?? r.verdict, r.summary]);
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((r) => [...r[c]].length)));
  return cells.map((r) => r.map((t, c) => (c < 3 ? t + ' '.repeat(widths[c] - [...t].length) : t)).join('  '));
}

function summaryOf(reports: WorkbookReport[], rows: BatchRow[]): string {
  const count = (xs: { verdict: string }[], v: string) => xs.filter((x) => x.verdict === v).length;
  const sheets = rows.filter((r) => r.verdict !== 'unreadable');
  const others = reports.filter((r) => foreign.has(r)).length;
  return `${reports.length - others} workbook(s): ${count(reports, 'pass')} pass, ${count(reports, 'fail')} fail, ` +
    `${count(reports, 'unsupported') + count(reports, 'numbers-only')} with nothing checkable, ${count(reports, 'unreadable') - others} unreadable` +
    `${others ? `, ${others} other file(s) left out` : ''}; ` +
    `${sheets.length} sheet(s): ${count(sheets, 'pass')} pass, ${count(sheets, 'fail')} fail, ${count(sheets, 'numbers-only')} numbers only, ${count(sheets, 'unsupported')} unsupported`;
}

async function write(path: string, data: string | Uint8Array): Promise<boolean> {
  try {
    await writeTextSafely(path, data);
    return true;
  } catch (err) {
    if (!(err instanceof WriteError)) throw err;
    process.stderr.write(`check-workbook: ${printable(err.message)}\n`);
    return false;
  }
}

/** The old single-plan check: a map file, or one row of one sheet. */
async function mappedCheck(file: string, flags: Flags): Promise<number> {
  try {
    const report = await checkWorkbookFile(file, {
      ...(flags.sheet !== undefined ? { sheet: String(flags.sheet) } : {}),
      ...(flags.row !== undefined ? { row: flags.row as number } : {}),
      ...(flags.map !== undefined ? { mapPath: String(flags.map) } : {}),
    });
    say(`${renderReport(report)}\n`);
    if (flags.json !== undefined && !(await write(String(flags.json), `${JSON.stringify(report, null, 2)}\n`))) return EXIT.io;
    return report.verdict === 'pass' ? EXIT.ok : report.verdict === 'fail' ? EXIT.failed : EXIT.unmapped;
  } catch (err) {
    if (err instanceof UnreadableError) {
      process.stderr.write(`check-workbook: ${err.message}\n`);
      return EXIT.io;
    }
    if (err instanceof MapError) {
      process.stderr.write(`check-workbook: bad map: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof MappingError) {
      process.stderr.write(`check-workbook: nothing to check in ${file}: ${err.message}\n`);
      return EXIT.unmapped;
    }
    process.stderr.write(`check-workbook: could not check ${file} (an internal error${process.env.CHECK_DEBUG ? `: ${(err as Error).stack}` : '; set CHECK_DEBUG=1 to see it'})\n`);
    return EXIT.io;
  }
}

export async function main(argv: string[]): Promise<number> {
  let flags: Flags;
  let files: string[];
  try {
    const split = splitArgs(argv);
    flags = parseArgs(split.rest, FLAGS);
    if (flags.help) {
      say(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (split.files.length === 0) throw new UsageError('give the workbooks to check, e.g. npm run check-workbook -- sheet.xlsx (or a folder)');
    if (flags.row !== undefined && (flags.row as number) < 1) throw new UsageError(`--row must be a sheet row number (1, 2, …), got ${flags.row}`);
    files = workbooksOf(split.files);
    if (files.length === 0) throw new UsageError(`no files in ${split.files.join(', ')}`);
    const single = split.files.length === 1 && files.length === 1 && !(existsSync(split.files[0]) && statSync(split.files[0]).isDirectory());
    if ((flags.map !== undefined || flags.row !== undefined) && !single) throw new UsageError('--map and --row check one workbook; give one file');
    if (flags.fix !== undefined && !single) throw new UsageError('--fix writes the copy of one workbook; give one file');
    if (flags.fix !== undefined && !WORKBOOK.test(String(flags.fix))) throw new UsageError(`--fix needs an .xlsx file name to write, got "${flags.fix}"`);
    const clash = sameFileClash(flags, files.map((f) => ({ what: 'the workbooks being checked', path: f, input: true })));
    if (clash) throw new UsageError(clash);
    // A typo in an output's folder is found before the checking, not after it.
    const unwritable = unwritableOutput(flags);
    if (unwritable) {
      process.stderr.write(`check-workbook: ${printable(unwritable.message)}\n`);
      return EXIT.io;
    }
    if (flags.map !== undefined || flags.row !== undefined) return await mappedCheck(files[0], flags);

    const reports: WorkbookReport[] = [];
    for (const f of files) {
      const r = await checkPath(f);
      if (flags.sheet !== undefined && r.verdict !== 'unreadable') {
        const mine = r.sheets.filter((s) => s.sheet === flags.sheet);
        if (mine.length === 0 && single) throw new UsageError(`no sheet named "${flags.sheet}" in ${f} (sheets: ${r.sheets.map((s) => s.sheet).join(', ')})`);
        if (mine.length === 0) {
          reports.push(unreadableReport(r.file, `no sheet named "${flags.sheet}" (sheets: ${r.sheets.map((s) => s.sheet).join(', ')})`));
          continue;
        }
        r.sheets = mine;
        r.verdict = workbookVerdict(mine);
      }
      reports.push(r);
      if (single) say(`${renderWorkbook(r)}\n`);
    }
    const rows = reports.flatMap(batchRows);
    if (!single) {
      for (const line of batchTable(rows)) say(`${line}\n`);
      say(`\n${summaryOf(reports, rows)}\n`);
    }
    let code = exitOf(reports);
    if (flags.json !== undefined) {
      const json = single ? reports[0] : { summary: summaryOf(reports, rows), table: rows, workbooks: reports };
      if (!(await write(String(flags.json), `${JSON.stringify(json, null, 2)}\n`))) code = EXIT.io;
    }
    if (flags.csv !== undefined && !(await write(String(flags.csv), csvOf(rows)))) code = EXIT.io;
    if (flags.fix !== undefined) {
      const fixes = reports[0].sheets.flatMap((s) => s.fixes.map((f) => ({ sheet: s.sheet, ...f })));
      if (fixes.length === 0) {
        say('--fix: no failing gradient column of the classic network to replace; no copy written\n');
      } else {
        const fixed = await fixedWorkbookBytes(readFileBounded(files[0], WORKBOOK_FILE_MAX_BYTES, 'workbooks'), fixes);
        if (!(await write(String(flags.fix), fixed))) return EXIT.io;
        say(`--fix: wrote ${flags.fix} with ${fixes.length} gradient column(s) replaced (${fixes.map((f) => `${f.sheet}!${f.address.replace(/\d+$/, '')}`).join(', ')})\n`);
        const left = reports[0].sheets.flatMap((s) => s.wrongCells.filter((w) => w.kind !== 'gradient' || !s.fixes.some((f) => f.weight === w.weight)));
        if (left.length) say(`--fix: ${left.length} other wrong cell(s) (updates, other formulas) are left as they are: see the report above\n`);
      }
    }
    return code;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`check-workbook: stopped on an internal error${process.env.CHECK_DEBUG ? `: ${(err as Error).stack}` : ' (set CHECK_DEBUG=1 to see it); please report it with the file'}\n`);
    return EXIT.io;
  }
}

// Output piped into `head` that closes early is not an error of the check.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
if (isMainModule(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
