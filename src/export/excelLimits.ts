import { TRAIN_SHEET, type Layout } from '../layout/layout';
import { rowTemplates } from '../workbook/formulas';

/**
 * Excel's limits for what a file holds (LibreOffice's are wider): a longer formula or text is "repaired" or cut by
 * Excel when it opens the file, and gradsheet could not import it back. Texts longer than a cell takes are split
 * over cells (the Run sheet's spec); a formula longer than a spreadsheet takes is refused before anything is built.
 */
export const EXCEL_MAX_FORMULA_CHARS = 8192;

/** A sheet that cannot be written within Excel's limits; its message says why, for people. */
export class XlsxLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XlsxLimitError';
  }
}
export const EXCEL_MAX_CELL_CHARS = 32_767;

/** The longest formula of a row (its text without `=`), for the sheet's last row (the longest row numbers). */
function longestFormula(layout: Layout, epochs: number): { column: string; letter: string; length: number } | null {
  const lastRow = layout.rowOf(Math.max(0, epochs - 1)) + 1;
  let best: { column: string; letter: string; length: number } | null = null;
  rowTemplates(layout).forEach((template, i) => {
    if (!template) return;
    const length = template(lastRow).length - 1;
    if (!best || length > best.length) best = { column: layout.columns[i].name, letter: layout.columns[i].letter, length };
  });
  return best;
}

/** Why the sheet of `layout` cannot be written as XLSX within Excel's limits, or null. */
export function xlsxLimitProblem(layout: Layout, epochs = layout.spec.epochs): string | null {
  const f = longestFormula(layout, epochs);
  if (f && f.length > EXCEL_MAX_FORMULA_CHARS) {
    const samples = layout.spec.data.inputs.length;
    return `the XLSX would hold a formula of ${f.length.toLocaleString('en-US')} characters (${TRAIN_SHEET}!${f.letter}, ${f.column}); ` +
      `a spreadsheet takes formulas of up to ${EXCEL_MAX_FORMULA_CHARS.toLocaleString('en-US')} characters` +
      (layout.spec.batch === 'full' ? ` (a full-batch sum over ${samples} samples): use fewer samples or batch "sample"` : ': use a smaller network');
  }
  return null;
}

/** `text` in pieces of at most a cell's length (the Run sheet's spec; the importer joins them back). */
export function cellPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += EXCEL_MAX_CELL_CHARS) out.push(text.slice(i, i + EXCEL_MAX_CELL_CHARS));
  return out.length ? out : [''];
}
