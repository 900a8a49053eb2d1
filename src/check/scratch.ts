import { HyperFormula } from 'hyperformula';
import { HF_CONFIG } from '../workbook/workbook';
import { CheckEngine } from './engine';
import { cellKey, type CellData, type CellRef, type SheetData, type WorkbookData } from './types';

/**
 * A small engine for checking one iteration of a long table: the formula cells the checked cells read within the
 * rows kept (the iteration's row and the next, where its updates land), cut at the iteration's weights, with every
 * other cell they read put in as the value the whole workbook computes for it. Nudging a weight there recomputes a
 * few dozen cells instead of every later iteration, and what the checked cells compute is unchanged.
 */
export interface ScratchSpec {
  roots: CellRef[];
  /** The weights nudged: kept as numbers, not followed. */
  weights: CellRef[];
  sheet: string;
  /** 0-based rows of `sheet` whose formulas are kept. */
  rows: number[];
}

/** One HyperFormula for every scratch of a workbook (see EngineOptions.reuse). */
export function scratchPool(): HyperFormula {
  return HyperFormula.buildEmpty({ ...HF_CONFIG, maxRows: 40_000, maxColumns: 18_278 });
}

export function scratchEngine(full: CheckEngine, spec: ScratchSpec, pool?: HyperFormula): CheckEngine {
  const keepRows = new Set(spec.rows);
  const weights = new Set(spec.weights.map(cellKey));
  const cells = new Map<string, { ref: CellRef; cell: CellData }>();
  const stack = [...spec.roots];
  const put = (ref: CellRef, cell: CellData) => cells.set(cellKey(ref), { ref, cell });
  const asValue = (ref: CellRef): CellData => {
    const v = full.value(ref);
    if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return { value: v };
    return { value: { error: String((v as { value?: unknown }).value ?? '#VALUE!') } };
  };
  while (stack.length) {
    const ref = stack.pop()!;
    const k = cellKey(ref);
    if (cells.has(k)) continue;
    const formula = full.formula(ref);
    if (weights.has(k) || formula === null || ref.sheet !== spec.sheet || !keepRows.has(ref.row) || !full.isFormula(ref)) {
      put(ref, asValue(ref));
      continue;
    }
    // As the engine holds it: defined names already replaced by the cells they name.
    put(ref, { value: null, formula: (full.hf.getCellFormula(full.address(ref)) ?? `=${formula}`).replace(/^=/, '') });
    const { cells: reads, bigRanges } = full.precedents(ref);
    for (const p of reads) stack.push(p);
    for (const r of bigRanges) {
      // A range too big to follow is put in as values (the table's own columns are never read that way).
      for (let row = Math.min(r.from.row, r.to.row); row <= Math.max(r.from.row, r.to.row) && row < 5000; row++) {
        for (let col = Math.min(r.from.col, r.to.col); col <= Math.max(r.from.col, r.to.col) && col < 200; col++) {
          const q = { sheet: r.from.sheet, row, col };
          if (!cells.has(cellKey(q))) put(q, asValue(q));
        }
      }
    }
  }
  const sheets: SheetData[] = full.data.sheets.map((s) => ({ name: s.name, rows: [] }));
  const byName = new Map(sheets.map((s) => [s.name, s]));
  for (const { ref, cell } of cells.values()) {
    const s = byName.get(ref.sheet);
    if (!s) continue;
    (s.rows[ref.row] ??= [])[ref.col] = cell;
  }
  const data: WorkbookData = { sheets, names: [], notes: [] };
  return new CheckEngine(data, pool ? { reuse: pool } : {});
}
