import { CheckEngine } from './engine';
import { GRADIENT_TOLERANCE, METHOD, UPDATE_TOLERANCE } from './gradcheck';
import { readWorkbookData, UnreadableError } from './load';
import { scratchPool } from './scratch';
import { findHeader } from './classic';
import { checkSheet } from './sheetCheck';
import type { SheetReport, WorkbookData, WorkbookReport } from './types';

/**
 * A whole workbook: every sheet checked and reported on its own (see sheetCheck.ts). No DOM and no Node: the CLI,
 * the batch and the page call this.
 */

export function workbookVerdict(sheets: SheetReport[]): WorkbookReport['verdict'] {
  if (sheets.some((s) => s.verdict === 'fail')) return 'fail';
  const blocked = sheets.some((s) => s.verdict === 'unsupported' && s.looksLikeNetwork);
  if (sheets.some((s) => s.verdict === 'pass') && !blocked) return 'pass';
  if (sheets.length > 0 && sheets.every((s) => s.verdict === 'numbers-only')) return 'numbers-only';
  return 'unsupported';
}

export function checkWorkbookSheets(data: WorkbookData, fileName: string): WorkbookReport {
  const full = new CheckEngine(data);
  const pool = scratchPool();
  try {
    const sheets = data.sheets.flatMap((sheet): SheetReport[] => {
      try {
        const first = checkSheet(data, full, sheet, pool);
        const out = [first];
        // More tables further down the same sheet (one per learning rate, stacked), each reported on its own.
        for (let last = first.lastRow; last !== undefined && out.length < 20 && findHeader(sheet, last).header;) {
          const next = checkSheet(data, full, sheet, pool, last);
          next.table = out.length + 1;
          out.push(next);
          last = next.lastRow;
        }
        return out;
      } catch {
        // A bug of the checker, not of the file: the sheet is reported, the other sheets are still checked.
        return [{
          sheet: sheet.name, verdict: 'unsupported', message: [`sheet "${sheet.name}": the checker could not follow this sheet's formulas (an internal error); please report it with the file`],
          found: [], gradients: [], updates: [], columns: [], wrongCells: [], findings: [], fixes: [], notes: [], looksLikeNetwork: true,
        }];
      }
    });
    if (sheets.length === 0) {
      sheets.push({
        sheet: '(none)', verdict: 'unsupported', message: ['the workbook has no worksheets'], found: [], gradients: [], updates: [], columns: [],
        wrongCells: [], findings: [], fixes: [], notes: [], looksLikeNetwork: false,
      });
    }
    return {
      file: fileName, verdict: workbookVerdict(sheets), method: METHOD, gradientTolerance: GRADIENT_TOLERANCE, updateTolerance: UPDATE_TOLERANCE,
      sheets, notes: [...data.notes, ...full.notes],
    };
  } finally {
    pool.destroy();
    full.destroy();
  }
}

export function unreadableReport(file: string, error: string): WorkbookReport {
  return { file, verdict: 'unreadable', error, method: METHOD, gradientTolerance: GRADIENT_TOLERANCE, updateTolerance: UPDATE_TOLERANCE, sheets: [], notes: [] };
}

/** Reads and checks; a file that cannot be read gives an 'unreadable' report saying why, never an exception. */
export async function checkWorkbookFileBytes(bytes: Uint8Array, fileName: string): Promise<WorkbookReport> {
  let data: WorkbookData;
  try {
    data = await readWorkbookData(bytes);
  } catch (err) {
    const why = err instanceof UnreadableError ? err.message : 'not a readable XLSX file';
    return unreadableReport(fileName, why);
  }
  return checkWorkbookSheets(data, fileName);
}
