import type { CellValue } from 'hyperformula';
import { isEditableColumn, type Column, type Layout } from '../layout/layout';
import type { Workbook } from '../workbook/workbook';

/**
 * What a user may type into a cell, and the message when it is refused. A weight, velocity, η or μ takes a finite
 * number, or a formula whose value is a finite number and which reads only cells of its own epoch (not computed
 * from the cell itself), earlier epochs and the Data sheet. Everything else is refused with a message saying what
 * to do instead, and nothing in the workbook changes. No DOM: the session (in the engine worker) and the tests use it.
 */

/** An edit that was refused; its message is meant for the user. */
export class EditRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditRefused';
  }
}

/** What to edit instead of a computed cell. */
export function computedCellMessage(layout: Layout, col: Column): string {
  const lr = `the learning rate ${layout.lrColumn.name}`;
  const weight = (param: number | null) => (param === null ? 'a weight' : layout.params[param].name);
  const feeding = (l: number | null, unit: number | null) => {
    const names = layout.params.filter((p) => p.layer === l && p.to === unit).map((p) => p.name);
    if (names.length === 0) return 'a weight';
    return names.length <= 3 ? names.join(' or ') : `${names.slice(0, 3).join(', ')}, … (a weight into it)`;
  };
  const mu = layout.momentumColumn?.name ?? 'μ';
  switch (col.kind) {
    case 'epoch':
      return 'epoch is the row\'s number and cannot be edited; edit a weight, velocity, η or μ of this row instead';
    case 'sample':
      return `${col.name} is the sample drawn for this step from the seed; change the seed in the settings instead`;
    case 'input':
    case 'target':
      return `${col.name} comes from the Data sheet (the spec's samples); open a spec with other data instead`;
    case 'pre':
    case 'act':
      return `${col.name} is computed from the weights and the inputs; edit ${feeding(col.layer, col.unit)} instead`;
    case 'loss-term':
    case 'loss':
      return `${col.name} is computed from the network's output and the targets; edit a weight or ${lr} instead`;
    case 'epoch-loss':
      return `${col.name} is the mean of the epoch's step losses; edit a weight or ${lr} instead`;
    case 'delta':
      return `${col.name} is computed by backpropagation from the weights; edit ${feeding(col.layer, col.unit)} instead`;
    case 'grad':
      return `${col.name} is computed from the weights; edit ${weight(col.param)} or ${lr} instead`;
    case 'new-velocity':
      return col.state === 'v' && layout.momentumColumn && layout.spec.optimizer.kind === 'sgd'
        ? `${col.name} is computed from the velocity, ${mu} and the gradient; edit v_${weight(col.param)} or ${mu} instead`
        : `${col.name} is computed from ${col.name.slice(4).replace(/\[\d+\]$/, '')}, the settings and the gradient; edit ${col.name.slice(4).replace(/\[\d+\]$/, '')}, ${weight(col.param)} or a setting at epoch 0 instead`;
    case 'optimizer':
      return `${col.name} is computed by the optimizer's update from the settings and the gradient; edit ${weight(col.param)} or a setting (${layout.settingColumns.map((c) => c.column.name).join(', ')}) instead`;
    case 'softmax':
      return `${col.name} is the softmax of the output sums; edit a weight instead`;
    case 'new-weight':
      return `${col.name} is computed from ${weight(col.param)}, ${layout.lrColumn.name} and its gradient; edit ${weight(col.param)} or ${lr} instead`;
    default:
      return `${col.name} is computed by a formula; edit a weight, velocity, η or μ instead`;
  }
}

/** What a user typed: a number, or a formula to check against the workbook. */
export type EditInput = { kind: 'number'; value: number } | { kind: 'formula'; text: string };

const ERROR_LITERAL = /^#[A-Z0-9/]+[!?]?$|^#N\/A$/i;
/** Functions whose value changes at every recalculation: the sheet would no longer be one reproducible run. */
const VOLATILE = /\b(RAND|RANDBETWEEN|RANDARRAY|NOW|TODAY)\s*\(/i;

/** Reads what was typed (or sent through the API) into a cell; throws EditRefused for anything but a number or a formula. */
export function parseEditInput(col: Column, input: unknown): EditInput {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new EditRefused(`${col.name} needs a finite number; ${String(input)} is not one`);
    return { kind: 'number', value: input };
  }
  if (typeof input !== 'string') throw new EditRefused(`${col.name} needs a number, got ${input === null ? 'nothing' : typeof input}`);
  const text = input.trim();
  if (text === '') throw new EditRefused(`${col.name} cannot be empty: type a number`);
  if (text.startsWith('=')) {
    if (text.length === 1) throw new EditRefused(`"=" is not a formula: type a number, or a formula such as =0.5*2`);
    return { kind: 'formula', text };
  }
  if (/^[+-]?(NaN|Infinity|inf)$/i.test(text)) throw new EditRefused(`${col.name} needs a finite number; ${text} is not one`);
  if (ERROR_LITERAL.test(text)) throw new EditRefused(`${col.name} needs a number; "${text}" is a spreadsheet error, not a number`);
  const value = Number(text);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) || !Number.isFinite(value)) {
    if (/^[+-]?\d+,\d+$/.test(text)) throw new EditRefused(`${col.name} needs a number; "${text}" is text: write decimals with a point, ${text.replace(',', '.')}`);
    if (Number.isNaN(value) || !/\d/.test(text)) throw new EditRefused(`${col.name} needs a number or a formula (=…); "${text}" is text`);
    throw new EditRefused(`${col.name} needs a finite number; "${text}" is too large`);
  }
  return { kind: 'number', value };
}

