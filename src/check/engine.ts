import { AlwaysSparse, DenseSparseChooseBasedOnThreshold, HyperFormula, type CellValue, type RawCellContent, type SimpleCellAddress } from 'hyperformula';
import { HF_CONFIG } from '../workbook/workbook';
import { a1, parseCellRef, quoteSheet, scanRefs } from './address';
import { cellKey, type CellData, type CellRef, type WorkbookData } from './types';

/**
 * The workbook's formulas loaded into HyperFormula (gradsheet's configuration: smartRounding off), with what a check
 * needs: values, the cells a formula reads and the cells that read it, and nudging a cell and putting it back.
 */

/** Ranges larger than this are not walked cell by cell when following what a formula reads. */
const MAX_RANGE_CELLS = 4096;
const EMPTY_ROW: RawCellContent[] = [];

export interface EngineOptions {
  /**
   * An engine to load the cells into (its sheets' contents are replaced), instead of building a new one: building
   * HyperFormula costs ~10 ms (its formula parser is made anew), loading a few dozen cells into a built one ~0.1 ms.
   * The caller destroys it.
   */
  reuse?: HyperFormula;
  /** Load only rows 0..lastRow of this sheet (the rest of a long training history is not needed to check one row). */
  keepRows?: { sheet: string; lastRow: number };
}

export class CheckEngine {
  readonly hf: HyperFormula;
  readonly notes: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly namesById: string[] = [];
  private readonly originals = new Map<string, RawCellContent>();
  /** Cells whose formula the engine cannot take (too long or too deeply nested): why, by cellKey. */
  private readonly uncomputable = new Map<string, string>();

  constructor(readonly data: WorkbookData, readonly options: EngineOptions = {}) {
    const defined = new Map(data.names.map((n) => [n.name.toUpperCase(), n.ref]));
    const sheetNames = new Set(data.sheets.map((s) => s.name));
    const missingSheets = new Map<string, string>();
    const probe = new FormulaProbe(data.sheets.map((s) => s.name));
    const sheets: Record<string, RawCellContent[][]> = {};
    let maxRow = 1;
    let maxCol = 1;
    for (const sheet of data.sheets) {
      const last = options.keepRows?.sheet === sheet.name ? options.keepRows.lastRow : Infinity;
      const rows: RawCellContent[][] = [];
      sheet.rows.forEach((cells, r) => {
        if (r > last || !cells) return;
        const out: RawCellContent[] = [];
        cells.forEach((cell, c) => {
          if (!cell) return;
          if (cell.formula === undefined) {
            out[c] = raw(cell.value);
          } else {
            const formula = withDefinedNames(cell.formula, sheet.name, defined);
            const ref = { sheet: sheet.name, row: r, col: c };
            const why = probe.problem(formula);
            if (why) {
              // Loaded as an error, so every check that reads it says so instead of the engine failing as a whole.
              this.uncomputable.set(cellKey(ref), why);
              this.notes.push(`${a1(ref, '')}: ${why}; the checks that read it were skipped`);
              out[c] = '#N/A';
            } else {
              out[c] = `=${formula}`;
              if (formula.includes('!')) {
                for (const t of scanRefs(formula, sheet.name)) {
                  const target = t.kind === 'cell' ? t.ref.sheet : t.kind === 'range' ? t.from.sheet : null;
                  if (target !== null && !sheetNames.has(target) && !missingSheets.has(target)) missingSheets.set(target, a1(ref, ''));
                }
              }
            }
          }
          maxCol = Math.max(maxCol, c + 1);
        });
        rows[r] = Array.from(out, (v) => v ?? null);
        maxRow = Math.max(maxRow, r + 1);
      });
      // HyperFormula wants no holes: the empty rows share one empty array (the workbook guard keeps rows within a
      // spreadsheet's 1,048,576, so this walks at most that many).
      for (let r = 0; r < rows.length; r++) rows[r] ??= EMPTY_ROW;
      sheets[sheet.name] = rows;
    }
    probe.destroy();
    for (const [name, at] of missingSheets) {
      this.notes.push(`${at} reads the sheet "${name}", which the workbook does not have (it gives #REF!)`);
    }
    if (options.reuse) {
      this.hf = options.reuse;
      const hf = this.hf;
      hf.batch(() => {
        for (const name of hf.getSheetNames()) if (!(name in sheets)) hf.removeSheet(hf.getSheetId(name)!);
        for (const name of Object.keys(sheets)) if (hf.getSheetId(name) === undefined) hf.addSheet(name);
        for (const [name, content] of Object.entries(sheets)) hf.setSheetContent(hf.getSheetId(name)!, content);
      });
    } else {
      this.hf = HyperFormula.buildFromSheets(sheets, {
        ...HF_CONFIG,
        // A sheet with a cell at XFD1048576 and little else would be a 17-billion-entry dense grid: sparse sheets are
        // kept sparse (HyperFormula's default is dense for every sheet).
        chooseAddressMappingPolicy: new DenseSparseChooseBasedOnThreshold(0.1),
        maxRows: Math.max(maxRow + 10, 40_000),
        maxColumns: Math.max(maxCol + 10, 18_278),
      });
    }
    for (const name of this.hf.getSheetNames()) {
      const id = this.hf.getSheetId(name)!;
      this.ids.set(name, id);
      this.namesById[id] = name;
    }
  }

