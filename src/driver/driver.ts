import { TRAIN_SHEET, type Column, type Layout, type RefStyle } from '../layout/layout';
import { ACTIVATION_REGISTRY } from '../model/activations';
import { namedFormula } from '../workbook/formulas';
import { appendRow, compactWorkbook, describeValue, type Workbook } from '../workbook/workbook';
import { withoutChangeRecords } from '../workbook/hfPatches';
import { reuseRow } from '../workbook/retune';

/**
 * The driver does what a person with the course sheet does by hand: copy the row's new weights (and velocities)
 * into the next row, whose formulas then recompute. Every number it copies was computed by the formula engine.
 */

export interface Progress {
  /** The last epoch whose row is complete. */
  epoch: number;
  epochs: number;
}

/**
 * Copies the weights (and velocities) row `epoch` ends with into row `epoch + 1`, adding that row with its
 * formulas when the sheet does not have it yet (building rows as they are reached costs a quarter less than
 * building them all first, which evaluates every row once more on empty weights).
 */
export function copyToNextRow(wb: Workbook, epoch: number): void {
  const { hf, layout, train } = wb;
  checkLosses(wb, epoch);
  const weights = readBlock(wb, epoch, layout.nextWeightColumns);
  const velocities = layout.nextVelocityColumns ? readBlock(wb, epoch, layout.nextVelocityColumns) : null;
  if (epoch + 1 >= wb.rows) {
    if (wb.rows < wb.built) reuseRow(wb, weights, velocities);
    else appendRow(wb, weights, velocities);
    if (wb.rows % COMPACT_EVERY === 0 || wb.rows === layout.spec.epochs) compactWorkbook(wb);
    return;
  }
  const next = layout.rowOf(epoch + 1);
  withoutChangeRecords(hf, () => hf.batch(() => {
    hf.setCellContents({ sheet: train, row: next, col: layout.weightColumns[0].index }, [weights]);
    if (velocities) hf.setCellContents({ sheet: train, row: next, col: layout.velocityColumns![0].index }, [velocities]);
  }));
}

const COMPACT_EVERY = 64;

/** Values of a run of adjacent columns in one row, checked to be finite numbers. */
function readBlock(wb: Workbook, epoch: number, cols: Column[]): number[] {
  const row = wb.layout.rowOf(epoch);
  const first = cols[0].index;
  const values = wb.hf.getRangeValues({
    start: { sheet: wb.train, row, col: first },
    end: { sheet: wb.train, row, col: cols[cols.length - 1].index },
  })[0];
  return cols.map((col) => {
    const v = values[col.index - first];
    if (!isFiniteNumber(v)) throw divergenceAt(wb, epoch) ?? new DivergenceError(epoch, col, v);
    return v;
  });
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const lossColumnsOf = new WeakMap<Layout, Column[]>();

/**
 * Every cell of a row feeds a loss or the new weights (and velocities), and the engine's errors (an overflow is
 * #NUM!) stick to every cell computed from them; so checking those catches any bad cell of the row. The losses
 * matter on their own: (y − t)² overflows while the gradient 2(y − t) is still finite, and in sample mode the
 * loss of an early step feeds nothing. The epoch's mean loss is checked too: it is what the chart plots, and a
 * sum of finite losses can still overflow.
 */
function checkLosses(wb: Workbook, epoch: number): void {
  let cols = lossColumnsOf.get(wb.layout);
  if (!cols) lossColumnsOf.set(wb.layout, (cols = wb.layout.columns.filter((c) => c.kind === 'loss' || c.kind === 'epoch-loss')));
  const row = wb.layout.rowOf(epoch);
  for (const col of cols) {
    const v = wb.hf.getCellValue({ sheet: wb.train, row, col: col.index });
    if (!isFiniteNumber(v)) throw divergenceAt(wb, epoch) ?? new DivergenceError(epoch, col, v);
  }
}

/** Throws a DivergenceError when the row's losses or new weights (or velocities) are not all finite numbers. */
export function checkRow(wb: Workbook, epoch: number): void {
  checkLosses(wb, epoch);
  readBlock(wb, epoch, wb.layout.nextWeightColumns);
  if (wb.layout.nextVelocityColumns) readBlock(wb, epoch, wb.layout.nextVelocityColumns);
}

/** The largest number a float64 (and so a spreadsheet cell) holds. */
const LARGEST = '1.8e308';
/** EXP(x) overflows for x above ln(Number.MAX_VALUE). */
const EXP_LIMIT = Math.log(Number.MAX_VALUE);

const short = (v: number) => (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-4) ? Number(v.toPrecision(5)).toExponential() : String(Number(v.toPrecision(6))));

