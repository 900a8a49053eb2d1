import ExcelJS from 'exceljs';
import type { Workbook } from '../workbook/workbook';
import { fillLanesWorkbook, fillWorkbook, type ExportInfo, type LaneSource } from './xlsx';

/** The page: builds the XLSX in memory (exceljs's browser build has no streaming writer) and returns its bytes. */
export async function xlsxBytes(wb: Workbook, info: ExportInfo, onProgress?: (rows: number) => void): Promise<ArrayBuffer> {
  const book = new ExcelJS.Workbook();
  await fillWorkbook(book, wb, info, onProgress);
  onProgress?.(wb.rows); // every row written: the zip follows
  return book.xlsx.writeBuffer() as Promise<ArrayBuffer>;
}

/** The page: a learning-rate comparison (a sheet per lane and a Compare sheet) in memory. */
export async function lanesXlsxBytes(lanes: LaneSource[], info: ExportInfo): Promise<ArrayBuffer> {
  const book = new ExcelJS.Workbook();
  await fillLanesWorkbook(book, lanes, info);
  return book.xlsx.writeBuffer() as Promise<ArrayBuffer>;
}
