import JSZip from 'jszip';
import { SaxesParser } from 'saxes';
import { parseA1, shiftFormula } from './address';
import { PartError, relationships, sheetParts } from './xlsxParts';
import type { CellData, SheetData, WorkbookData } from './types';

/**
 * The fallback reader, for files exceljs cannot load (it expects Excel's own element names and document
 * properties; Hancom Cell writes prefixed elements such as <x:c>, other writers leave parts out). It reads only
 * what the check needs: sheet names, cells (values, formulas, shared formulas translated to each cell), shared
 * strings and defined names, with saxes (the XML parser exceljs itself uses) matching elements by their local name
 * whatever their prefix. A part that is missing or not XML is named in the error.
 */

export class XmlReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlReadError';
  }
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

function parseXml(xml: string, part: string, on: { open?(name: string, attrs: Record<string, string>): void; close?(name: string): void; text?(t: string): void }): void {
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => on.open?.(local(tag.name), tag.attributes as Record<string, string>));
  parser.on('closetag', (tag) => on.close?.(local(tag.name)));
  parser.on('text', (t) => on.text?.(t));
  parser.on('cdata', (t) => on.text?.(t));
  try {
    parser.write(xml).close();
  } catch (err) {
    throw new XmlReadError(`${part} is not well-formed XML (${(err as Error).message.split('\n')[0]})`);
  }
}

function sharedStrings(xml: string, part: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  let inT = false;
  let phonetic = 0;
  parseXml(xml, part, {
    open(name) {
      if (name === 'si') cur = '';
      else if (name === 't') inT = true;
      else if (name === 'rPh') phonetic++;
    },
    close(name) {
      if (name === 'si') {
        out.push(cur ?? '');
        cur = null;
      } else if (name === 't') inT = false;
      else if (name === 'rPh') phonetic--;
    },
    text(t) {
      if (inT && cur !== null && phonetic === 0) cur += t;
    },
  });
  return out;
}

const cleanFormula = (f: string) => f.replace(/_xlfn\.|_xlws\./g, '').replace(/^=/, '');

function readSheet(xml: string, name: string, part: string, strings: string[]): SheetData {
  const rows: (CellData | undefined)[][] = [];
  const masters = new Map<string, { row: number; col: number; formula: string }>();
  const merged: string[] = [];
  let rowIndex = -1;
  let colIndex = -1;
  let cell: { row: number; col: number; t: string; f: string | null; fAttrs: Record<string, string>; v: string; inline: string } | null = null;
  let textOf: 'f' | 'v' | 'is' | null = null;
  parseXml(xml, part, {
    open(tag, attrs) {
      if (tag === 'row') {
        rowIndex = attrs.r ? Number(attrs.r) - 1 : rowIndex + 1;
        colIndex = -1;
      } else if (tag === 'c') {
        const at = attrs.r ? parseA1(attrs.r) : null;
        const row = at ? at.row : rowIndex;
        const col = at ? at.col : colIndex + 1;
        rowIndex = row;
        colIndex = col;
        cell = { row, col, t: attrs.t ?? 'n', f: null, fAttrs: {}, v: '', inline: '' };
      } else if (cell && tag === 'f') {
        cell.f = '';
        cell.fAttrs = attrs;
        textOf = 'f';
      } else if (cell && tag === 'v') {
        textOf = 'v';
      } else if (cell && tag === 't') {
        textOf = 'is';
      } else if (tag === 'mergeCell' && attrs.ref) {
        merged.push(attrs.ref);
      }
    },
    close(tag) {
      if (tag === 'f' || tag === 'v' || tag === 't') textOf = null;
      if (tag !== 'c' || !cell) return;
      const c = cell;
      cell = null;
      let value: CellData['value'] = null;
      if (c.t === 's') value = strings[Number(c.v)] ?? '';
      else if (c.t === 'inlineStr') value = c.inline;
      else if (c.t === 'str') value = c.v;
      else if (c.t === 'b') value = c.v === '1' || c.v.toLowerCase() === 'true';
      else if (c.t === 'e') value = { error: c.v };
      else if (c.v.trim() !== '') value = Number(c.v);
      let formula: string | undefined;
      if (c.f !== null) {
        const si = c.fAttrs.si;
        if (c.fAttrs.t === 'shared' && si !== undefined) {
          if (c.f.trim() !== '') {
            masters.set(si, { row: c.row, col: c.col, formula: cleanFormula(c.f) });
            formula = cleanFormula(c.f);
          } else {
            const m = masters.get(si);
            if (m) formula = shiftFormula(m.formula, name, c.row - m.row, c.col - m.col);
          }
        } else if (c.f.trim() !== '') {
          formula = cleanFormula(c.f);
        }
      }
      if (value === null && formula === undefined) return;
      (rows[c.row] ??= [])[c.col] = formula === undefined ? { value } : { value, formula };
    },
    text(t) {
      if (!cell || textOf === null) return;
      if (textOf === 'f') cell.f += t;
      else if (textOf === 'v') cell.v += t;
      else cell.inline += t;
    },
  });
  // Cells covered by a merge (not its top-left cell) are not part of the sheet, as in exceljs.
  for (const ref of merged) {
    const [a, b] = ref.split(':').map((x) => parseA1(x));
    if (!a || !b) continue;
    for (let r = a.row; r <= b.row; r++) for (let c = a.col; c <= b.col; c++) if ((r !== a.row || c !== a.col) && rows[r]) rows[r][c] = undefined;
  }
  return { name, rows };
}

export async function readXlsxXml(bytes: Uint8Array): Promise<WorkbookData> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw new XmlReadError('not an XLSX file: it is not a zip archive');
  }
  try {
    const { workbookPath, workbookXml, sheets } = await sheetParts(zip);
    if (sheets.length === 0) throw new XmlReadError(`${workbookPath} lists no worksheets`);
    const rels = await relationships(zip, workbookPath);
    const sst = [...rels.values()].find((r) => /sharedStrings$/.test(r.type));
    const strings = sst && zip.file(sst.path) ? sharedStrings(await zip.file(sst.path)!.async('string'), sst.path) : [];
    const names: WorkbookData['names'] = [];
    let dn: { name: string; text: string; hidden: boolean } | null = null;
    parseXml(workbookXml, workbookPath, {
      open(tag, attrs) {
        if (tag === 'definedName') dn = { name: attrs.name ?? '', text: '', hidden: attrs.localSheetId !== undefined };
      },
      close(tag) {
        if (tag === 'definedName' && dn) {
          if (dn.name && !dn.name.startsWith('_xlnm.') && !dn.text.includes(',')) names.push({ name: dn.name, ref: dn.text.trim() });
          dn = null;
        }
      },
      text(t) {
        if (dn) dn.text += t;
      },
    });
    const out: SheetData[] = [];
    for (const s of sheets) {
      const file = zip.file(s.path);
      if (!file) throw new XmlReadError(`${s.path} (sheet "${s.name}") is missing from the file`);
      out.push(readSheet(await file.async('string'), s.name, s.path, strings));
    }
    return { sheets: out, names, notes: [] };
  } catch (err) {
    if (err instanceof PartError) throw new XmlReadError(`not a readable XLSX file: ${err.message}`);
    throw err;
  }
}