/**
 * Scans a row in the layout's column order, which is the order of the computation (each formula reads only
 * cells to its left or the row above), and describes the first cell that is not a finite number: the start of
 * the chain of bad cells. Null when the whole row is finite.
 */
export function divergenceAt(wb: Workbook, epoch: number): DivergenceError | null {
  const { layout } = wb;
  const row = layout.rowOf(epoch);
  const values = wb.hf.getRangeValues({
    start: { sheet: wb.train, row, col: 0 },
    end: { sheet: wb.train, row, col: layout.columns.length - 1 },
  })[0];
  const bad = layout.columns.find((c) => !isFiniteNumber(values[c.index]));
  if (!bad) return null;
  const value = values[bad.index];

  // The cells the bad one reads (all finite: they come before it, or from the row above), largest first.
  const refs: { name: string; value: number }[] = [];
  if (bad.formula) {
    const seen = new Set<string>();
    const recorder: RefStyle = {
      cell: (name, rowOffset = 0) => {
        const key = `${name}@${rowOffset}`;
        if (!seen.has(key) && !(rowOffset === -1 && epoch === 0)) {
          seen.add(key);
          const v = rowOffset === 0 ? values[layout.column(name).index]
            : wb.hf.getCellValue({ sheet: wb.train, row: row - 1, col: layout.column(name).index });
          if (typeof v === 'number') refs.push({ name: rowOffset === 0 ? name : `${name} (epoch ${epoch - 1})`, value: v });
        }
        return name;
      },
      data: () => '',
      dataColumn: () => '',
    };
    bad.formula(recorder);
  }
  const largest = [...refs].sort((x, y) => Math.abs(y.value) - Math.abs(x.value)).slice(0, 3);
  const inputs = largest.map((r) => `${r.name} = ${short(r.value)}`).join(', ');
  let formula = (namedFormula(bad) ?? '').slice(1);
  if (formula.length > 80) formula = `${formula.slice(0, 79)}…`;
  const overflow = typeof value === 'object' && value !== null && 'type' in value && value.type === 'NUM';

  const sigmoid = bad.kind === 'act' && bad.layer !== null && layout.spec.model.activations[bad.layer] === 'sigmoid';
  const pre = sigmoid ? refs[0] : undefined;
  let detail: string;
  let cause: string;
  if (overflow && pre && -pre.value > EXP_LIMIT) {
    detail = `EXP overflowed in ${bad.name} = ${formula} with ${pre.name} = ${short(pre.value)}: EXP(${short(-pre.value)}) is beyond ` +
      `the largest number a cell holds (${LARGEST}; EXP(x) overflows above x = ${EXP_LIMIT.toFixed(2)})`;
    cause = "The weights grew so large that the sigmoid's EXP overflowed";
  } else if (bad.formula) {
    const computed = `${bad.name} = ${formula}${inputs ? ` with ${inputs}` : ''}`;
    detail = overflow ? `${computed}: the result is beyond the largest number a cell holds (${LARGEST})` : `${computed} gives ${describeValue(value)}`;
    cause = overflow ? 'The values grew too large for a cell' : 'Training went wrong';
  } else {
    detail = `${bad.name} is not a finite number`;
    cause = 'Training went wrong';
  }
  const lr = values[layout.lrColumn.index];
  const mu = layout.momentumColumn ? values[layout.momentumColumn.index] : 0;
  const smallerLr = `a smaller learning rate η${typeof lr === 'number' ? ` (now ${short(lr)})` : ''}`;
  const suggestion = `${cause}: try ${smallerLr}${typeof mu === 'number' && mu > 0 ? `, or less momentum μ (now ${short(mu)})` : ''}.`;
  return new DivergenceError(epoch, bad, value, { address: `${TRAIN_SHEET}!${bad.letter}${row + 1}`, detail, suggestion });
}

