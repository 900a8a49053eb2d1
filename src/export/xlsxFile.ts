import type { Writable } from 'node:stream';
import { writeFileSafely } from '../io/safeWrite';
import type { Workbook } from '../workbook/workbook';
import { SheetMLBook, type ByteSink } from './sheetml';
import { fillLanesWorkbook, fillWorkbook, type ExportInfo, type LaneSource, type SheetSource } from './xlsx';

/**
 * Node: the XLSX streamed to a file or a stream in bounded memory (the 2001-epoch end2-xor-44 sheet included).
 * Each write waits while the stream's buffer is full; the returned promise rejects with the stream's error.
 */

/** A sink over a Node stream that waits for 'drain' and rejects on 'error'. */
function streamSink(out: Writable): ByteSink & { end(): Promise<void> } {
  let failure: Error | null = null;
  const failed = new Promise<never>((_, reject) => out.once('error', (err) => reject((failure = err))));
  failed.catch(() => undefined);
  /** One wait for 'drain' shared by every write made while the buffer is full. */
  let draining: Promise<void> | null = null;
  return {
    write(chunk) {
      if (failure) throw failure;
      if (out.write(chunk) && !draining) return;
      draining ??= Promise.race([new Promise<void>((resolve) => out.once('drain', () => {
        draining = null;
        resolve();
      })), failed]);
      return draining;
    },
    end: () => {
      if (failure) return Promise.reject(failure);
      return Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
    },
  };
}

async function written(out: Writable, fill: (book: SheetMLBook) => Promise<void>): Promise<void> {
  const sink = streamSink(out);
  try {
    const book = new SheetMLBook(sink);
    await fill(book);
    await book.commit();
    await sink.end();
  } catch (err) {
    out.destroy();
    throw err;
  }
}

/** Writes the workbook to a stream (ended when done). */
export function writeXlsxToStream(wb: Workbook | SheetSource, out: Writable, info: ExportInfo): Promise<void> {
  return written(out, (book) => fillWorkbook(book, wb, info));
}

/** Written atomically (src/io/safeWrite.ts): a failed or interrupted export leaves the previous file as it was. */
export function writeXlsxFile(wb: Workbook | SheetSource, path: string, info: ExportInfo): Promise<void> {
  return writeFileSafely(path, (stream) => writeXlsxToStream(wb, stream, info));
}

/** A learning-rate comparison (one sheet per lane and a Compare sheet) to a stream. */
export function writeLanesXlsxToStream(lanes: LaneSource[], out: Writable, info: ExportInfo): Promise<void> {
  return written(out, (book) => fillLanesWorkbook(book, lanes, info));
}

export function writeLanesXlsxFile(lanes: LaneSource[], path: string, info: ExportInfo): Promise<void> {
  return writeFileSafely(path, (stream) => writeLanesXlsxToStream(lanes, stream, info));
}
