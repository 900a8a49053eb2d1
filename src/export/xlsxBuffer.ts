import ExcelJS from 'exceljs';
import type { Workbook } from '../workbook/workbook';
import { fillWorkbook, type ExportInfo } from './xlsx';

/** The page: builds the XLSX in memory (exceljs's browser build has no streaming writer) and returns its bytes. */
export async function xlsxBytes(wb: Workbook, info: ExportInfo, onProgress?: (rows: number) => void): Promise<ArrayBuffer> {
  const book = new ExcelJS.Workbook();
  await fillWorkbook(book, wb, info, onProgress);
  return book.xlsx.writeBuffer() as Promise<ArrayBuffer>;
}
