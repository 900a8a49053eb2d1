import type { RawCellContent } from 'hyperformula';
import { CLASS, writeWorkbook } from './handmadeSheets';

/**
 * Synthetic student workbooks of the END2 2-2-2 network in the variety real ones show: the header anywhere, a
 * merged group header above it, the table shifted right, a labelled block of settings above, a summary below,
 * other names for the columns, the learning rate labelled and placed in several ways, and the classic mistakes
 * planted by formula. Formulas are written with column names ({a_h1}, {w5}, {a_h1@prev}) and resolved to the
 * sheet's addresses; cached values are computed with HyperFormula so the file looks as a spreadsheet saved it.
 */

export type Grid = RawCellContent[][];

/** Canonical column names, in the course's order (targets first). */
const TARGETS_FIRST = ['t1', 't2', 'i1', 'i2', 'w1', 'w2', 'w3', 'w4', 'h1', 'a_h1', 'h2', 'a_h2', 'w5', 'w6', 'w7', 'w8',
  'o1', 'a_o1', 'o2', 'a_o2', 'E1', 'E2', 'E_total', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8'];
const INPUTS_FIRST = ['i1', 'i2', 't1', 't2', ...TARGETS_FIRST.slice(4)];

export const HEADERS: Record<string, string> = Object.fromEntries(TARGETS_FIRST.map((n) => [n, /^g\d$/.test(n) ? `∂E/∂w${n.slice(1)}` : n]));

export const FORMULAS: Record<string, string> = {
  h1: '{w1}*{i1}+{w2}*{i2}',
  a_h1: '1/(1+EXP(-{h1}))',
  h2: '{w3}*{i1}+{w4}*{i2}',
  a_h2: '1/(1+EXP(-{h2}))',
  o1: '{w5}*{a_h1}+{w6}*{a_h2}',
  a_o1: '1/(1+EXP(-{o1}))',
  o2: '{w7}*{a_h1}+{w8}*{a_h2}',
  a_o2: '1/(1+EXP(-{o2}))',
  E1: '0.5*({t1}-{a_o1})^2',
  E2: '0.5*({t2}-{a_o2})^2',
  E_total: '{E1}+{E2}',
  g1: '(({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{w5}+({a_o2}-{t2})*{a_o2}*(1-{a_o2})*{w7})*{a_h1}*(1-{a_h1})*{i1}',
  g2: '(({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{w5}+({a_o2}-{t2})*{a_o2}*(1-{a_o2})*{w7})*{a_h1}*(1-{a_h1})*{i2}',
  g3: '(({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{w6}+({a_o2}-{t2})*{a_o2}*(1-{a_o2})*{w8})*{a_h2}*(1-{a_h2})*{i1}',
  g4: '(({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{w6}+({a_o2}-{t2})*{a_o2}*(1-{a_o2})*{w8})*{a_h2}*(1-{a_h2})*{i2}',
  g5: '({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{a_h1}',
  g6: '({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{a_h2}',
  g7: '({a_o2}-{t2})*{a_o2}*(1-{a_o2})*{a_h1}',
  g8: '({a_o2}-{t2})*{a_o2}*(1-{a_o2})*{a_h2}',
};

export interface StudentOptions {
  /** 1-based header row (default 4). */
  headerRow?: number;
  /** Empty columns left of the table (default 0); with `counter`, column A numbers the iterations. */
  shift?: number;
  counter?: boolean;
  order?: 'targets-first' | 'inputs-first';
  iterations?: number;
  /** Header texts by canonical name (a_h1 → out_h1, g1 → Edw1, E_total → Etotal …). */
  names?: Record<string, string>;
  /** The learning rate: its label, where the label sits, and how updates reference it. */
  lr?: { value?: number; label?: string; place?: 'left' | 'gap' | 'above' | 'merged' | 'formula'; ref?: 'absolute' | 'sliding' };
  /** A merged group-header row right above the header. */
  groupHeader?: boolean;
  /** A block of labelled cells (w1 … w8, i1, i2, t1, t2) above the table that the first row reads. */
  block?: boolean;
  /** A summary table right under the last iteration, in the same columns. */
  summary?: boolean;
  /** Column formulas replaced in every row ({name} notation). */
  formulas?: Record<string, string>;
  /** Cells replaced in one iteration (0-based) by canonical column: a copy error. */
  edits?: { iteration: number; column: string; formula: string }[];
  /** The update of weight `w` (new w = {w@prev} − η·{g@prev}); η is written {lr}. */
  update?: Record<string, string>;
  /** Targets as a fill series that drifts from this iteration on (0.99 → 0.989999999999999). */
  driftFrom?: number;
  t?: [number, number];
  /** Values for the first row (by canonical name) instead of the class values. */
  values?: Record<string, number>;
}

const colName = (c: number) => {
  let s = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
};

export interface StudentSheet {
  grid: Grid;
  merges: string[];
  /** Where things landed: column letter by canonical name, first data row (1-based), η's address. */
  col: Record<string, string>;
  firstRow: number;
  lastRow: number;
  lrAddress: string;
}

export function studentSheet(o: StudentOptions = {}): StudentSheet {
  const headerRow = o.headerRow ?? 4;
  const shift = (o.shift ?? 0) + (o.counter ? 1 : 0);
  const order = o.order === 'inputs-first' ? INPUTS_FIRST : TARGETS_FIRST;
  const n = o.iterations ?? 6;
  const colOf: Record<string, number> = Object.fromEntries(order.map((name, i) => [name, i + shift]));
  const col: Record<string, string> = Object.fromEntries(Object.entries(colOf).map(([k, v]) => [k, colName(v)]));
  const grid: Grid = [];
  const merges: string[] = [];
  const put = (row: number, c: number, v: RawCellContent) => {
    while (grid.length < row) grid.push([]);
    grid[row - 1][c] = v;
  };
  const lr: { value: number; label: string; place: string; ref: string } = { value: CLASS.lr, label: 'η', place: 'left', ref: 'absolute', ...o.lr };
  const t = o.t ?? [CLASS.t1, CLASS.t2];

  if (headerRow > 2) put(1, 0, 'Backprop by hand: END2 session 2, 2-2-2 network');
  // The learning rate two rows above the header (above the group header when there is one), or right of the
  // table's first row when the header is too near the top.
  const above = headerRow - (o.groupHeader ? 3 : 2) >= 2;
  const lrRow = above ? headerRow - (o.groupHeader ? 3 : 2) : headerRow + 1;
  const lrCol = above ? shift + 1 : shift + order.length + 2;
  let lrAddress = `${colName(lrCol)}${lrRow}`;
  if (lr.place === 'left') {
    put(lrRow, lrCol - 1, lr.label);
    put(lrRow, lrCol, lr.value);
  } else if (lr.place === 'gap') {
    put(lrRow, lrCol - 1, lr.label);
    put(lrRow, lrCol + 1, lr.value);
    lrAddress = `${colName(lrCol + 1)}${lrRow}`;
  } else if (lr.place === 'above') {
    put(lrRow - 1, lrCol, lr.label);
    put(lrRow, lrCol, lr.value);
  } else if (lr.place === 'merged') {
    put(lrRow, lrCol - 1, lr.label);
    merges.push(`${colName(lrCol - 1)}${lrRow}:${colName(lrCol)}${lrRow}`);
    put(lrRow, lrCol + 1, lr.value);
    lrAddress = `${colName(lrCol + 1)}${lrRow}`;
  } else {
    // η is a formula pointing at a settings cell further right.
    put(lrRow, lrCol - 1, lr.label);
    put(lrRow, lrCol + 4, lr.value);
    put(lrRow, lrCol, `=${colName(lrCol + 4)}${lrRow}`);
  }
  const lrText = lr.ref === 'absolute' ? lrAddress.replace(/^([A-Z]+)(\d+)$/, '$$$1$$$2') : lrAddress;

  const block: Record<string, string> = {};
  if (o.block) {
    // w1 … w8, i1, i2, t1, t2 labelled in a block of rows above the settings (row 2 onwards).
    const items: [string, number][] = [...CLASS.w.map((w, i) => [`w${i + 1}`, w] as [string, number]), ['i1', CLASS.i1], ['i2', CLASS.i2], ['t1', t[0]], ['t2', t[1]]];
    items.forEach(([name, v], i) => {
      const r = 2 + Math.floor(i / 4);
      const c = shift + 3 + 2 * (i % 4);
      put(r, c, name);
      put(r, c + 1, v);
      block[name] = `$${colName(c + 1)}$${r}`;
    });
  }
  if (o.groupHeader) {
    const groups: [string, string, string][] = [['Inputs and targets', order[0], order[3]], ['Weights', 'w1', 'w4'], ['Hidden', 'h1', 'a_h2'],
      ['Output weights', 'w5', 'w8'], ['Outputs', 'o1', 'a_o2'], ['Error', 'E1', 'E_total'], ['Gradients', 'g1', 'g8']];
    for (const [label, a, b] of groups) {
      put(headerRow - 1, colOf[a], label);
      merges.push(`${col[a]}${headerRow - 1}:${col[b]}${headerRow - 1}`);
    }
  }
  if (o.counter) put(headerRow, 0, 'iteration');
  for (const name of order) put(headerRow, colOf[name], o.names?.[name] ?? HEADERS[name]);

  const formulas = { ...FORMULAS, ...o.formulas };
  const first = headerRow + 1;
  // {name}, {name@prev} (the row above), {$name} (the column anchored); {lr} is η, which slides down with the row
  // when it is referenced without $ (as filling the first update down does).
  const resolve = (f: string, row: number) =>
    f.replace(/\{(\$?)(\w+)(@prev)?\}/g, (_m, anchor: string, name: string, prev?: string) => {
      if (name !== 'lr') return `${anchor}${col[name]}${prev ? row - 1 : row}`;
      if (lr.ref === 'absolute') return lrText;
      const [, c, r0] = /^([A-Z]+)(\d+)$/.exec(lrAddress)!;
      return `${c}${Number(r0) + (row - first - 1)}`;
    });
  for (let k = 0; k < n; k++) {
    const r = first + k;
    if (o.counter) put(r, 0, k);
    const data: Record<string, number> = { i1: CLASS.i1, i2: CLASS.i2, t1: t[0], t2: t[1], ...o.values };
    if (o.driftFrom !== undefined && k >= o.driftFrom) data.t2 = t[1] - 1e-15 * (k - o.driftFrom + 1);
    for (const [name, v] of Object.entries(data)) put(r, colOf[name], k === 0 && o.block ? `=${block[name]}` : v);
    CLASS.w.forEach((w, i) => {
      const name = `w${i + 1}`;
      if (k === 0) put(r, colOf[name], o.block ? `=${block[name]}` : w);
      else put(r, colOf[name], `=${resolve(o.update?.[name] ?? `{${name}@prev}-{lr}*{g${i + 1}@prev}`, r)}`);
    });
    for (const [name, f] of Object.entries(formulas)) put(r, colOf[name], `=${resolve(f, r)}`);
    for (const e of o.edits ?? []) if (e.iteration === k) put(r, colOf[e.column], `=${resolve(e.formula, r)}`);
  }
  const lastRow = first + n - 1;
  if (o.summary) {
    put(lastRow + 1, colOf.w1, 'final');
    put(lastRow + 1, colOf.E_total, `=MIN(${col.E_total}${first}:${col.E_total}${lastRow})`);
    put(lastRow + 2, colOf.w1, 'η');
    put(lastRow + 2, colOf.w2, 'loss');
    for (const [i, v] of [0.1, 0.5, 1].entries()) {
      put(lastRow + 3 + i, colOf.w1, v);
      put(lastRow + 3 + i, colOf.w2, 0.2 - v / 10);
    }
  }
  return { grid: grid.map((row) => Array.from(row, (v) => v ?? null)), merges, col, firstRow: first, lastRow, lrAddress };
}

/** Writes sheets (grids, with merges) as exceljs does, formulas with cached values from HyperFormula. */
export async function writeSheets(path: string, sheets: Record<string, Grid | StudentSheet>): Promise<void> {
  const grids = Object.fromEntries(Object.entries(sheets).map(([k, v]) => [k, Array.isArray(v) ? v : v.grid]));
  const merges = Object.fromEntries(Object.entries(sheets).map(([k, v]) => [k, Array.isArray(v) ? [] : v.merges]));
  await writeWorkbook(path, grids, [], { merges, fullCalcOnLoad: false });
}
