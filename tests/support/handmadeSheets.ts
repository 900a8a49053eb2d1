import { readFileSync, writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { HyperFormula, type RawCellContent } from 'hyperformula';
import JSZip from 'jszip';

/**
 * Workbooks made the way a learner makes them, for the workbook check's tests: the course's 2-2-2 backprop sheet in
 * the classic layout (one iteration per row, formulas filled down as shared formulas), and the same network laid
 * out as blocks (weights in a block, neurons one per row with their gradients beside them, new weights in another
 * block), which needs a map file. Cached values are computed with HyperFormula, so the files open with numbers.
 */

export type Grid = RawCellContent[][];

/** Columns whose formulas (rows `from`..`to`, 1-based) are written as one shared formula, as Excel does on fill-down. */
export interface SharedRun {
  sheet: string;
  col: number;
  from: number;
  to: number;
}

const col = (c: number) => {
  let s = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
};

/**
 * Writes sheets as exceljs does, formulas with cached values from HyperFormula; `shared` runs as Excel's shared
 * formulas, `merges` per sheet, and (unless `fullCalcOnLoad` is false) the flag that has a spreadsheet recompute.
 */
export async function writeWorkbook(
  path: string, sheets: Record<string, Grid>, shared: SharedRun[] = [],
  options: { merges?: Record<string, string[]>; fullCalcOnLoad?: boolean } = {},
): Promise<void> {
  const hf = HyperFormula.buildFromSheets(sheets, { licenseKey: 'gpl-v3', smartRounding: false });
  const book = new ExcelJS.Workbook();
  if (options.fullCalcOnLoad !== false) book.calcProperties.fullCalcOnLoad = true;
  for (const [name, grid] of Object.entries(sheets)) {
    const ws = book.addWorksheet(name);
    const id = hf.getSheetId(name)!;
    grid.forEach((row, r) => row.forEach((v, c) => {
      if (v === null || v === undefined) return;
      const cell = ws.getCell(r + 1, c + 1);
      if (typeof v === 'string' && v.startsWith('=')) {
        const result = hf.getCellValue({ sheet: id, row: r, col: c });
        const run = shared.find((s) => s.sheet === name && s.col === c && r + 1 >= s.from && r + 1 <= s.to);
        const res = typeof result === 'number' ? result : undefined;
        if (run && r + 1 === run.from) {
          cell.value = { formula: v.slice(1), result: res, shareType: 'shared', ref: `${col(c)}${run.from}:${col(c)}${run.to}` } as ExcelJS.CellValue;
        } else if (run) {
          cell.value = { sharedFormula: `${col(c)}${run.from}`, result: res } as ExcelJS.CellValue;
        } else {
          cell.value = { formula: v.slice(1), result: res } as ExcelJS.CellValue;
        }
      } else {
        cell.value = v as ExcelJS.CellValue;
      }
    }));
    for (const m of options.merges?.[name] ?? []) ws.mergeCells(m);
  }
  hf.destroy();
  await book.xlsx.writeFile(path);
}

/** The course's class values (END2 session 2): inputs, targets, starting weights, η. */
export const CLASS = { i1: 0.05, i2: 0.1, t1: 0.01, t2: 0.99, w: [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55], lr: 0.5 };

export const CLASSIC_HEADERS = [
  'i1', 'i2', 't1', 't2', 'w1', 'w2', 'w3', 'w4', 'h1', 'a_h1', 'h2', 'a_h2', 'w5', 'w6', 'w7', 'w8',
  'o1', 'a_o1', 'o2', 'a_o2', 'E1', 'E2', 'E_total', '∂E/∂w1', '∂E/∂w2', '∂E/∂w3', '∂E/∂w4', '∂E/∂w5', '∂E/∂w6', '∂E/∂w7', '∂E/∂w8',
];

/** The student's formulas for one row, keyed by header; `$` marks the row. */
export type ClassicFormulas = Record<string, string>;

export const CLASSIC_FORMULAS: ClassicFormulas = {
  h1: '=w1*i1+w2*i2',
  a_h1: '=1/(1+EXP(-h1))',
  h2: '=w3*i1+w4*i2',
  a_h2: '=1/(1+EXP(-h2))',
  o1: '=w5*a_h1+w6*a_h2',
  a_o1: '=1/(1+EXP(-o1))',
  o2: '=w7*a_h1+w8*a_h2',
  a_o2: '=1/(1+EXP(-o2))',
  E1: '=0.5*(t1-a_o1)^2',
  E2: '=0.5*(t2-a_o2)^2',
  E_total: '=E1+E2',
  '∂E/∂w1': '=((a_o1-t1)*a_o1*(1-a_o1)*w5+(a_o2-t2)*a_o2*(1-a_o2)*w7)*a_h1*(1-a_h1)*i1',
  '∂E/∂w2': '=((a_o1-t1)*a_o1*(1-a_o1)*w5+(a_o2-t2)*a_o2*(1-a_o2)*w7)*a_h1*(1-a_h1)*i2',
  '∂E/∂w3': '=((a_o1-t1)*a_o1*(1-a_o1)*w6+(a_o2-t2)*a_o2*(1-a_o2)*w8)*a_h2*(1-a_h2)*i1',
  '∂E/∂w4': '=((a_o1-t1)*a_o1*(1-a_o1)*w6+(a_o2-t2)*a_o2*(1-a_o2)*w8)*a_h2*(1-a_h2)*i2',
  '∂E/∂w5': '=(a_o1-t1)*a_o1*(1-a_o1)*a_h1',
  '∂E/∂w6': '=(a_o1-t1)*a_o1*(1-a_o1)*a_h2',
  '∂E/∂w7': '=(a_o2-t2)*a_o2*(1-a_o2)*a_h1',
  '∂E/∂w8': '=(a_o2-t2)*a_o2*(1-a_o2)*a_h2',
};

/** The student's weight update for the next row: new w = w − η·∂E/∂w, η in $B$2. */
export const CLASSIC_UPDATE = (w: string) => `=${w}@prev-$B$2*∂E/∂${w}@prev`;

export interface ClassicSheetOptions {
  iterations?: number;
  /** Replace a column's formula in every row (a mistake filled down), by header. */
  formulas?: Partial<ClassicFormulas>;
  /** Replace the update of one weight (in every row after the first), written like CLASSIC_UPDATE. */
  update?: Partial<Record<string, string>>;
}

/** The header row is row 4; rows 1-2 hold a title and the learning rate (A2 "η", B2 0.5). */
export const CLASSIC_HEADER_ROW = 4;

export function classicSheet(options: ClassicSheetOptions = {}): { grid: Grid; shared: SharedRun[] } {
  const n = options.iterations ?? 6;
  const H = CLASSIC_HEADERS;
  const at = (name: string) => {
    const c = H.indexOf(name);
    if (c < 0) throw new Error(`no column ${name}`);
    return c;
  };
  const names = [...H].sort((a, b) => b.length - a.length);
  /** Header names to addresses of sheet row `r` (1-based); `name@prev` is the row above. */
  const resolve = (formula: string, r: number) => {
    let out = formula;
    for (const name of names) {
      const esc = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      out = out.replace(new RegExp(`(?<![A-Za-z0-9_∂/])${esc}@prev(?![A-Za-z0-9_])`, 'g'), `${col(at(name))}${r - 1}`);
      out = out.replace(new RegExp(`(?<![A-Za-z0-9_∂/$])${esc}(?![A-Za-z0-9_@])`, 'g'), `${col(at(name))}${r}`);
    }
    return out;
  };
  const formulas = { ...CLASSIC_FORMULAS, ...options.formulas } as ClassicFormulas;
  const grid: Grid = [['Backprop by hand: END2 session 2, 2-2-2 network'], ['η', CLASS.lr], [], H];
  for (let k = 0; k < n; k++) {
    const r = CLASSIC_HEADER_ROW + 1 + k;
    const row: RawCellContent[] = H.map(() => null);
    const data: Record<string, number> = { i1: CLASS.i1, i2: CLASS.i2, t1: CLASS.t1, t2: CLASS.t2 };
    for (const [name, v] of Object.entries(data)) row[at(name)] = k === 0 ? v : `=${col(at(name))}${r - 1}`;
    CLASS.w.forEach((w, i) => {
      const name = `w${i + 1}`;
      row[at(name)] = k === 0 ? w : resolve(options.update?.[name] ?? CLASSIC_UPDATE(name), r);
    });
    for (const [name, f] of Object.entries(formulas)) row[at(name)] = resolve(f, r);
    grid.push(row);
  }
  const first = CLASSIC_HEADER_ROW + 1;
  const shared: SharedRun[] = Object.keys(formulas).map((name) => ({ sheet: 'Backprop', col: at(name), from: first, to: first + n - 1 }));
  return { grid, shared };
}

export async function writeClassicSheet(path: string, options: ClassicSheetOptions = {}): Promise<void> {
  const { grid, shared } = classicSheet(options);
  await writeWorkbook(path, { Backprop: grid }, shared);
}

/**
 * The same network as blocks on one sheet, one iteration: labels left of each value, weights in a 4×2 block,
 * a table of neurons (net, out, δ and the gradients of the two weights into the neuron beside it), the loss, and the
 * new weights in a block below. `edit` replaces cells (address → content) to plant a mistake.
 */
export function blockSheet(edit: Record<string, RawCellContent> = {}): Grid {
  const g: Grid = [];
  const put = (address: string, v: RawCellContent) => {
    const m = /^([A-Z]+)(\d+)$/.exec(address)!;
    const r = Number(m[2]) - 1;
    const c = m[1].split('').reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
    while (g.length <= r) g.push([]);
    g[r][c] = v;
  };
  const cells: Record<string, RawCellContent> = {
    A1: 'Backprop by hand: one iteration of the END2 2-2-2 network, as blocks',
    A3: 'η', B3: CLASS.lr,
    A5: 'weights',
    A6: 'w1', B6: CLASS.w[0], C6: 'w2', D6: CLASS.w[1],
    A7: 'w3', B7: CLASS.w[2], C7: 'w4', D7: CLASS.w[3],
    A8: 'w5', B8: CLASS.w[4], C8: 'w6', D8: CLASS.w[5],
    A9: 'w7', B9: CLASS.w[6], C9: 'w8', D9: CLASS.w[7],
    A11: 'i1', B11: CLASS.i1, C11: 'i2', D11: CLASS.i2,
    A12: 't1', B12: CLASS.t1, C12: 't2', D12: CLASS.t2,
    A14: 'neuron', B14: 'net', C14: 'out', D14: 'δ', E14: '∂E/∂w (input 1)', F14: '∂E/∂w (input 2)',
    A15: 'h1', B15: '=B6*B11+D6*D11', C15: '=1/(1+EXP(-B15))', D15: '=(D17*B8+D18*B9)*C15*(1-C15)', E15: '=D15*B11', F15: '=D15*D11',
    A16: 'h2', B16: '=B7*B11+D7*D11', C16: '=1/(1+EXP(-B16))', D16: '=(D17*D8+D18*D9)*C16*(1-C16)', E16: '=D16*B11', F16: '=D16*D11',
    A17: 'o1', B17: '=B8*C15+D8*C16', C17: '=1/(1+EXP(-B17))', D17: '=(C17-B12)*C17*(1-C17)', E17: '=D17*C15', F17: '=D17*C16',
    A18: 'o2', B18: '=B9*C15+D9*C16', C18: '=1/(1+EXP(-B18))', D18: '=(C18-D12)*C18*(1-C18)', E18: '=D18*C15', F18: '=D18*C16',
    A20: 'E_total', B20: '=0.5*(B12-C17)^2+0.5*(D12-C18)^2',
    A22: 'new weights',
    A23: "w1'", B23: '=B6-$B$3*E15', C23: "w2'", D23: '=D6-$B$3*F15',
    A24: "w3'", B24: '=B7-$B$3*E16', C24: "w4'", D24: '=D7-$B$3*F16',
    A25: "w5'", B25: '=B8-$B$3*E17', C25: "w6'", D25: '=D8-$B$3*F17',
    A26: "w7'", B26: '=B9-$B$3*E18', C26: "w8'", D26: '=D9-$B$3*F18',
    ...edit,
  };
  for (const [a, v] of Object.entries(cells)) put(a, v);
  return g.map((row) => Array.from(row, (v) => v ?? null));
}

export async function writeBlockSheet(path: string, edit: Record<string, RawCellContent> = {}): Promise<void> {
  await writeWorkbook(path, { Backprop: blockSheet(edit) });
}

/** Rewrites one cell's formula in a sheet of an XLSX file, straight in the XML (its cached value is left stale). */
export async function setCellFormulaInFile(path: string, address: string, formula: string, sheetPart = 'xl/worksheets/sheet1.xml'): Promise<void> {
  const zip = await JSZip.loadAsync(readFileSync(path));
  const xml = await zip.file(sheetPart)!.async('string');
  const cell = new RegExp(`(<c r="${address}"[^>]*>)<f>[^<]*</f>`);
  if (!cell.test(xml)) throw new Error(`no formula cell ${address} in ${path}`);
  const escaped = formula.replace(/^=/, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  zip.file(sheetPart, xml.replace(cell, `$1<f>${escaped}</f>`));
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}

/** Adds parts to an XLSX file (a macro project, a pivot table) without touching the rest. */
export async function addPartsToFile(path: string, parts: Record<string, string | Uint8Array>): Promise<void> {
  const zip = await JSZip.loadAsync(readFileSync(path));
  for (const [name, content] of Object.entries(parts)) zip.file(name, content);
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}