const describe = (v: CellValue): string => {
  if (v && typeof v === 'object' && 'value' in v) {
    const e = v as { value: string; message?: string };
    return e.message ? `${e.value} (${e.message})` : e.value;
  }
  if (typeof v === 'string') return `the text "${v}"`;
  if (v === null) return 'an empty value';
  return String(v);
};

/** Cells a formula may read, and where it reads too far: refused before it ever reaches the cell. */
interface CellAddress { sheet: number; row: number; col: number }
type Precedent = CellAddress | { start: CellAddress; end: CellAddress };

/**
 * Checks a formula typed into (epoch, col) without changing the workbook: its value (evaluated in a spare cell
 * of the same row, outside the layout's columns, so its A1 references mean the same), what it reads, and whether
 * placing it would make a circular reference. Returns the value it would have; throws EditRefused.
 */
export function checkFormula(wb: Workbook, epoch: number, col: Column, text: string): number {
  const { hf, train, layout } = wb;
  const shown = `"${text}"`;
  if (VOLATILE.test(text.replace(/"[^"]*"/g, ''))) {
    throw new EditRefused(`${shown}: ${VOLATILE.exec(text)![1].toUpperCase()}() gives a new value at every recalculation, so the sheet would not be one run; type a number instead`);
  }
  if (!hf.validateFormula(text)) throw new EditRefused(`${shown} is not a formula the sheet can read; type a number, or a formula such as =0.5*2`);
  const row = layout.rowOf(epoch);
  const spare = { sheet: train, row, col: layout.columns.length };
  let value: CellValue;
  let precedents: Precedent[];
  let array = false;
  try {
    hf.setCellContents(spare, text);
    value = hf.getCellValue(spare);
    array = hf.isCellPartOfArray(spare);
    precedents = hf.getCellPrecedents(spare) as Precedent[];
  } catch (err) {
    throw new EditRefused(`${shown} cannot be used: ${(err as Error).message}`);
  } finally {
    hf.setCellContents(spare, null);
  }
  const cellName = (c: CellAddress) => {
    const column = layout.columns[c.col];
    const e = c.row - layout.headerRows;
    return column && e >= 0 ? `${column.name} of epoch ${e} (${column.letter}${c.row + 1})` : `${c.row < layout.headerRows ? 'the header' : 'a cell outside the sheet'}`;
  };
  const targetName = `${col.name} of epoch ${epoch}`;
  // What it reads: Data, or Train cells of this epoch or earlier, inside the layout's columns.
  const sameRow: CellAddress[] = [];
  for (const p of precedents) {
    const start = 'start' in p ? p.start : p;
    const end = 'start' in p ? p.end : p;
    if (start.sheet !== train) continue;
    if (end.row > row) {
      throw new EditRefused(`${shown} reads epoch ${end.row - layout.headerRows}, after epoch ${epoch}: a cell may read only its own epoch, earlier epochs and the Data sheet`);
    }
    if (start.row < layout.headerRows) throw new EditRefused(`${shown} reads the header row, which holds names, not numbers`);
    if (end.col >= layout.columns.length) throw new EditRefused(`${shown} reads a cell outside the sheet's columns (the last is ${layout.columns[layout.columns.length - 1].letter})`);
    if (end.row === row) for (let c = start.col; c <= end.col; c++) sameRow.push({ sheet: train, row, col: c });
  }
  // A circular reference: something it reads in this row is (or is computed from) the cell itself. Formulas read
  // only their own row or earlier rows, so the walk stays in this row.
  const target = col.index;
  for (const first of sameRow) {
    const seen = new Set<number>([first.col]);
    const queue = [first.col];
    while (queue.length) {
      const c = queue.pop()!;
      if (c === target) {
        const via = first.col === target ? '' : `, which is computed from ${col.name}`;
        throw new EditRefused(`${shown} reads ${first.col === target ? `${targetName} itself` : cellName(first)}${via}: a circular reference (#CYCLE!); type a number, or read cells that do not depend on ${col.name}`);
      }
      for (const p of hf.getCellPrecedents({ sheet: train, row, col: c }) as Precedent[]) {
        const start = 'start' in p ? p.start : p;
        const end = 'start' in p ? p.end : p;
        if (start.sheet !== train || start.row > row || end.row < row) continue;
        for (let k = start.col; k <= end.col; k++) {
          if (!seen.has(k)) {
            seen.add(k);
            queue.push(k);
          }
        }
      }
    }
  }
  if (array) throw new EditRefused(`${shown} gives several values (an array), not one number`);
  if (typeof value !== 'number') {
    throw new EditRefused(`${shown} gives ${describe(value)}, not a number; ${col.name} keeps its value`);
  }
  if (!Number.isFinite(value)) throw new EditRefused(`${shown} gives ${value}, not a finite number`);
  return value;
}

/** Throws EditRefused when `col` is not a cell a user may set. */
export function checkEditable(layout: Layout, col: Column): void {
  if (!isEditableColumn(col)) throw new EditRefused(computedCellMessage(layout, col));
}
