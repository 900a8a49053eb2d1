import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { checkWorkbookBytes, type CheckOptions } from './check';
import { parseMapText } from './mapFile';
import { UnreadableError } from './load';
import type { CheckReport } from './types';

/** Node only: reads the workbook (and map) from disk and checks it. The rest of src/check/ runs in the page too. */
export async function checkWorkbookFile(path: string, options: Omit<CheckOptions, 'fileName' | 'map'> & { mapPath?: string } = {}): Promise<CheckReport> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UnreadableError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let map: unknown;
  if (options.mapPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.mapPath, 'utf8');
    } catch (err) {
      throw new UnreadableError(`cannot read the map ${options.mapPath}: ${(err as Error).message}`);
    }
    map = parseMapText(text, basename(options.mapPath));
  }
  const { mapPath: _mapPath, ...rest } = options;
  return checkWorkbookBytes(bytes, { ...rest, fileName: basename(path), ...(map !== undefined ? { map } : {}) });
}
