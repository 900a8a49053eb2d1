import JSZip from 'jszip';
import { columnIndex, columnName } from './address';
import { sheetParts } from './xlsxParts';

/**
 * What a workbook file is, and whether reading it fits in memory, decided before exceljs or the XML reader
 * allocates anything for it (both the checker and the importer, in Node and in the page). A 10 KB file can declare
 * a merged range over AG1:XFD1048576 or a column definition up to 2,000,000,000, which exceljs expands cell by cell
 * (4–6 GB and out of memory), and a 4 MB zip can inflate to 4 GB of whitespace. So:
 *
 * - the first bytes say what the file is (an encrypted workbook, an .xls, a PDF, not a zip), with what to do;
 * - the zip's declared inflated sizes are checked, and every part is inflated once with a cap, so a size that lies
 *   is caught too;
 * - each worksheet's cells and rows are counted and their extent found (a cell past Excel's grid is refused);
 * - merged ranges, data validations, column definitions, the declared dimension and defined names are clipped to
 *   the cells that exist; a range still too large after that is refused, naming the limit.
 *
 * Returns the bytes to read: the file itself, or (only when something was clipped) a copy with the clipped parts.
 */

export class WorkbookFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkbookFileError';
  }
}

export const WORKBOOK_LIMITS = {
  /** The file on disk (the CLI's 2001-epoch end2-xor-44 export is 31 MB). */
  fileBytes: 64 * 2 ** 20,
  /** One part inflated (that export's Train sheet is 113 MB). */
  partBytes: 256 * 2 ** 20,
  /** All parts inflated. */
  totalBytes: 512 * 2 ** 20,
  /**
   * Cells in the whole workbook: exceljs holds each as an object. Measured: importing the 2001-epoch end2-xor-44
   * export (1.58 M cells) peaks at 1.05 GB resident, so 2 M cells stay under 1.5 GB.
   */
  cells: 2_000_000,
  /** A spreadsheet's grid (Excel, LibreOffice): rows and columns. */
  rows: 1_048_576,
  cols: 16_384,
  /** Cells of one merged range (exceljs makes an object for each), after clipping to the cells present. */
  rangeCells: 1_000_000,
} as const;

/** The checker's and the importer's cap on the file read from disk. */
export const WORKBOOK_FILE_MAX_BYTES = WORKBOOK_LIMITS.fileBytes;

const thousands = (n: number) => n.toLocaleString('en-US');
const mb = (n: number) => `${(n / 2 ** 20).toFixed(n >= 10 * 2 ** 20 ? 0 : 1)} MB`;

const CFB = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);
const ascii = (b: Uint8Array, n: number) => String.fromCharCode(...b.subarray(0, n));

