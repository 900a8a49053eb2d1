/** Sizes of the files the page reads, checked before a byte of them is read; in decimal MB, as file managers show them. */

/**
 * An XLSX to import: the page's own 2001-epoch end2-xor-44 export is 28 MB (the CLI's 31 MB). This counts the
 * compressed file; what it inflates to (each part, all parts, cells, ranges) is checked in the worker by
 * src/check/workbookGuard.ts before the file is parsed.
 */
export const XLSX_IMPORT_MAX_BYTES = 64_000_000;
/** A spec or run file (JSON). */
export const SPEC_FILE_MAX_BYTES = 16_000_000;

/** Decimal megabytes, as file managers show sizes (27,8xx,xxx bytes is 27.8 MB). */
export const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
