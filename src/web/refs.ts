import { columnLetter, TRAIN_SHEET, type Column, type Layout } from '../layout/layout';

/** A cell named the way people talk about it: `epoch 2000, ∂L/∂w1_1_1`. */
export interface CellRef {
  epoch: number;
  column: Column;
}

const REF = /^\s*epoch\s*(\d+)\s*,\s*(.+?)\s*$/i;
/** `Train!AB33`, `'Train'!$AB$33`, `AB33`: a column letter and a sheet row (1-based). */
const ADDRESS = /^\s*(?:'?([^'!]+)'?!)?\$?([A-Za-z]{1,3})\$?(\d{1,7})\s*$/;

export function formatRef(ref: CellRef): string {
  return `epoch ${ref.epoch}, ${ref.column.name}`;
}

/** A cell's A1 address on the Train sheet, `Train!AB33`. */
export function addressOf(layout: Layout, ref: CellRef): string {
  return `${TRAIN_SHEET}!${ref.column.letter}${layout.rowOf(ref.epoch) + 1}`;
}

function checkEpoch(epoch: number, layout: Layout): void {
  if (epoch >= layout.spec.epochs) throw new Error(`epoch ${epoch} does not exist: the sheet has epochs 0 to ${layout.spec.epochs - 1}`);
}

/**
 * A column by its name as people type it: exactly, else ignoring case, else (a name without its step suffix) the
 * first step's column, `∂L/∂w1_1_1` for `∂L/∂w1_1_1[1]`.
 */
export function findColumn(layout: Layout, name: string): Column | null {
  // NFD: a typed Ē (one code point) finds the column named E with a combining macron.
  const wanted = name.trim().normalize('NFD');
  const exact = layout.columns.find((c) => c.name === wanted);
  if (exact) return exact;
  const lower = wanted.toLowerCase();
  const folded = layout.columns.filter((c) => c.name.toLowerCase() === lower);
  if (folded.length === 1) return folded[0];
  return layout.columns.find((c) => c.name === `${wanted}[1]`) ?? layout.columns.find((c) => c.name.toLowerCase() === `${lower}[1]`) ?? null;
}

/** Parses `epoch N, name`; throws an error saying what is wrong. */
export function parseRef(text: string, layout: Layout): CellRef {
  const m = REF.exec(text);
  if (!m) throw new Error(`"${text}" is not a cell reference; write it as "epoch 12, ${layout.weightColumns[0].name}"`);
  const epoch = Number(m[1]);
  checkEpoch(epoch, layout);
  const column = layout.columns.find((c) => c.name === m[2]);
  if (!column) throw new Error(`there is no column named "${m[2]}" in ${layout.spec.name}`);
  return { epoch, column };
}

/**
 * What the Name Box takes: `epoch 1000, ∂E/∂w5`, a name alone (`w5`, at `epoch`, the selected row), or an address
 * (`Train!AB33`, `AB33`). Throws an error saying what is wrong.
 */
export function parseLocation(text: string, layout: Layout, epoch: number): CellRef {
  const trimmed = text.trim();
  if (!trimmed) throw new Error('type a name (w5), a name with its epoch (epoch 1000, w5) or an address (Train!AB33)');
  const withEpoch = REF.exec(trimmed);
  if (withEpoch) {
    const at = Number(withEpoch[1]);
    checkEpoch(at, layout);
    const column = findColumn(layout, withEpoch[2]);
    if (!column) throw new Error(`there is no column named "${withEpoch[2]}" in ${layout.spec.name}`);
    return { epoch: at, column };
  }
  const named = findColumn(layout, trimmed);
  if (named) return { epoch, column: named };
  const address = ADDRESS.exec(trimmed);
  if (address) {
    const [, sheet, letters, rowText] = address;
    if (sheet && sheet !== layout.spec.name && sheet.toLowerCase() !== 'train') {
      throw new Error(`"${sheet}" is not a sheet here: the network's cells are on the ${TRAIN_SHEET} sheet`);
    }
    const column = layout.columns.find((c) => c.letter === letters.toUpperCase());
    const last = layout.columns[layout.columns.length - 1].letter;
    if (!column) throw new Error(`column ${letters.toUpperCase()} is past the sheet's last column, ${last}`);
    const row = Number(rowText);
    const first = layout.rowOf(0) + 1;
    if (row < first) throw new Error(`row ${row} is the header; epoch 0 is row ${first}`);
    const at = row - first;
    if (at >= layout.spec.epochs) throw new Error(`row ${row} is past the last epoch (row ${layout.rowOf(layout.spec.epochs - 1) + 1})`);
    return { epoch: at, column };
  }
  throw new Error(`"${trimmed}" is not a name, an "epoch N, name" or an address in ${layout.spec.name} (try ${layout.weightColumns[0].name} or ${columnLetter(1)}${layout.rowOf(0) + 1})`);
}
