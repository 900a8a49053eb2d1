import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { writeFileSafely } from '../io/safeWrite';
import type { Workbook } from '../workbook/workbook';
import { fillLanesWorkbook, fillWorkbook, type ExportInfo, type LaneSource, type SheetSource } from './xlsx';

const writer = (stream: Writable) => new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });

/**
 * Node: streams the workbook to a file, so the 2001-epoch end2-xor-44 sheet exports in bounded memory. Written
 * atomically (src/io/safeWrite.ts): a failed or interrupted export leaves the previous file as it was.
 */
export async function writeXlsxFile(wb: Workbook | SheetSource, path: string, info: ExportInfo): Promise<void> {
  await writeFileSafely(path, async (stream) => {
    const book = writer(stream);
    await fillWorkbook(book, wb, info);
    await book.commit();
  });
}

/** Node: a learning-rate comparison (one sheet per lane and a Compare sheet) streamed to a file. */
export async function writeLanesXlsxFile(lanes: LaneSource[], path: string, info: ExportInfo): Promise<void> {
  await writeFileSafely(path, async (stream) => {
    const book = writer(stream);
    await fillLanesWorkbook(book, lanes, info);
    await book.commit();
  });
}
