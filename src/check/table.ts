import { a1, formulaShape } from './address';
import type { HeaderRow } from './classic';
import type { CellData, CellRef, SheetData } from './types';

/**
 * The rows of an iteration table and how each cell's formula compares with its column's first formula.
 * A formula filled down keeps its shape: the same text, references into the table moved by as many rows, references
 * outside it (a learning-rate cell above the table, another sheet) unmoved. A cell that differs is one a learner
 * typed, pasted or overwrote, or a reference that slid because it lacked a `$`.
 */

const numberish = (c: CellData | undefined) => !!c && (typeof c.value === 'number' || c.formula !== undefined);

/** Whether a formula reads a cell of its own row (a summary below the table reads ranges or other rows). */
function readsOwnRow(formula: string, sheet: string, row: number): boolean {
  return formulaShape(formula, sheet).refs.some((t) => (t.kind === 'cell' ? t.ref.row === row : false));
}

/**
 * The 0-based data rows under the header: from the first row with a number in every weight column, while the weight
 * and loss columns hold numbers and, when the first row's loss is a formula, a loss formula reading its own row.
 */
export function tableRows(sheet: SheetData, h: HeaderRow): number[] {
  const weightCols = [...h.params.values()];
  const lossCols = h.losses.map((l) => l.col);
  const ok = (r: number) => weightCols.every((c) => numberish(sheet.rows[r]?.[c])) && lossCols.every((c) => numberish(sheet.rows[r]?.[c]));
  let first = -1;
  for (let r = h.row + 1; r < sheet.rows.length; r++) {
    if (ok(r)) {
      first = r;
      break;
    }
  }
  if (first < 0) return [];
  const lossIsFormula = lossCols.some((c) => sheet.rows[first]?.[c]?.formula !== undefined);
  const rows: number[] = [];
  for (let r = first; r < sheet.rows.length && ok(r); r++) {
    if (lossIsFormula && !lossCols.every((c) => {
      const f = sheet.rows[r]?.[c]?.formula;
      return f !== undefined && readsOwnRow(f, sheet.name, r);
    })) break;
    rows.push(r);
  }
  return rows;
}

/** A reference that points elsewhere than the column's first formula means it to (absolute intent kept). */
export interface Slide {
  /** Where the first formula's reference, copied down as meant, points. */
  meant: CellRef;
  actual: CellRef;
  /** The first formula's reference had no `$` on its row, and `actual` is where copying moved it. */
  unanchored: boolean;
}

export interface Comparison {
  same: boolean;
  /** Why not, in words ("reads F34 where the column's formula reads G34"), empty when the same. */
  why: string;
  slides: Slide[];
}

/**
 * Compares the formula of row `row` with the column's first formula `f0` (in row `row0`), as a fill-down means it:
 * references into the table rows [top, bottom] move with the row, references outside stay where they point.
 */
export function compareWithFirst(f0: string, row0: number, f: string, row: number, sheet: string, top: number, bottom: number): Comparison {
  const a = formulaShape(f0, sheet);
  const b = formulaShape(f, sheet);
  if (a.text !== b.text || a.refs.length !== b.refs.length) return { same: false, why: 'a different formula', slides: [] };
  const d = row - row0;
  const inTable = (r: CellRef) => r.sheet === sheet && r.row >= top && r.row <= bottom;
  const slides: Slide[] = [];
  const whys: string[] = [];
  const moved = (r: CellRef): CellRef => (inTable(r) ? { ...r, row: r.row + d } : r);
  const anchoredRow = (text: string) => /\$[0-9]/.test(text);
  a.refs.forEach((ta, i) => {
    const tb = b.refs[i];
    if (ta.kind === 'cell' && tb.kind === 'cell') {
      const meant = moved(ta.ref);
      if (meant.sheet !== tb.ref.sheet || meant.row !== tb.ref.row || meant.col !== tb.ref.col) {
        const text0 = f0.slice(ta.start, ta.end);
        const slidTo = { ...ta.ref, row: ta.ref.row + d };
        const unanchored = !inTable(ta.ref) && !anchoredRow(text0) && slidTo.row === tb.ref.row && slidTo.col === tb.ref.col && slidTo.sheet === tb.ref.sheet;
        slides.push({ meant, actual: tb.ref, unanchored });
        whys.push(`reads ${a1(tb.ref, sheet)} where the column's formula reads ${a1(meant, sheet)}`);
      }
    } else if (ta.kind === 'range' && tb.kind === 'range') {
      const f1 = moved(ta.from), t1 = moved(ta.to);
      if (f1.row !== tb.from.row || f1.col !== tb.from.col || t1.row !== tb.to.row || t1.col !== tb.to.col || f1.sheet !== tb.from.sheet) {
        whys.push(`reads ${a1(tb.from, sheet)}:${a1(tb.to, sheet)} where the column's formula reads ${a1(f1, sheet)}:${a1(t1, sheet)}`);
      }
    } else {
      whys.push('a different formula');
    }
  });
  return { same: whys.length === 0, why: whys.join('; '), slides };
}
