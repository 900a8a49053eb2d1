import type JSZip from 'jszip';

/**
 * Where an XLSX keeps its workbook part and each sheet's part: read from [Content_Types].xml's or the root
 * relationships' workbook, then its sheets and their relationships. Element names may carry any namespace prefix
 * (Hancom Cell writes <x:sheet>), so the patterns allow one.
 */

export interface SheetPart {
  name: string;
  path: string;
}

export class PartError extends Error {
  constructor(readonly part: string, why: string) {
    super(`${part}: ${why}`);
    this.name = 'PartError';
  }
}

const P = '(?:[A-Za-z_][\\w.-]*:)?';
const attr = (tag: string, name: string) => new RegExp(`\\s${P}${name}="([^"]*)"`).exec(tag)?.[1];
export const unescapeXml = (s: string) =>
  s.replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function resolvePath(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

async function text(zip: JSZip, path: string): Promise<string> {
  const f = zip.file(path);
  if (!f) throw new PartError(path, 'missing from the file');
  return f.async('string');
}

/** The relationships of a part: id → resolved path. */
export async function relationships(zip: JSZip, part: string): Promise<Map<string, { path: string; type: string }>> {
  const dir = part.split('/').slice(0, -1).join('/');
  const relsPath = `${dir ? `${dir}/` : ''}_rels/${part.split('/').pop()}.rels`;
  const out = new Map<string, { path: string; type: string }>();
  if (!zip.file(relsPath)) return out;
  const xml = await text(zip, relsPath);
  for (const m of xml.matchAll(new RegExp(`<${P}Relationship\\b[^>]*>`, 'g'))) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target && attr(m[0], 'TargetMode') !== 'External') out.set(id, { path: resolvePath(part, unescapeXml(target)), type: attr(m[0], 'Type') ?? '' });
  }
  return out;
}

export async function sheetParts(zip: JSZip): Promise<{ workbookPath: string; workbookXml: string; sheets: SheetPart[] }> {
  const root = await relationships(zip, '');
  const main = [...root.values()].find((r) => /officeDocument$/.test(r.type));
  const workbookPath = main?.path ?? 'xl/workbook.xml';
  const workbookXml = await text(zip, workbookPath);
  const rels = await relationships(zip, workbookPath);
  const sheets: SheetPart[] = [];
  for (const m of workbookXml.matchAll(new RegExp(`<${P}sheet\\b[^>]*>`, 'g'))) {
    const name = attr(m[0], 'name');
    const id = attr(m[0], 'id');
    const rel = id ? rels.get(id) : undefined;
    // Chart sheets have no cells to check.
    if (name === undefined || !rel || /chartsheet$/.test(rel.type)) continue;
    sheets.push({ name: unescapeXml(name), path: rel.path });
  }
  return { workbookPath, workbookXml, sheets };
}
