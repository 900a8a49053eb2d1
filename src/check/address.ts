import type { CellRef } from './types';

/** A1 addresses and the references inside a formula's text. */

export function columnName(col: number): string {
  let s = '';
  for (let n = col + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** "C7" for a cell of `sheet`; "Data!C7" (quoted when needed) for a cell of another sheet. */
export function a1(ref: CellRef, sheet?: string): string {
  const cell = `${columnName(ref.col)}${ref.row + 1}`;
  return sheet === undefined || ref.sheet === sheet ? cell : `${quoteSheet(ref.sheet)}!${cell}`;
}

export function quoteSheet(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

const CELL = /^\$?([A-Za-z]{1,3})\$?([1-9]\d{0,6})$/;
const MAX_COL = 16384;

/** "C7", "$C$7" → 0-based row and column; null when it is not a cell address. */
export function parseA1(text: string): { row: number; col: number } | null {
  const m = CELL.exec(text.trim());
  if (!m) return null;
  const col = columnIndex(m[1]);
  if (col >= MAX_COL) return null;
  return { row: Number(m[2]) - 1, col };
}

/** "Sheet 1!C7", "'My sheet'!$C$7" or "C7" (in `defaultSheet`) → a cell; null when it is not one. */
export function parseCellRef(text: string, defaultSheet: string): CellRef | null {
  const t = text.trim();
  const bang = t.lastIndexOf('!');
  let sheet = defaultSheet;
  let cell = t;
  if (bang >= 0) {
    const s = t.slice(0, bang);
    sheet = s.startsWith("'") && s.endsWith("'") && s.length >= 2 ? s.slice(1, -1).replace(/''/g, "'") : s;
    cell = t.slice(bang + 1);
  }
  const at = parseA1(cell);
  return at && sheet ? { sheet, ...at } : null;
}

export type RefToken =
  | { kind: 'cell'; start: number; end: number; ref: CellRef }
  | { kind: 'range'; start: number; end: number; from: CellRef; to: CellRef }
  | { kind: 'name'; start: number; end: number; name: string }
  | { kind: 'external'; start: number; end: number; text: string };

const SHEET_PREFIX = /^(?:'((?:[^']|'')+)'|([A-Za-z0-9_.]+))!/;
const CELL_AT = /^\$?[A-Za-z]{1,3}\$?[0-9]+/;
const WORD = /^[A-Za-z_\\][A-Za-z0-9_.]*/;

/**
 * The references in a formula's text (without `=`): cells, ranges (also whole columns or rows, given as ranges over
 * the sheet), names that are not function calls, and external references (`[1]Sheet!A1`). String literals are
 * skipped. Meant for reading formulas a spreadsheet wrote, not for validating them.
 */
export function scanRefs(formula: string, sheet: string): RefToken[] {
  const out: RefToken[] = [];
  let i = 0;
  const n = formula.length;
  const prevIsWordChar = (k: number) => k > 0 && /[A-Za-z0-9_.$]/.test(formula[k - 1]);
  while (i < n) {
    const ch = formula[i];
    if (ch === '"') {
      i++;
      while (i < n) {
        if (formula[i] === '"' && formula[i + 1] === '"') i += 2;
        else if (formula[i] === '"') break;
        else i++;
      }
      i++;
      continue;
    }
    if (ch === '[' || (ch === "'" && formula[i + 1] === '[')) {
      // An external workbook: [1]Sheet!A1 or '[book.xlsx]Sheet'!A1, up to the end of the reference.
      const m = /^(?:'[^']*'|\[[^\]]*\][A-Za-z0-9_. ]*)!?\$?[A-Za-z]{0,3}\$?[0-9]*(?::\$?[A-Za-z]{0,3}\$?[0-9]*)?/.exec(formula.slice(i));
      const len = m ? Math.max(1, m[0].length) : 1;
      out.push({ kind: 'external', start: i, end: i + len, text: formula.slice(i, i + len) });
      i += len;
      continue;
    }
    if (prevIsWordChar(i)) {
      i++;
      continue;
    }
    const rest = formula.slice(i);
    let refSheet = sheet;
    let offset = 0;
    const sp = SHEET_PREFIX.exec(rest);
    if (sp) {
      refSheet = sp[1] !== undefined ? sp[1].replace(/''/g, "'") : sp[2];
      offset = sp[0].length;
    }
    const body = rest.slice(offset);
    const cellMatch = CELL_AT.exec(body);
    if (cellMatch && !/^[A-Za-z0-9_(]/.test(body.slice(cellMatch[0].length))) {
      const from = parseA1(cellMatch[0]);
      if (from) {
        let end = i + offset + cellMatch[0].length;
        const after = formula.slice(end);
        const second = /^:(?:'(?:[^']|'')+'!|[A-Za-z0-9_.]+!)?(\$?[A-Za-z]{1,3}\$?[0-9]+)/.exec(after);
        const to = second ? parseA1(second[1]) : null;
        if (second && to) {
          end += second[0].length;
          out.push({ kind: 'range', start: i, end, from: { sheet: refSheet, ...from }, to: { sheet: refSheet, ...to } });
        } else {
          out.push({ kind: 'cell', start: i, end, ref: { sheet: refSheet, ...from } });
        }
        i = end;
        continue;
      }
    }
    // Whole columns (A:C) and whole rows (2:5).
    const cols = /^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})(?![A-Za-z0-9_(])/.exec(body);
    if (cols) {
      const end = i + offset + cols[0].length;
      out.push({ kind: 'range', start: i, end, from: { sheet: refSheet, row: 0, col: columnIndex(cols[1]) }, to: { sheet: refSheet, row: 1_048_575, col: columnIndex(cols[2]) } });
      i = end;
      continue;
    }
    const rowsM = /^\$?([0-9]+):\$?([0-9]+)(?![0-9.])/.exec(body);
    if (rowsM && (sp || !/[0-9.]/.test(formula[i - 1] ?? ''))) {
      const end = i + offset + rowsM[0].length;
      out.push({ kind: 'range', start: i, end, from: { sheet: refSheet, row: Number(rowsM[1]) - 1, col: 0 }, to: { sheet: refSheet, row: Number(rowsM[2]) - 1, col: MAX_COL - 1 } });
      i = end;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      const end = i + word[0].length;
      const next = formula.slice(end).trimStart()[0];
      const upper = word[0].toUpperCase();
      if (next !== '(' && next !== '!' && upper !== 'TRUE' && upper !== 'FALSE') out.push({ kind: 'name', start: i, end, name: word[0] });
      i = end;
      continue;
    }
    i++;
  }
  return out;
}

