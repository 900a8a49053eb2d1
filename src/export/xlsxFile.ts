import ExcelJS from 'exceljs';
import type { Workbook } from '../workbook/workbook';
import { fillLanesWorkbook, fillWorkbook, type ExportInfo, type LaneSource, type SheetSource } from './xlsx';

const writer = (path: string) => new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });

/** Node: streams the workbook to a file, so the 2001-epoch end2-xor-44 sheet exports in bounded memory. */
export async function writeXlsxFile(wb: Workbook | SheetSource, path: string, info: ExportInfo): Promise<void> {
  const book = writer(path);
  await fillWorkbook(book, wb, info);
  await book.commit();
}

/** Node: a learning-rate comparison (one sheet per lane and a Compare sheet) streamed to a file. */
export async function writeLanesXlsxFile(lanes: LaneSource[], path: string, info: ExportInfo): Promise<void> {
  const book = writer(path);
  await fillLanesWorkbook(book, lanes, info);
  await book.commit();
}
