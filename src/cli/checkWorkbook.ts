import { writeFileSync } from 'node:fs';
import { MapError, MappingError, renderReport, UnreadableError } from '../check/check';
import { checkWorkbookFile } from '../check/node';
import { parseArgs, UsageError, type FlagSpec } from './args';

export const EXIT = { ok: 0, failed: 1, usage: 2, io: 4, unmapped: 5 } as const;

const FLAGS: FlagSpec = { sheet: 'string', row: 'int', map: 'string', json: 'string', help: 'boolean' };
/** Flags that take a value, for telling the file argument apart from a flag's value. */
const VALUED = new Set(Object.entries(FLAGS).filter(([, k]) => k !== 'boolean').map(([f]) => `--${f}`));

export const USAGE = `Usage: npm run check-workbook -- FILE.xlsx [--sheet NAME] [--row N] [--map MAP.json] [--json OUT.json]

Checks the gradient cells of a backprop workbook: loads its formulas into the formula engine, finds the
weights, the loss and the cells claiming ∂loss/∂weight, nudges each weight by central differences and
compares the loss's slope with the claimed gradient; then checks the update rule (the next row's weight
= w − η·gradient). For a failing cell it prints what its formula reads and what looks wrong.

  FILE.xlsx        the workbook (.xlsx or .xlsm; macros are never run)
  --sheet NAME     the sheet to check (default: the one in the classic layout)
  --row N          the sheet row to check, as numbered in the spreadsheet (default: the first iteration)
  --map MAP.json   which cells are which, for sheets not in the classic layout
                   (example: sheets/maps/example-check-map.json)
  --json OUT.json  also write the report as JSON
  --help           this text

The classic layout: a header row with names such as w1, E_total (E_Total, E_tot, E, Loss, L) and
∂E/∂w1 (dE/dw1, δE_t/δw1, E∂w1, ∂E_total/∂w1), one iteration per row.

Exit codes: 0 every gradient cell passes, 1 some check failed (or a gradient cell could not be computed),
2 bad arguments or a bad map file, 4 the file could not be read, 5 nothing could be mapped or checked.`;

/** The one argument that is not a flag (nor a flag's value) is the workbook. */
function splitFile(argv: string[]): { file: string | undefined; rest: string[] } {
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
  if (files.length > 1) throw new UsageError(`give one workbook, got ${files.length}: ${files.join(', ')}`);
  return { file: files[0], rest };
}

export async function main(argv: string[]): Promise<number> {
  let flags;
  let file: string | undefined;
  try {
    const split = splitFile(argv);
    file = split.file;
    flags = parseArgs(split.rest, FLAGS);
    if (!flags.help && file === undefined) throw new UsageError('give the workbook to check, e.g. npm run check-workbook -- sheet.xlsx');
    if (flags.row !== undefined && (flags.row as number) < 1) throw new UsageError(`--row must be a sheet row number (1, 2, …), got ${flags.row}`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  try {
    const report = await checkWorkbookFile(file!, {
      ...(flags.sheet !== undefined ? { sheet: String(flags.sheet) } : {}),
      ...(flags.row !== undefined ? { row: flags.row as number } : {}),
      ...(flags.map !== undefined ? { mapPath: String(flags.map) } : {}),
    });
    process.stdout.write(`${renderReport(report)}\n`);
    if (flags.json !== undefined) {
      try {
        writeFileSync(String(flags.json), `${JSON.stringify(report, null, 2)}\n`);
      } catch (err) {
        process.stderr.write(`cannot write ${flags.json}: ${(err as Error).message}\n`);
        return EXIT.io;
      }
    }
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
    // Whatever else a strange workbook does to the reader or the engine is reported, not thrown.
    process.stderr.write(`check-workbook: could not check ${file}: ${(err as Error).message}\n`);
    return EXIT.io;
  }
}

process.exitCode = await main(process.argv.slice(2));