/** The cells a formula reads (ranges expanded up to `maxRangeCells`; larger ranges are left out). */
export function cellsRead(formula: string, sheet: string, maxRangeCells = 64): CellRef[] {
  const out: CellRef[] = [];
  for (const t of scanRefs(formula, sheet)) {
    if (t.kind === 'cell') out.push(t.ref);
    else if (t.kind === 'range') {
      const r0 = Math.min(t.from.row, t.to.row), r1 = Math.max(t.from.row, t.to.row);
      const c0 = Math.min(t.from.col, t.to.col), c1 = Math.max(t.from.col, t.to.col);
      if ((r1 - r0 + 1) * (c1 - c0 + 1) > maxRangeCells) continue;
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) out.push({ sheet: t.from.sheet, row: r, col: c });
    }
  }
  return out;
}

/** The formula with each single-cell reference that has a name replaced by the name. */
export function namedFormula(formula: string, sheet: string, nameOf: (ref: CellRef) => string | null): string {
  let out = '';
  let at = 0;
  for (const t of scanRefs(formula, sheet)) {
    if (t.kind !== 'cell') continue;
    const name = nameOf(t.ref);
    if (!name) continue;
    out += formula.slice(at, t.start) + name;
    at = t.end;
  }
  return out + formula.slice(at);
}

const A1_PART = /(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)/g;

/**
 * The formula as it reads when copied `dRow` rows down and `dCol` columns right: references without `$` move,
 * anchored parts stay (what a spreadsheet does on fill-down, and how a shared formula is translated to each cell).
 */
export function shiftFormula(formula: string, sheet: string, dRow: number, dCol: number): string {
  if (dRow === 0 && dCol === 0) return formula;
  let out = '';
  let at = 0;
  for (const t of scanRefs(formula, sheet)) {
    if (t.kind !== 'cell' && t.kind !== 'range') continue;
    const text = formula.slice(t.start, t.end);
    const bang = text.lastIndexOf('!');
    const prefix = bang >= 0 ? text.slice(0, bang + 1) : '';
    const body = bang >= 0 ? text.slice(bang + 1) : text;
    if (!/[0-9]/.test(body) || !/[A-Za-z]/.test(body)) continue; // whole rows or columns: left as they are
    const moved = body.replace(A1_PART, (_m, cAbs: string, col: string, rAbs: string, row: string) => {
      const c = cAbs ? columnIndex(col) : columnIndex(col) + dCol;
      const r = rAbs ? Number(row) : Number(row) + dRow;
      return c < 0 || r < 1 ? '#REF!' : `${cAbs}${columnName(c)}${rAbs}${r}`;
    });
    out += formula.slice(at, t.start) + prefix + moved;
    at = t.end;
  }
  return out + formula.slice(at);
}

/** A formula's text with its references taken out and spaces dropped (outside strings), upper case: its shape. */
export function formulaShape(formula: string, sheet: string): { text: string; refs: RefToken[] } {
  const refs = scanRefs(formula, sheet).filter((t) => t.kind === 'cell' || t.kind === 'range');
  let text = '';
  let at = 0;
  const squeeze = (s: string) => s.replace(/"(?:[^"]|"")*"|\s+/g, (m) => (m.startsWith('"') ? m : '')).toUpperCase();
  for (const t of refs) {
    text += `${squeeze(formula.slice(at, t.start))}\u0000`;
    at = t.end;
  }
  return { text: text + squeeze(formula.slice(at)), refs };
}
