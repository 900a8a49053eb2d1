import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Text from a file (a spec's name, a sheet's name) as it may reach a terminal: escape sequences (colours, cursor
 * moves, window titles) removed, other control characters shown as U+FFFD, so a name cannot rewrite the screen.
 */
export function printable(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '\ufffd');
}

/** Whether the module at `url` is the script node was started with (so a CLI can be imported by tests too). */
export function isMainModule(url: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(url));
  } catch {
    return false;
  }
}
