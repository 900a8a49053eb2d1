import { checkWritable, WriteError } from './safeWrite';
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The flags of the CLIs that name a file, read or written. Any two naming one file is a usage error before anything
 * runs (`check-workbook book.xlsx --json book.xlsx` would replace the student's workbook with the report). A new
 * file flag is one entry here.
 */
export const FILE_FLAGS = {
  spec: 'read',
  map: 'read',
  out: 'write',
  json: 'write',
  csv: 'write',
  'loss-csv': 'write',
  'rows-csv': 'write',
  fix: 'write',
  notebook: 'write',
  script: 'write',
} as const satisfies Record<string, 'read' | 'write'>;

export type FileFlag = keyof typeof FILE_FLAGS;

/** The flags of FILE_FLAGS that write. */
export const OUTPUT_FLAGS = (Object.keys(FILE_FLAGS) as FileFlag[]).filter((f) => FILE_FLAGS[f] === 'write');

/** The file a path names after resolving links: the existing file's real path, or its real folder and its name. */
export function fileIdentity(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

export interface NamedFile {
  /** How the user named it: `--json`, or `the workbook` for a positional input. */
  what: string;
  path: string;
  /** A positional input (the workbooks checked): `--json PATH is one of <what>`. */
  input?: boolean;
}

/**
 * The first two entries naming one file, as a sentence for a usage error, or null. `flags` holds the parsed flags
 * (only those in FILE_FLAGS are looked at); `inputs` the positional files.
 */
export function sameFileClash(flags: Record<string, unknown>, inputs: NamedFile[] = []): string | null {
  const named: NamedFile[] = [...inputs];
  for (const flag of Object.keys(FILE_FLAGS)) {
    const v = flags[flag];
    if (typeof v === 'string') named.push({ what: `--${flag}`, path: v });
  }
  const seen = new Map<string, NamedFile>();
  for (const n of named) {
    const id = fileIdentity(n.path);
    const before = seen.get(id);
    if (before?.input && n.input) continue; // a workbook named twice is checked twice, harmlessly
    if (before?.input) return `${n.what} ${n.path} is one of ${before.what}: it would be overwritten; choose another file name`;
    if (before) {
      const same = before.path === n.path ? `"${n.path}"` : `one file ("${before.path}" and "${n.path}")`;
      return `${before.what} and ${n.what} both name ${same}: one would overwrite the other; give each its own file name`;
    }
    seen.set(id, n);
  }
  return null;
}

/** The first output flag whose file could not be written (its folder missing, not writable …), checked before any long work. */
export function unwritableOutput(flags: Record<string, unknown>): WriteError | null {
  for (const flag of OUTPUT_FLAGS) {
    if (flags[flag] === undefined) continue;
    try {
      checkWritable(String(flags[flag]));
    } catch (err) {
      if (err instanceof WriteError) return err;
      throw err;
    }
  }
  return null;
}
