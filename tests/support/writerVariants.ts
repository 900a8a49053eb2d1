import { readFileSync, writeFileSync } from 'node:fs';
import JSZip from 'jszip';

/**
 * Turns an XLSX written by exceljs into what other spreadsheet programs write, part by part, as seen in real files:
 *   hancom:       every element of the workbook, sheet, style, shared-string and app-properties parts with a namespace
 *                 prefix (<x:c>, <ap:Company>);
 *   google:       no docProps parts (no document properties) and cached values cut to 10 significant digits;
 *   libreoffice:  no shared formulas (each cell its own formula) and cached values cut to 15 significant digits.
 */

export type Writer = 'hancom' | 'google' | 'libreoffice';

const MAIN_PARTS = /^xl\/(workbook\.xml|sharedStrings\.xml|styles\.xml|worksheets\/[^/]+\.xml)$/;

function prefixed(xml: string): string {
  return xml
    .replace(/<(\/?)([A-Za-z][\w.-]*)(?=[\s/>])/g, (m, slash: string, name: string) => (name.includes(':') ? m : `<${slash}x:${name}`))
    .replace(/\sxmlns="(http:\/\/schemas\.openxmlformats\.org\/spreadsheetml\/2006\/main)"/, ' xmlns:x="$1"');
}

const cut = (digits: number) => (xml: string) => xml.replace(/<v>(-?[0-9.]+(?:[eE][-+]?\d+)?)<\/v>/g, (_m, v: string) => `<v>${Number(Number(v).toPrecision(digits))}</v>`);

export async function asWriter(path: string, writer: Writer, out = path): Promise<void> {
  const zip = await JSZip.loadAsync(readFileSync(path));
  for (const name of Object.keys(zip.files)) {
    const file = zip.file(name);
    if (!file) continue;
    let xml = await file.async('string');
    if (writer === 'hancom' && MAIN_PARTS.test(name)) xml = prefixed(xml);
    if (writer === 'hancom' && name === 'docProps/app.xml') {
      xml = xml.replace(/<(\/?)([A-Za-z][\w.-]*)(?=[\s/>])/g, (m, slash: string, el: string) => (el.includes(':') ? m : `<${slash}ap:${el}`))
        .replace(/\sxmlns="([^"]*extended-properties)"/, ' xmlns:ap="$1"');
    }
    if (writer === 'google' && /^xl\/worksheets\//.test(name)) xml = cut(10)(xml);
    if (writer === 'libreoffice' && /^xl\/worksheets\//.test(name)) xml = cut(15)(xml);
    zip.file(name, xml);
  }
  if (writer === 'google') {
    for (const name of Object.keys(zip.files)) if (name.startsWith('docProps/')) zip.remove(name);
    const rels = await zip.file('_rels/.rels')!.async('string');
    zip.file('_rels/.rels', rels.replace(/<Relationship[^>]*docProps[^>]*\/>/g, ''));
    const types = await zip.file('[Content_Types].xml')!.async('string');
    zip.file('[Content_Types].xml', types.replace(/<Override[^>]*docProps[^>]*\/>/g, ''));
  }
  writeFileSync(out, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}
