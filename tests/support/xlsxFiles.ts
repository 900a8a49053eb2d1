import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';

export function tempPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'gradsheet-xlsx-')), name);
}

/** Rewrites the cached value (or the number) of one cell of the first sheet, straight in the file's XML. */
export async function setCellValueInFile(path: string, address: string, value: number): Promise<void> {
  const zip = await JSZip.loadAsync(readFileSync(path));
  const part = 'xl/worksheets/sheet1.xml';
  const xml = await zip.file(part)!.async('string');
  const cell = new RegExp(`(<c r="${address}"[^>]*>(?:<f>[^<]*</f>)?<v>)([^<]*)(</v>)`);
  if (!cell.test(xml)) throw new Error(`no cell ${address} with a value in ${path}`);
  zip.file(part, xml.replace(cell, `$1${value}$3`));
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}

/** Every part of an XLSX file as text, for comparing two files' content (not docProps/core.xml: its dates). */
export async function xlsxParts(path: string): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(readFileSync(path));
  const out: Record<string, string> = {};
  for (const name of Object.keys(zip.files).sort()) {
    if (!zip.files[name].dir && name !== 'docProps/core.xml') out[name] = await zip.files[name].async('string');
  }
  return out;
}
