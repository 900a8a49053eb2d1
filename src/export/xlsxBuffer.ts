import type { Workbook } from '../workbook/workbook';
import { SheetMLBook } from './sheetml';
import { fillLanesWorkbook, fillWorkbook, type ExportInfo, type LaneSource } from './xlsx';

/**
 * The page (engine worker): the XLSX deflated as it is written, row by row, into a list of compressed chunks
 * (31 MB for end2-xor-44's 2001 epochs), joined into the file's bytes at the end.
 */
async function bytesOf(fill: (book: SheetMLBook) => Promise<void>): Promise<ArrayBuffer> {
  const chunks: Uint8Array[] = [];
  const book = new SheetMLBook({ write: (chunk) => void chunks.push(chunk) });
  await fill(book);
  await book.commit();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out.buffer;
}

export function xlsxBytes(wb: Workbook, info: ExportInfo, onProgress?: (rows: number) => void): Promise<ArrayBuffer> {
  return bytesOf(async (book) => {
    await fillWorkbook(book, wb, info, onProgress);
    onProgress?.(wb.rows); // every row written: the last parts follow
  });
}

/** A learning-rate comparison (a sheet per lane and a Compare sheet). */
export function lanesXlsxBytes(lanes: LaneSource[], info: ExportInfo): Promise<ArrayBuffer> {
  return bytesOf((book) => fillLanesWorkbook(book, lanes, info));
}
