import { closeSync, createWriteStream, existsSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';

/**
 * Every file gradsheet writes goes through here: the bytes go to a temporary file beside the target
 * (`.name.gradsheet-PID-N.tmp`), which is fsynced and renamed over the target only once complete. On an error or
 * SIGINT/SIGTERM the temporary file is removed and the file that was there before is left as it was; two runs
 * writing one path each rename a complete file, so the last one wins and neither leaves a corrupt one.
 */

export class WriteError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`cannot write ${path}: ${reason}`);
    this.name = 'WriteError';
  }
}

/** A system error code as a person would say it. */
export function reasonOf(err: unknown, path: string): string {
  if (err instanceof WriteError) return err.reason;
  // A writer's own refusal, worded for people (src/export/excelLimits.ts).
  if (err instanceof Error && err.name === 'XlsxLimitError') return err.message;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return existsSync(dirname(path)) ? `the folder ${dirname(path)} does not take new files` : `the folder ${dirname(path)} does not exist`;
    case 'ENOTDIR': return `${dirname(path)} is not a folder`;
    case 'EACCES': case 'EPERM': return `permission denied (the folder ${dirname(path)} or the file is not writable)`;
    case 'EROFS': return 'the disk is read-only';
    case 'EISDIR': return 'it is a folder';
    case 'ENOSPC': return 'the disk is full';
    case 'EDQUOT': return 'the disk quota is used up';
    case 'EFBIG': return 'the file is larger than this system allows';
    case 'ENAMETOOLONG': return 'the file name is too long';
    case 'EMFILE': case 'ENFILE': return 'too many files are open';
    case 'EIO': return 'an input/output error of the disk';
    default:
      if (code) return `the system refused (${code})`;
      return `the writer failed (an internal error${process.env.GRADSHEET_DEBUG ? `: ${(err as Error)?.stack}` : '; set GRADSHEET_DEBUG=1 to see it'})`;
  }
}

let counter = 0;
const tempOf = (path: string) => join(dirname(path), `.${basename(path)}.gradsheet-${process.pid}-${++counter}.tmp`);

/** Temporary files being written, removed on a signal. */
const active = new Map<string, string>();
let handlersInstalled = false;

function onSignal(signal: NodeJS.Signals): void {
  for (const [temp, target] of active) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    process.stderr.write(`\ncannot write ${target}: interrupted (${signal}); the file that was there before is unchanged\n`);
  }
  active.clear();
  process.exit(4);
}

function track(temp: string, target: string): void {
  if (!handlersInstalled) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    handlersInstalled = true;
  }
  active.set(temp, target);
}

function untrack(temp: string): void {
  active.delete(temp);
  if (active.size === 0 && handlersInstalled) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    handlersInstalled = false;
  }
}

/**
 * Checks that `path` can be written, before any long work: its folder exists and takes a new file, and the path is
 * not a folder. Throws WriteError.
 */
export function checkWritable(path: string): void {
  try {
    if (statSync(path).isDirectory()) throw new WriteError(path, 'it is a folder');
  } catch (err) {
    if (err instanceof WriteError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new WriteError(path, reasonOf(err, path));
  }
  const probe = tempOf(path);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (err) {
    throw new WriteError(path, reasonOf(err, path));
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or already gone
  }
}

/**
 * Writes `path` atomically: `write` gets a stream to the temporary file and must end it (or resolve once what it
 * piped into it has ended). Rejects with WriteError on any error of the stream or of `write`, at once: a writer
 * still running when the stream failed is abandoned (its later rejection is swallowed).
 */
export async function writeFileSafely(path: string, write: (stream: Writable) => Promise<void> | void): Promise<void> {
  try {
    if (statSync(path).isDirectory()) throw new WriteError(path, 'it is a folder');
  } catch (err) {
    if (err instanceof WriteError) throw err;
  }
  const temp = tempOf(path);
  const stream: WriteStream = createWriteStream(temp, { flags: 'wx' });
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  track(temp, path);
  try {
    await new Promise<void>((resolve, reject) => {
      let wrote = false;
      let finished = false;
      const done = () => wrote && finished && resolve();
      // `on`, not `once`: a second error (a write after the first failed) must not go unheard and crash the run.
      stream.on('error', reject);
      stream.once('close', () => {
        finished = true;
        if (!stream.errored) done();
      });
      Promise.resolve()
        .then(() => write(stream))
        .then(() => {
          wrote = true;
          if (!stream.writableEnded) stream.end();
          done();
        }, (err: unknown) => {
          stream.destroy();
          reject(err);
        });
    });
    const fd = openSync(temp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    try {
      // The rename itself is durable once the folder is synced (not every file system allows opening one).
      const dir = openSync(dirname(path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // a file system without directory fsync
    }
  } catch (err) {
    // The file may still be opening: removed once the stream has let go of it (bounded, so nothing hangs here).
    stream.destroy();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    removeQuietly(temp);
    throw err instanceof WriteError ? err : new WriteError(path, reasonOf(err, path));
  } finally {
    untrack(temp);
  }
}

/** A whole text or byte buffer, written atomically. */
export function writeTextSafely(path: string, data: string | Uint8Array): Promise<void> {
  return writeFileSafely(path, (stream) => new Promise<void>((resolve, reject) => {
    stream.end(data, (err?: Error | null) => (err ? reject(err) : resolve()));
  }));
}
