import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/**
 * LibreOffice headless as the independent spreadsheet that recomputes exported files. It recalculates an .xlsx on
 * load only when its profile says so (Calc ▸ Formula ▸ Load: OOXMLRecalcMode = 0, "always"), so every call runs
 * with a profile of its own that sets it.
 */

const PROFILE_SETTINGS = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`;

/** CSV in UTF-8 with full values, not "as shown" in the cells' number formats (9th token false). */
const CSV_FILTER = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false';

function profile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradsheet-lo-'));
  mkdirSync(join(dir, 'user'), { recursive: true });
  writeFileSync(join(dir, 'user', 'registrymodifications.xcu'), PROFILE_SETTINGS);
  return dir;
}

/** Opens `file` in LibreOffice (recomputing every formula) and saves it as `format`; returns the new file's path. */
export function recalcWithLibreOffice(file: string, format: 'csv' | 'xlsx'): string {
  const out = mkdtempSync(join(tmpdir(), 'gradsheet-lo-out-'));
  const r = spawnSync('soffice', [
    `-env:UserInstallation=file://${profile()}`, '--headless', '--norestore', '--convert-to', format === 'csv' ? CSV_FILTER : format,
    '--outdir', out, file,
  ], { encoding: 'utf8', timeout: 20 * 60_000 });
  const converted = join(out, basename(file).replace(/\.xlsx$/, `.${format}`));
  if (r.status !== 0) throw new Error(`soffice failed (${r.status}): ${r.stderr}`);
  return converted;
}

/** The first sheet's values from LibreOffice's CSV (numbers with 15 significant digits), as numbers where they are. */
export function readCsvNumbers(path: string): (number | string)[][] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((line) =>
    line.split(',').map((cell) => {
      const t = cell.replace(/^"|"$/g, '');
      const n = Number(t);
      return t !== '' && Number.isFinite(n) ? n : t;
    }));
}
