import { writeFileSync } from 'node:fs';

/** Writes a text file (UTF-8). The one place the notebook and script exports write, so a checked writer can wrap it. */
export function writeTextFile(path: string, text: string): void {
  writeFileSync(path, text, 'utf8');
}
