import ExcelJS from 'exceljs';
import type { Workbook } from '../workbook/workbook';
import { fillWorkbook, type ExportInfo, type SheetSource } from './xlsx';

/** Node: streams the workbook to a file, so the 2001-epoch end2-xor-44 sheet exports in bounded memory. */
export async function writeXlsxFile(wb: Workbook | SheetSource, path: string, info: ExportInfo): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  await fillWorkbook(book, wb, info);
  await book.commit();
}