function containsUtf16(bytes: Uint8Array, text: string): boolean {
  const needle = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) needle[i * 2] = text.charCodeAt(i);
  outer: for (let i = bytes.indexOf(needle[0]); i >= 0 && i <= bytes.length - needle.length; i = bytes.indexOf(needle[0], i + 1)) {
    for (let k = 1; k < needle.length; k++) if (bytes[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

/** What a file that is not a zip is, and what to do, or null for a zip. */
export function fileKindProblem(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'the file is empty (0 bytes): not a workbook';
  if (startsWith(bytes, CFB)) {
    if (containsUtf16(bytes, 'EncryptedPackage') || containsUtf16(bytes, 'EncryptionInfo')) {
      return 'a password-protected (encrypted) workbook: gradsheet cannot read it; open it in Excel or LibreOffice and save it as .xlsx without a password';
    }
    if (containsUtf16(bytes, 'Workbook') || containsUtf16(bytes, 'Book')) {
      return 'an Excel 97–2003 .xls workbook, not .xlsx: open it in a spreadsheet and save it as .xlsx (Excel Workbook)';
    }
    return 'an old binary Office file (not .xlsx): open it in a spreadsheet and save it as .xlsx';
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5 || bytes[2] === 7)) return null;
  const head = ascii(bytes, Math.min(bytes.length, 512));
  const what = head.startsWith('%PDF') ? 'a PDF document'
    : /^\s*<(!doctype html|html)/i.test(head) ? 'a web page (HTML)'
      : /^\s*<\?xml/.test(head) ? 'an XML file (perhaps "XML Spreadsheet 2003")'
        : head.startsWith('{\\rtf') ? 'an RTF document'
          : /^(\xef\xbb\xbf)?\s*[{[]/.test(head) ? 'a JSON file'
            : head.startsWith('Rar!') ? 'a RAR archive' : head.startsWith('7z\xbc\xaf') ? 'a 7-Zip archive'
              : bytes[0] === 0x1f && bytes[1] === 0x8b ? 'a gzip file' : null;
  return `not an XLSX file: it is not a zip archive${what ? ` but ${what}` : ''}; give the workbook saved as .xlsx from a spreadsheet`;
}

interface ZipEntry {
  name: string;
  inflated: number;
  method: number;
  compressed: number;
  localOffset: number;
}

/** The central directory's entries with their declared inflated sizes (zip64 sizes too), or null when unreadable. */
function declaredEntries(b: Uint8Array): ZipEntry[] | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    if (z64 + 56 > b.length || view.getUint32(z64, true) !== 0x06064b50) return null;
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  const out: ZipEntry[] = [];
  let at = offset;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (at + 46 > b.length || view.getUint32(at, true) !== 0x02014b50) return null;
    const method = view.getUint16(at + 10, true);
    let compressed = view.getUint32(at + 20, true);
    let inflated = view.getUint32(at + 24, true);
    let localOffset = view.getUint32(at + 42, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const name = decoder.decode(b.subarray(at + 46, at + 46 + nameLen));
    if (inflated === 0xffffffff || compressed === 0xffffffff || localOffset === 0xffffffff) {
      // zip64 extra field (id 1): the 64-bit values, in this order, of those given as 0xffffffff.
      for (let e = at + 46 + nameLen; e + 4 <= at + 46 + nameLen + extraLen;) {
        const id = view.getUint16(e, true);
        const len = view.getUint16(e + 2, true);
        if (id === 1) {
          let p = e + 4;
          const next = () => {
            const v = p + 8 <= e + 4 + len ? Number(view.getBigUint64(p, true)) : 0;
            p += 8;
            return v;
          };
          if (inflated === 0xffffffff) inflated = next();
          if (compressed === 0xffffffff) compressed = next();
          if (localOffset === 0xffffffff) localOffset = next();
        }
        e += 4 + len;
      }
    }
    out.push({ name, inflated, method, compressed, localOffset });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** What one worksheet holds, found while it inflates. */
interface SheetScan {
  cells: number;
  maxRow: number;
  maxCol: number;
  /** A row or cell past the grid: its address. */
  beyond: string | null;
  /** The last row and column any ranged element (merge, validation, column definition, dimension…) reaches. */
  rangeRows: number;
  rangeCols: number;
}

/** Local names of the elements whose ranges are clipped. */
const RANGED = new Set(['mergeCell', 'dataValidation', 'col', 'dimension', 'conditionalFormatting', 'hyperlink', 'selection', 'autoFilter']);

const isNameByte = (x: number) => (x >= 0x61 && x <= 0x7a) || (x >= 0x41 && x <= 0x5a) || (x >= 0x30 && x <= 0x3a) || x === 0x5f || x === 0x2d || x === 0x2e;
const isSpace = (x: number) => x === 0x20 || x === 0x09 || x === 0x0a || x === 0x0d;

/**
 * Counts a worksheet's cells and finds its extent from the XML bytes as they inflate, without decoding them to text
 * (a regular expression over the decoded 113 MB Train sheet took 1.9 s and 560 MB). Tags split across chunks are
 * carried over from their `<`.
 */
class SheetScanner {
  readonly scan: SheetScan = { cells: 0, maxRow: 0, maxCol: 0, beyond: null, rangeRows: 0, rangeCols: 0 };
  private carry = new Uint8Array(0);
  private row = 0;
  private col = 0;

  feed(chunk: Uint8Array, last = false): void {
    let b = chunk;
    if (this.carry.length) {
      b = new Uint8Array(this.carry.length + chunk.length);
      b.set(this.carry);
      b.set(chunk, this.carry.length);
    }
    const cut = last ? -1 : b.lastIndexOf(0x3c);
    this.tags(b, cut < 0 ? b.length : cut);
    this.carry = cut < 0 ? new Uint8Array(0) : b.slice(cut);
  }

  /** Notes how far a ranged element's ref, sqref or max reaches. */
  private ranged(attrs: string): void {
    const scan = this.scan;
    for (const m of attrs.matchAll(/\s(?:ref|sqref)="([^"]*)"/g)) {
      for (const ref of m[1].split(/\s+/)) {
        for (const [, letters, digits] of ref.matchAll(/\$?([A-Za-z]{0,3})\$?(\d*)/g)) {
          if (!letters && !digits) continue;
          const whole = ref.includes(':');
          scan.rangeCols = Math.max(scan.rangeCols, letters ? columnIndex(letters.toUpperCase()) + 1 : whole ? WORKBOOK_LIMITS.cols : 0);
          scan.rangeRows = Math.max(scan.rangeRows, digits ? Number(digits) : whole ? WORKBOOK_LIMITS.rows : 0);
        }
      }
    }
    const max = /\smax="(\d+)"/.exec(attrs);
    if (max) scan.rangeCols = Math.max(scan.rangeCols, Number(max[1]));
  }

  private tags(b: Uint8Array, end: number): void {
    const scan = this.scan;
    for (let i = b.indexOf(0x3c); i >= 0 && i < end; i = b.indexOf(0x3c, i + 1)) {
      let k = i + 1;
      let local = k;
      while (k < end && isNameByte(b[k])) {
        if (b[k] === 0x3a) local = k + 1;
        k++;
      }
      const len = k - local;
      const isCell = len === 1 && b[local] === 0x63;
      const isRow = len === 3 && b[local] === 0x72 && b[local + 1] === 0x6f && b[local + 2] === 0x77;
      if (!isCell && !isRow) {
        if (len >= 3 && len <= 21 && RANGED.has(String.fromCharCode(...b.subarray(local, k)))) {
          let gt = b.indexOf(0x3e, k);
          if (gt < 0 || gt > end) gt = end;
          this.ranged(new TextDecoder().decode(b.subarray(k, gt)));
        }
        continue;
      }
      let gt = b.indexOf(0x3e, k);
      if (gt < 0 || gt > end) gt = end;
      let letters = 0;
      let digits = -1;
      for (let p = k; p + 3 < gt; p++) {
        // ` r="`: the reference, letters then digits
        if (b[p] === 0x72 && b[p + 1] === 0x3d && b[p + 2] === 0x22 && isSpace(b[p - 1])) {
          let q = p + 3;
          for (; q < gt && ((b[q] >= 0x41 && b[q] <= 0x5a) || (b[q] >= 0x61 && b[q] <= 0x7a)); q++) letters = letters * 26 + ((b[q] & 0xdf) - 64);
          digits = 0;
          for (; q < gt && b[q] >= 0x30 && b[q] <= 0x39; q++) digits = Math.min(digits * 10 + (b[q] - 0x30), 2 ** 40);
          break;
        }
      }
      if (isRow) {
        this.row = digits > 0 ? digits : this.row + 1;
        this.col = 0;
      } else {
        scan.cells++;
        if (digits > 0) this.row = digits;
        this.col = letters > 0 ? Math.min(letters, 2 ** 40) : this.col + 1;
      }
      if (this.row > scan.maxRow) scan.maxRow = this.row;
      if (this.col > scan.maxCol) scan.maxCol = this.col;
      if ((this.row > WORKBOOK_LIMITS.rows || this.col > WORKBOOK_LIMITS.cols) && scan.beyond === null) {
        scan.beyond = isRow ? `row ${thousands(this.row)}` : this.col > WORKBOOK_LIMITS.cols ? `column ${thousands(this.col)} of row ${thousands(this.row)}` : `row ${thousands(this.row)}`;
      }
    }
  }
}

/**
 * Inflates one part from the file's bytes with the platform's zlib (DecompressionStream, in Node and in browsers;
 * JSZip's JavaScript inflater took 2.8 s for the 113 MB Train sheet), stopping at the caps; feeds a worksheet to
 * its scanner.
 */
async function inflateCapped(bytes: Uint8Array, entry: ZipEntry, budget: { left: number }, scanner: SheetScanner | null): Promise<void> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== 0x04034b50) {
    throw new WorkbookFileError(`the zip archive is damaged (the entry ${entry.name} is not where its table of contents says): save the workbook again from a spreadsheet`);
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const data = bytes.subarray(start, Math.min(bytes.length, start + entry.compressed));
  let size = 0;
  const take = (chunk: Uint8Array): boolean => {
    size += chunk.length;
    budget.left -= chunk.length;
    if (size > WORKBOOK_LIMITS.partBytes || budget.left < 0 || size > entry.inflated) return false;
    scanner?.feed(chunk);
    return true;
  };
  const over = () => new WorkbookFileError(size > entry.inflated
    ? `the part ${entry.name} inflates to more than the ${thousands(entry.inflated)} bytes its zip entry declares: the file is damaged or made to mislead; save the workbook again from a spreadsheet`
    : size > WORKBOOK_LIMITS.partBytes
      ? `the part ${entry.name} inflates to more than ${mb(WORKBOOK_LIMITS.partBytes)}; gradsheet reads parts up to ${mb(WORKBOOK_LIMITS.partBytes)}`
      : `the workbook inflates to more than ${mb(WORKBOOK_LIMITS.totalBytes)} in all; gradsheet reads workbooks up to ${mb(WORKBOOK_LIMITS.totalBytes)} uncompressed`);
  if (entry.method === 0) {
    for (let p = 0; p < data.length; p += 1 << 20) if (!take(data.subarray(p, p + (1 << 20)))) throw over();
  } else if (entry.method === 8) {
    const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!take(value)) {
          void reader.cancel().catch(() => undefined);
          throw over();
        }
      }
    } catch (err) {
      if (err instanceof WorkbookFileError) throw err;
      throw new WorkbookFileError(`the zip archive is damaged (${entry.name} cannot be inflated): save the workbook again from a spreadsheet`);
    }
  } else {
    throw new WorkbookFileError(`the part ${entry.name} is compressed with zip method ${entry.method}, which spreadsheets do not write: save the workbook again from a spreadsheet`);
  }
  scanner?.feed(new Uint8Array(0), true);
}