  sheetId(name: string): number | undefined {
    return this.ids.get(name);
  }

  has(ref: CellRef): boolean {
    return this.ids.has(ref.sheet);
  }

  address(ref: CellRef): SimpleCellAddress {
    const sheet = this.ids.get(ref.sheet) ?? this.hf.getSheetId(ref.sheet);
    if (sheet === undefined) throw new Error(`no sheet named "${ref.sheet}"`);
    return { sheet, row: ref.row, col: ref.col };
  }

  refOf(addr: SimpleCellAddress): CellRef {
    // A sheet the engine made for a reference to a missing one has no name of ours.
    return { sheet: this.namesById[addr.sheet] ?? this.hf.getSheetName(addr.sheet) ?? `(missing sheet ${addr.sheet})`, row: addr.row, col: addr.col };
  }

  value(ref: CellRef): CellValue {
    return this.hf.getCellValue(this.address(ref));
  }

  /** The cell's number, or null for text, an error or an empty cell. */
  number(ref: CellRef): number | null {
    const v = this.value(ref);
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }

  /** A spreadsheet error in the cell, with HyperFormula's message ("Function name CONCAT not recognized."). */
  error(ref: CellRef): { value: string; message: string } | null {
    const why = this.uncomputable.get(cellKey(ref));
    if (why !== undefined) return { value: '#N/A', message: why };
    const v = this.value(ref);
    if (v && typeof v === 'object' && 'value' in v) return { value: String(v.value), message: String((v as { message?: string }).message ?? '') };
    return null;
  }

  /** The formula as the file wrote it (without `=`), or null for a value. */
  formula(ref: CellRef): string | null {
    const sheet = this.data.sheets.find((s) => s.name === ref.sheet);
    return sheet?.rows[ref.row]?.[ref.col]?.formula ?? null;
  }

  isFormula(ref: CellRef): boolean {
    return this.hf.doesCellHaveFormula(this.address(ref));
  }

  /** The single cells a formula reads, and whether it also reads ranges too big to list. */
  precedents(ref: CellRef): { cells: CellRef[]; bigRanges: { from: CellRef; to: CellRef }[] } {
    const cells: CellRef[] = [];
    const bigRanges: { from: CellRef; to: CellRef }[] = [];
    if (!this.isFormula(ref)) return { cells, bigRanges };
    for (const p of this.hf.getCellPrecedents(this.address(ref))) {
      if ('start' in p) {
        const { start, end } = p;
        if (start.sheet < 0) continue;
        const size = (end.row - start.row + 1) * (end.col - start.col + 1);
        if (size > MAX_RANGE_CELLS) {
          bigRanges.push({ from: this.refOf(start), to: this.refOf(end) });
          continue;
        }
        for (let r = start.row; r <= end.row; r++) for (let c = start.col; c <= end.col; c++) cells.push(this.refOf({ sheet: start.sheet, row: r, col: c }));
      } else if (p.sheet >= 0) {
        cells.push(this.refOf(p));
      }
    }
    return { cells: dedupe(cells), bigRanges };
  }

