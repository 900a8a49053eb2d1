import type ExcelJS from 'exceljs';
import { scanRefs } from './address';
import { guardWorkbook, WorkbookFileError } from './workbookGuard';
import type { CellData, SheetData, WorkbookData } from './types';

/**
 * Reads an XLSX (or XLSM) file's cells, formulas and defined names. Nothing in the file is run: macros, pivot tables
 * and links to other workbooks are noted and left out (a formula that reads another workbook keeps the value the
 * file saved with it). Works in Node and in the page (exceljs is loaded only when a file is read).
 */

export class UnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableError';
  }
}

/** Does the zip hold an entry whose name contains `text`? Zip entry names are stored uncompressed. */
function mentions(bytes: Uint8Array, text: string): boolean {
  const needle = new TextEncoder().encode(text);
  const first = needle[0];
  outer: for (let i = bytes.indexOf(first); i >= 0 && i <= bytes.length - needle.length; i = bytes.indexOf(first, i + 1)) {
    for (let k = 1; k < needle.length; k++) if (bytes[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

function plainValue(v: ExcelJS.CellValue): CellData['value'] {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return (v.getTime() - EXCEL_EPOCH_MS) / 86_400_000;
  if (typeof v === 'object') {
    if ('error' in v) return { error: String((v as ExcelJS.CellErrorValue).error) };
    if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join('');
    if ('text' in v && 'hyperlink' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
    if ('result' in v) return plainValue((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  }
  return null;
}

/** Excel's prefixes for functions newer than the file format (`_xlfn.CONCAT`); HyperFormula knows them unprefixed. */
function cleanFormula(f: string): string {
  return f.replace(/_xlfn\.|_xlws\./g, '').replace(/^=/, '');
}

export async function readWorkbookData(file: Uint8Array): Promise<WorkbookData> {
  let bytes: Uint8Array;
  try {
    bytes = await guardWorkbook(file);
  } catch (err) {
    if (err instanceof WorkbookFileError) throw new UnreadableError(err.message);
    throw err;
  }
  const notes: string[] = [];
  if (mentions(bytes, 'vbaProject.bin')) notes.push('the file holds macros (VBA): they were not run');
  if (mentions(bytes, 'pivotTable')) notes.push('the file holds pivot tables: they were left out');
  if (mentions(bytes, 'externalLink')) notes.push('the file links to other workbooks: formulas reading them keep the values saved in the file');

  const { default: Excel } = await import('exceljs');
  const book = new Excel.Workbook();
  try {
    await book.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    // A zip that is no workbook loads as a workbook without sheets: the XML reader says which part is missing.
    if (book.worksheets.length === 0) throw new Error('no worksheets');
  } catch {
    // exceljs's error is about its own code ("Cannot read properties of undefined"), not the file: read the XML.
    const { readXlsxXml, XmlReadError } = await import('./xmlRead');
    try {
      const data = await readXlsxXml(bytes);
      data.notes.unshift('read from the XML directly (exceljs could not load this writer\'s file)', ...notes);
      return data;
    } catch (err) {
      if (err instanceof XmlReadError) throw new UnreadableError(err.message);
      throw new UnreadableError('not a readable XLSX file');
    }
  }

  const sheets: SheetData[] = [];
  let externals = 0;
  const externalCells: string[] = [];
  let arrays = 0;
  book.eachSheet((ws) => {
    const rows: (CellData | undefined)[][] = [];
    ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: (CellData | undefined)[] = [];
      row.eachCell({ includeEmpty: false }, (cell, colNumber) => {
        if (cell.isMerged && cell.master !== cell) return;
        const raw = cell.value;
        const value = plainValue(raw);
        let formula: string | undefined;
        try {
          // exceljs translates a shared formula (written once, filled down) to this cell.
          formula = cell.formula ? cleanFormula(cell.formula) : undefined;
        } catch {
          formula = undefined;
        }
        if (formula !== undefined && scanRefs(formula, ws.name).some((t) => t.kind === 'external' && t.text.includes('!'))) {
          if (externals++ < 5) externalCells.push(`${ws.name}!${cell.address}`);
          formula = undefined;
        }
        if (raw && typeof raw === 'object' && 'shareType' in raw && (raw as { shareType?: string }).shareType === 'array') arrays++;
        cells[colNumber - 1] = formula === undefined ? { value } : { value, formula };
      });
      rows[rowNumber - 1] = cells;
    });
    sheets.push({ name: ws.name, rows });
  });
  if (externals > 0 && !notes.some((n) => n.includes('other workbooks'))) {
    notes.push('the file links to other workbooks: formulas reading them keep the values saved in the file');
  }
  if (externals > 0) {
    notes.push(`${externals} formula cell(s) read another workbook and were taken as their saved values (${externalCells.join(', ')}${externals > externalCells.length ? ', …' : ''})`);
  }
  if (arrays > 0) notes.push(`${arrays} array formula(s): read as ordinary formulas of their first cell`);

  const names: WorkbookData['names'] = [];
  for (const dn of book.definedNames.model ?? []) {
    if (dn.name.startsWith('_xlnm.')) continue;
    if (dn.ranges.length === 1) names.push({ name: dn.name, ref: dn.ranges[0] });
  }
  return { sheets, names, notes };
}
