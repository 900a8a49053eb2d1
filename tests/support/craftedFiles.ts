import JSZip from 'jszip';
import { deflateRawSync } from 'node:zlib';

/**
 * Crafted workbooks for the safety tests, made at test time (no binaries in the repository): a minimal XLSX whose
 * sheets' XML the test writes, and zips whose declared sizes lie.
 */

export interface CraftedSheet {
  name: string;
  /** Before <sheetData>: <dimension>, <cols>. */
  head?: string;
  /** The <row> elements. */
  rows: string;
  /** After </sheetData>: <mergeCells>, <dataValidations>. */
  tail?: string;
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export function sheetXml(s: CraftedSheet): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}" xmlns:r="${R}">${s.head ?? ''}<sheetData>${s.rows}</sheetData>${s.tail ?? ''}</worksheet>`;
}

/** A row of cells: `row(1, ['A1', 1], ['B1', '=A1*2'])`; text values are inline strings. */
export function row(r: number, ...cells: [string, number | string][]): string {
  const c = cells.map(([ref, v]) => (typeof v === 'number' ? `<c r="${ref}"><v>${v}</v></c>`
    : v.startsWith('=') ? `<c r="${ref}"><f>${v.slice(1).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</f></c>`
      : `<c r="${ref}" t="inlineStr"><is><t>${v}</t></is></c>`)).join('');
  return `<row r="${r}">${c}</row>`;
}

export async function craftXlsx(sheets: CraftedSheet[], options: { definedNames?: string; parts?: Record<string, string> } = {}): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
    `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
    sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
    `</Types>`);
  zip.file('_rels/.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    `<Relationship Id="rId1" Type="${R}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
  zip.file('xl/workbook.xml', `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${R}"><sheets>` +
    sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
    `</sheets>${options.definedNames ? `<definedNames>${options.definedNames}</definedNames>` : ''}</workbook>`);
  zip.file('xl/_rels/workbook.xml.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${R}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') + `</Relationships>`);
  sheets.forEach((s, i) => zip.file(`xl/worksheets/sheet${i + 1}.xml`, sheetXml(s)));
  for (const [path, text] of Object.entries(options.parts ?? {})) zip.file(path, text);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

/**
 * A zip with one part of `inflatedMb` MB of spaces (deflated ~1000:1), written by hand: its local and central
 * headers declare `declaredBytes` as the inflated size (the truth, or a lie).
 */
export function whitespaceBomb(inflatedMb: number, declaredBytes?: number): Uint8Array {
  const chunk = Buffer.alloc(2 ** 20, 0x20);
  // Deflating n MB of one byte: each 1 MB compresses to ~1 KB; one deflate of the whole is too slow to build, so
  // the stream is made of one compressed megabyte repeated (non-final blocks), then an empty final block.
  const one = deflateRawSync(chunk, { finishFlush: 2 /* Z_SYNC_FLUSH */, level: 9 });
  const end = Buffer.from([0x03, 0x00]); // a final, empty fixed-Huffman block
  const data = Buffer.concat([...Array.from({ length: inflatedMb }, () => one), end]);
  const size = declaredBytes ?? inflatedMb * 2 ** 20;
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(0, 14); // crc (not checked before inflating)
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(Math.min(size, 0xffffffff), 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(Math.min(size, 0xffffffff), 24);
  central.writeUInt16LE(name.length, 28);
  const cdOffset = local.length + name.length + data.length;
  const cd = Buffer.concat([central, name]);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return new Uint8Array(Buffer.concat([local, name, data, cd, eocd]));
}

/** The first bytes of a compound file (CFB/OLE2) with a directory entry name, as an encrypted workbook or an .xls. */
export function compoundFile(streamName: string): Uint8Array {
  const b = Buffer.alloc(2048);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b, 0);
  Buffer.from(streamName, 'utf16le').copy(b, 1024);
  return new Uint8Array(b);
}