  /** The cells whose formulas read this cell (through a range too). */
  dependents(ref: CellRef): CellRef[] {
    const out: CellRef[] = [];
    const seen = new Set<string>();
    const queue: (SimpleCellAddress | { start: SimpleCellAddress; end: SimpleCellAddress })[] = [this.address(ref)];
    while (queue.length) {
      const at = queue.pop()!;
      for (const d of this.hf.getCellDependents(at)) {
        if ('start' in d) {
          const k = `${d.start.sheet}:${d.start.row},${d.start.col}:${d.end.row},${d.end.col}`;
          if (!seen.has(k)) {
            seen.add(k);
            queue.push(d);
          }
        } else if (d.sheet >= 0) {
          const r = this.refOf(d);
          const k = cellKey(r);
          if (!seen.has(k)) {
            seen.add(k);
            out.push(r);
          }
        }
      }
    }
    return out;
  }

  /** Replaces the cell (a number or a formula) by a number; restore() puts back what it held. */
  setNumber(ref: CellRef, value: number): void {
    const key = cellKey(ref);
    const addr = this.address(ref);
    if (!this.originals.has(key)) this.originals.set(key, this.hf.getCellSerialized(addr));
    this.hf.setCellContents(addr, [[value]]);
  }

  restore(ref: CellRef): void {
    const key = cellKey(ref);
    if (!this.originals.has(key)) return;
    this.hf.setCellContents(this.address(ref), [[this.originals.get(key)!]]);
    this.originals.delete(key);
  }

  /** A1 address in the report: "C7", or "Data!C7" for another sheet than `sheet`. */
  a1(ref: CellRef, sheet: string): string {
    return a1(ref, sheet);
  }

  destroy(): void {
    if (!this.options.reuse) this.hf.destroy();
  }
}

/**
 * Whether HyperFormula can take a formula: a long chain of operators (an 8,185-character loss `(a-b)^2+…`, within
 * Excel's 8,192) or deep parentheses overflow its parser's or evaluator's stack, which would fail the whole
 * workbook. Formulas of up to 500 characters cannot nest that deep and are not tried; longer ones are loaded alone
 * into a scratch engine first (~1 ms each).
 */
class FormulaProbe {
  private hf: HyperFormula | null = null;

  /** The workbook's sheet names, so a formula's references to them parse as they will in the real engine. */
  constructor(private readonly sheetNames: string[]) {}

  problem(formula: string): string | null {
    if (formula.length <= 500) return null;
    const what = `its formula (${formula.length.toLocaleString('en-US')} characters)`;
    if (formula.length > 8192) return `${what} is longer than a spreadsheet allows (8,192 characters)`;
    this.hf ??= HyperFormula.buildFromSheets(Object.fromEntries(this.sheetNames.map((n) => [n, []])), { ...HF_CONFIG, maxRows: 1_048_576, maxColumns: 16_384, chooseAddressMappingPolicy: new AlwaysSparse() });
    // A cell no formula reads in practice; whatever it reads is empty.
    const at = { sheet: 0, row: 1_048_575, col: 16_383 };
    try {
      this.hf.setCellContents(at, [[`=${formula}`]]);
      this.hf.setCellContents(at, [[null]]);
      return null;
    } catch (err) {
      this.destroy();
      if (err instanceof RangeError) return `${what} is nested too deeply for the formula engine (HyperFormula runs out of stack on it)`;
      return `${what} cannot be read by the formula engine`;
    }
  }

  destroy(): void {
    this.hf?.destroy();
    this.hf = null;
  }
}

function dedupe(cells: CellRef[]): CellRef[] {
  const seen = new Set<string>();
  return cells.filter((c) => {
    const k = cellKey(c);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A value as HyperFormula should hold it: text stays text even when it looks like a number or a formula. */
function raw(v: CellData['value']): RawCellContent {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v === '' ? null : `'${v}`;
  return v.error;
}

/** Defined names replaced by the cells they name, so every reference is a plain cell for the dependency graph. */
function withDefinedNames(formula: string, sheet: string, defined: Map<string, string>): string {
  if (defined.size === 0) return formula;
  let out = '';
  let at = 0;
  for (const t of scanRefs(formula, sheet)) {
    if (t.kind !== 'name') continue;
    const target = defined.get(t.name.toUpperCase());
    if (!target) continue;
    const ref = parseCellRef(target.replace(/\$/g, ''), sheet);
    const text = ref ? `${quoteSheet(ref.sheet)}!${target.slice(target.lastIndexOf('!') + 1)}` : target;
    out += formula.slice(at, t.start) + text;
    at = t.end;
  }
  return out + formula.slice(at);
}