interface Box {
  rows: number;
  cols: number;
}

/** `A1:C3`, `A:C` or `1:3` clipped to the cells present (1-based extent); null when nothing of it is left. */
export function clipRange(ref: string, box: Box): string | null {
  const m = /^(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?(?::(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?)?$/.exec(ref.trim());
  if (!m || !ref.includes(':')) return ref; // a single cell costs nothing
  const col = (letters: string | undefined, whole: number) => (letters ? columnIndex(letters.toUpperCase()) + 1 : whole);
  let [c1, c2] = [col(m[2], 1), col(m[6], WORKBOOK_LIMITS.cols)];
  let [r1, r2] = [m[4] ? Number(m[4]) : 1, m[8] ? Number(m[8]) : WORKBOOK_LIMITS.rows];
  if (c1 > c2) [c1, c2] = [c2, c1];
  if (r1 > r2) [r1, r2] = [r2, r1];
  c2 = Math.min(c2, box.cols);
  r2 = Math.min(r2, box.rows);
  if (c1 > c2 || r1 > r2) return null;
  return `${m[1]}${columnName(c1 - 1)}${m[3]}${r1}:${m[5]}${columnName(c2 - 1)}${m[7]}${r2}`;
}

const area = (ref: string) => {
  const m = /^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$/.exec(ref);
  if (!m) return 0;
  return m[3] ? (Math.abs(columnIndex(m[3]) - columnIndex(m[1])) + 1) * (Math.abs(Number(m[4]) - Number(m[2])) + 1) : 1;
};

function tooLarge(what: string, sheet: string, ref: string): WorkbookFileError {
  return new WorkbookFileError(`sheet "${sheet}" has ${what} ${ref} of ${thousands(area(ref))} cells even within the cells it uses; gradsheet reads ranges of up to ${thousands(WORKBOOK_LIMITS.rangeCells)} cells`);
}

/** Rewrites the ranged elements of one sheet's XML to the sheet's extent. */
export function clipSheetXml(xml: string, sheet: string, box: Box): string {
  const P = '(?:[A-Za-z_][\\w.-]*:)?';
  let out = xml.replace(new RegExp(`<${P}mergeCell\\b[^>]*?\\sref="([^"]*)"[^>]*?/>`, 'g'), (whole, ref: string) => {
    const clipped = clipRange(ref, box);
    if (clipped === null || !clipped.includes(':')) return '';
    if (area(clipped) > WORKBOOK_LIMITS.rangeCells) throw tooLarge('a merged range', sheet, ref);
    return whole.replace(ref, clipped);
  });
  out = out.replace(new RegExp(`(<${P}(?:dataValidation|conditionalFormatting|selection)\\b[^>]*?\\ssqref=")([^"]*)(")`, 'g'), (_w, a: string, sqref: string, z: string) => {
    const kept = sqref.split(/\s+/).filter(Boolean).map((r) => clipRange(r, box)).filter((r): r is string => r !== null);
    return `${a}${kept.length ? kept.join(' ') : 'A1'}${z}`;
  });
  out = out.replace(new RegExp(`(<${P}(?:dimension|hyperlink|autoFilter)\\b[^>]*?\\sref=")([^"]*)(")`, 'g'), (_w, a: string, ref: string, z: string) => `${a}${clipRange(ref, box) ?? 'A1'}${z}`);
  out = out.replace(new RegExp(`<${P}col\\b[^>]*?/>`, 'g'), (whole) => {
    const min = Number(/\smin="(\d+)"/.exec(whole)?.[1] ?? 1);
    const max = Number(/\smax="(\d+)"/.exec(whole)?.[1] ?? min);
    const top = Math.max(1, box.cols);
    if (min > top) return '';
    return max > top ? whole.replace(/\smax="\d+"/, ` max="${top}"`) : whole;
  });
  return out;
}

/** Defined names (workbook.xml) clipped to the extent of the sheet each names. */
function clipDefinedNames(xml: string, boxes: Map<string, Box>): string {
  return xml.replace(/(<(?:[A-Za-z_][\w.-]*:)?definedName\b[^>]*>)([^<]*)(<)/g, (_w, open: string, body: string, close: string) => {
    const clipped = body.replace(/((?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)((?:\$?[A-Za-z]{1,3})?\$?\d*(?::(?:\$?[A-Za-z]{1,3})?\$?\d*)?)/g, (whole, sheetPart: string, ref: string) => {
      const name = sheetPart.slice(0, -1).replace(/^'|'$/g, '').replace(/''/g, "'");
      const box = boxes.get(name);
      if (!box || ref === '') return whole;
      return `${sheetPart}${clipRange(ref, box) ?? '$A$1'}`;
    });
    return `${open}${clipped}${close}`;
  });
}

const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/i;

/** See the comment at the top; throws WorkbookFileError with the reason and the limit. */
export async function guardWorkbook(bytes: Uint8Array): Promise<Uint8Array> {
  const kind = fileKindProblem(bytes);
  if (kind) throw new WorkbookFileError(kind);
  if (bytes.length > WORKBOOK_LIMITS.fileBytes) {
    throw new WorkbookFileError(`the file is ${mb(bytes.length)}; gradsheet reads workbooks up to ${mb(WORKBOOK_LIMITS.fileBytes)}`);
  }
  const entries = declaredEntries(bytes);
  if (!entries) throw new WorkbookFileError('the zip archive is damaged (its table of contents cannot be read): save the workbook again from a spreadsheet');
  let total = 0;
  for (const e of entries) {
    if (e.inflated > WORKBOOK_LIMITS.partBytes) {
      throw new WorkbookFileError(`the part ${e.name} declares ${mb(e.inflated)} uncompressed; gradsheet reads parts up to ${mb(WORKBOOK_LIMITS.partBytes)}`);
    }
    total += e.inflated;
  }
  if (total > WORKBOOK_LIMITS.totalBytes) {
    throw new WorkbookFileError(`the workbook declares ${mb(total)} uncompressed; gradsheet reads workbooks up to ${mb(WORKBOOK_LIMITS.totalBytes)} uncompressed`);
  }
  const budget = { left: WORKBOOK_LIMITS.totalBytes };
  const scans = new Map<string, SheetScan>();
  let cells = 0;
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    const scanner = WORKSHEET.test(entry.name) ? new SheetScanner() : null;
    await inflateCapped(bytes, entry, budget, scanner);
    if (!scanner) continue;
    scans.set(entry.name, scanner.scan);
    cells += scanner.scan.cells;
    if (cells > WORKBOOK_LIMITS.cells) {
      throw new WorkbookFileError(`the workbook holds more than ${thousands(WORKBOOK_LIMITS.cells)} cells; gradsheet reads workbooks of up to ${thousands(WORKBOOK_LIMITS.cells)} cells`);
    }
  }
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw new WorkbookFileError('the zip archive is damaged: save the workbook again from a spreadsheet');
  }
  let parts: Awaited<ReturnType<typeof sheetParts>> | null = null;
  try {
    parts = await sheetParts(zip);
  } catch {
    parts = null; // the readers say which part is missing
  }
  const sheetName = (path: string) => parts?.sheets.find((s) => s.path === path)?.name ?? path;
  for (const [path, scan] of scans) {
    if (scan.beyond !== null) {
      throw new WorkbookFileError(`sheet "${sheetName(path)}" has a cell or row at ${scan.beyond}, beyond a spreadsheet's ${thousands(WORKBOOK_LIMITS.rows)} rows and ${thousands(WORKBOOK_LIMITS.cols)} columns`);
    }
  }
  // Clip what declares ranges: only the parts that have any are rewritten.
  const boxes = new Map<string, Box>();
  for (const [path, scan] of scans) boxes.set(sheetName(path), { rows: Math.max(1, scan.maxRow), cols: Math.max(1, scan.maxCol) });
  let changed = false;
  for (const [path, scan] of scans) {
    // Only a sheet whose ranges reach past its cells is rewritten (a gradsheet export's are all within).
    if (scan.rangeRows <= Math.max(1, scan.maxRow) && scan.rangeCols <= Math.max(1, scan.maxCol)) continue;
    const xml = await zip.file(path)!.async('string');
    const clipped = clipSheetXml(xml, sheetName(path), boxes.get(sheetName(path))!);
    if (clipped !== xml) {
      zip.file(path, clipped);
      changed = true;
    }
  }
  if (parts) {
    const wb = zip.file(parts.workbookPath);
    const xml = wb ? await wb.async('string') : '';
    if (/definedName\b/.test(xml)) {
      const clipped = clipDefinedNames(xml, boxes);
      if (clipped !== xml) {
        zip.file(parts.workbookPath, clipped);
        changed = true;
      }
    }
  }
  if (!changed) return bytes;
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 1 } });
}
