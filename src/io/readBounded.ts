import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads a file the user named, with a size cap and from regular files only: `--spec /dev/zero` would grow without
 * end, and a FIFO with no writer would block the open for ever (opened non-blocking, then refused by fstat).
 */

export class ReadError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`cannot read ${path}: ${reason}`);
    this.name = 'ReadError';
  }
}

/** Specs, run files and maps: as the page's limit (src/web/limits.ts SPEC_FILE_MAX_BYTES). */
export const TEXT_FILE_MAX_BYTES = 16 * 2 ** 20;

const mb = (n: number) => `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 2 : 0)} MB`;

function openReason(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    case 'ENXIO': return 'it is a socket or a device, not a file';
    case 'ELOOP': return 'too many levels of links';
    case 'ENAMETOOLONG': return 'the file name is too long';
    case 'EISDIR': return 'it is a folder, not a file';
    default: return `the system refused (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

/** The bytes of the regular file `path`, at most `max` of them; `what` names the kind in the message ("spec files"). */
export function readFileBounded(path: string, max: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ReadError(path, openReason(err));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ReadError(path, 'it is a folder, not a file');
    if (st.isFIFO()) throw new ReadError(path, 'it is a pipe (FIFO), not a file; save what it would send to a file and give that');
    if (st.isCharacterDevice() || st.isBlockDevice()) throw new ReadError(path, 'it is a device, not a file');
    if (st.isSocket()) throw new ReadError(path, 'it is a socket, not a file');
    if (!st.isFile()) throw new ReadError(path, 'it is not a regular file');
    if (st.size > max) throw new ReadError(path, `it is ${mb(st.size)}; gradsheet reads ${what} up to ${mb(max)}`);
    // The size can change under us (a file still being written, /proc): read at most max + 1 bytes and check again.
    let buf = Buffer.allocUnsafe(Math.min(max + 1, st.size + 1));
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (buf.length > max) break;
        const bigger = Buffer.allocUnsafe(Math.min(max + 1, buf.length * 2 + 65_536));
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buf, got, buf.length - got, null);
      } catch (err) {
        throw new ReadError(path, `an input/output error (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (n === 0) break;
      got += n;
    }
    if (got > max) throw new ReadError(path, `it is over ${mb(max)}; gradsheet reads ${what} up to ${mb(max)}`);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** A text file (UTF-8) with the cap; see readFileBounded. */
export function readTextBounded(path: string, max: number, what: string): string {
  return readFileBounded(path, max, what).toString('utf8');
}
