import JSZip from 'jszip';
import { columnIndex, shiftFormula } from './address';
import { sheetParts } from './xlsxParts';
import type { FixFormula } from './types';

/**
 * `--fix`: a copy of the workbook with each fixed gradient column's cells given the correct formula (the first
 * row's, filled down), their saved values dropped and the workbook set to recalculate on load. The file's XML is
 * edited in place rather than re-saved through exceljs, which would drop the charts, images and styles exceljs does
 * not model; only the <c> elements of the replaced cells change.
 */

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

export interface SheetFix extends FixFormula {
  sheet: string;
}

/** Rewrites one sheet's XML: `cells` maps an address (Z33) to its new formula. */
export function rewriteSheetXml(xml: string, sheet: string, cells: Map<string, string>): string {
  // Shared formulas whose master is replaced: their other cells get their own formula, translated from the master.
  const cellRe = /<((?:[A-Za-z_][\w.-]*:)?)c\b([^>]*?)(\/>|>([\s\S]*?)<\/\1c>)/g;
  const masters = new Map<string, { address: string; formula: string }>();
  for (const m of xml.matchAll(cellRe)) {
    const r = /\br="([A-Z]+\d+)"/.exec(m[2])?.[1];
    const f = m[4] ? /<(?:[\w.-]+:)?f\b([^>]*)>([\s\S]*?)<\/(?:[\w.-]+:)?f>/.exec(m[4]) : null;
    if (!r || !f) continue;
    const si = /\bsi="(\d+)"/.exec(f[1])?.[1];
    if (si !== undefined && /\bt="shared"/.test(f[1]) && f[2].trim() !== '') masters.set(si, { address: r, formula: unescapeXml(f[2]) });
  }
  const replacedMasters = new Set([...masters].filter(([, v]) => cells.has(v.address)).map(([si]) => si));
  return xml.replace(cellRe, (whole, prefix: string, attrs: string, _end: string, inner: string | undefined) => {
    const r = /\br="([A-Z]+\d+)"/.exec(attrs)?.[1];
    if (!r) return whole;
    const keep = attrs.replace(/\s+t="[^"]*"/, '');
    const formula = cells.get(r);
    if (formula !== undefined) return `<${prefix}c${keep}><${prefix}f>${escapeXml(formula)}</${prefix}f></${prefix}c>`;
    const f = inner ? /<(?:[\w.-]+:)?f\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?f>)/.exec(inner) : null;
    const si = f ? /\bsi="(\d+)"/.exec(f[1])?.[1] : undefined;
    if (!f || si === undefined || !replacedMasters.has(si)) return whole;
    const master = masters.get(si)!;
    const [, mc, mr] = /^([A-Z]+)(\d+)$/.exec(master.address)!;
    const [, cc, cr] = /^([A-Z]+)(\d+)$/.exec(r)!;
    const own = shiftFormula(master.formula, sheet, Number(cr) - Number(mr), columnIndex(cc) - columnIndex(mc));
    return whole.replace(f[0], `<${prefix}f>${escapeXml(own)}</${prefix}f>`);
  });
}

/** Sets full recalculation on load in workbook.xml (adding <calcPr> when there is none). */
export function recalcOnLoad(workbookXml: string): string {
  const calc = /<((?:[\w.-]+:)?)calcPr\b([^>]*?)\/?>/;
  const m = calc.exec(workbookXml);
  if (m) {
    const attrs = /fullCalcOnLoad=/.test(m[2]) ? m[2].replace(/fullCalcOnLoad="[^"]*"/, 'fullCalcOnLoad="1"') : `${m[2]} fullCalcOnLoad="1"`;
    return workbookXml.replace(m[0], `<${m[1]}calcPr${attrs}/>`);
  }
  const end = /<\/((?:[\w.-]+:)?)workbook>/.exec(workbookXml);
  return end ? workbookXml.replace(end[0], `<${end[1]}calcPr fullCalcOnLoad="1"/>${end[0]}`) : workbookXml;
}

export async function fixedWorkbookBytes(bytes: Uint8Array, fixes: SheetFix[]): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(bytes);
  const parts = await sheetParts(zip);
  const bySheet = new Map<string, Map<string, string>>();
  for (const fx of fixes) {
    const cells = bySheet.get(fx.sheet) ?? bySheet.set(fx.sheet, new Map()).get(fx.sheet)!;
    const [, col, row0] = /^([A-Z]+)(\d+)$/.exec(fx.address)!;
    for (const r of fx.rows) cells.set(`${col}${r}`, shiftFormula(fx.formula, fx.sheet, r - Number(row0), 0));
  }
  for (const [sheet, cells] of bySheet) {
    const part = parts.sheets.find((s) => s.name === sheet)?.path;
    const file = part ? zip.file(part) : null;
    if (!file) throw new Error(`the workbook has no part for sheet "${sheet}"`);
    zip.file(part!, rewriteSheetXml(await file.async('string'), sheet, cells));
  }
  const wb = zip.file(parts.workbookPath);
  if (wb) zip.file(parts.workbookPath, recalcOnLoad(await wb.async('string')));
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}