/** Training produced something that is not a finite number (an overflow is the engine's #NUM! error). */
export class DivergenceError extends Error {
  /** The cell, `Train!G14`. */
  readonly address: string;
  /** What went wrong in that cell, with the values it read. */
  readonly detail: string;
  /** What to change. */
  readonly suggestion: string;

  /** `column` is the first bad cell of row `epoch` in the order of the computation; `value` its value. */
  constructor(readonly epoch: number, readonly column: Column, readonly value: unknown, info?: { address: string; detail: string; suggestion: string }) {
    const address = info?.address ?? column.letter;
    const detail = info?.detail ?? `${column.name} is not a finite number`;
    super(`training diverged at epoch ${epoch}: the first bad cell is ${column.name} (${address}) = ${describeValue(value)}. ` +
      `${detail}. ${info?.suggestion ?? 'Try a smaller learning rate η.'}`);
    this.name = 'DivergenceError';
    this.address = address;
    this.detail = detail;
    this.suggestion = info?.suggestion ?? 'Try a smaller learning rate η.';
  }
}

export interface RunOptions {
  /** Re-run from this epoch's row (its weights stay as they are); default 0. */
  from?: number;
  onProgress?: (p: Progress) => void;
  /** How often to report, in epochs. */
  progressEvery?: number;
}

/**
 * Fills every row after `from` by copying each row's new weights into the next. Throws DivergenceError at the first
 * row holding a bad loss or new weight; that row and every row before it stay in the sheet, readable.
 */
export function runEpochs(wb: Workbook, options: RunOptions = {}): void {
  const epochs = wb.layout.spec.epochs;
  const every = options.progressEvery ?? 50;
  for (let epoch = options.from ?? 0; epoch + 1 < epochs; epoch++) {
    copyToNextRow(wb, epoch);
    if (options.onProgress && ((epoch + 1) % every === 0 || epoch + 2 === epochs)) options.onProgress({ epoch: epoch + 1, epochs });
  }
  // The last row is copied nowhere; check it as the others were.
  if (wb.rows === epochs) checkRow(wb, epochs - 1);
}

/**
 * The same as runEpochs (it throws DivergenceError the same way, leaving the rows computed so far in the sheet),
 * giving the event loop a turn every `sliceMs` so a page stays responsive;
 * `shouldStop` is checked between rows. Resolves with the last complete epoch.
 */
export async function runEpochsAsync(
  wb: Workbook,
  options: RunOptions & { sliceMs?: number; shouldStop?: () => boolean } = {},
): Promise<number> {
  const epochs = wb.layout.spec.epochs;
  const slice = options.sliceMs ?? 8;
  let epoch = options.from ?? 0;
  while (epoch + 1 < epochs) {
    const until = performance.now() + slice;
    while (epoch + 1 < epochs && performance.now() < until) {
      if (options.shouldStop?.()) return epoch;
      copyToNextRow(wb, epoch);
      epoch++;
    }
    options.onProgress?.({ epoch, epochs });
    await nextTurn();
  }
  if (wb.rows === epochs) checkRow(wb, epochs - 1);
  return epoch;
}

let turns: MessageChannel | null = null;

/**
 * A turn of the event loop without a timer: browsers clamp nested setTimeout(0) to 4 ms, which between 8-ms slices
 * left the page's engine worker idle a third of the time (measured: load to trained end2-xor-44 in the page).
 * There a message to our own port is a task with no clamp, and other messages (Stop, an edit) still get their
 * turn. Node has setImmediate (its MessagePort would run every message posted while it drains, starving timers).
 */
function nextTurn(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  turns ??= new MessageChannel();
  const channel = turns;
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** One column's value in every present row. */
export function columnValues(wb: Workbook, column: Column): number[] {
  const { layout } = wb;
  const col = column.index;
  const values = wb.hf.getRangeValues({
    start: { sheet: wb.train, row: layout.rowOf(0), col },
    end: { sheet: wb.train, row: layout.rowOf(wb.rows - 1), col },
  });
  return values.map((r) => r[0] as number);
}

/** Each present row's epoch loss (see Layout.epochLossColumn: in sample mode the mean of the step losses). */
export function epochLosses(wb: Workbook): number[] {
  return columnValues(wb, wb.layout.epochLossColumn);
}
