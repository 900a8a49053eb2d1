import { ReadError, readFileBounded, readTextBounded, TEXT_FILE_MAX_BYTES } from '../io/readBounded';
import { WORKBOOK_FILE_MAX_BYTES } from './workbookGuard';
import { basename } from 'node:path';
import { checkWorkbookBytes, type CheckOptions } from './check';
import { parseMapText } from './mapFile';
import { UnreadableError } from './load';
import type { CheckReport } from './types';

/** Node only: reads the workbook (and map) from disk and checks it. The rest of src/check/ runs in the page too. */
export async function checkWorkbookFile(path: string, options: Omit<CheckOptions, 'fileName' | 'map'> & { mapPath?: string } = {}): Promise<CheckReport> {
  let bytes: Uint8Array;
  try {
    bytes = readFileBounded(path, WORKBOOK_FILE_MAX_BYTES, 'workbooks');
  } catch (err) {
    if (err instanceof ReadError) throw new UnreadableError(err.message);
    throw err;
  }
  let map: unknown;
  if (options.mapPath !== undefined) {
    let text: string;
    try {
      text = readTextBounded(options.mapPath, TEXT_FILE_MAX_BYTES, 'map files');
    } catch (err) {
      if (err instanceof ReadError) throw new UnreadableError(`cannot read the map ${options.mapPath}: ${err.reason}`);
      throw err;
    }
    map = parseMapText(text, basename(options.mapPath));
  }
  const { mapPath: _mapPath, ...rest } = options;
  return checkWorkbookBytes(bytes, { ...rest, fileName: basename(path), ...(map !== undefined ? { map } : {}) });
}
