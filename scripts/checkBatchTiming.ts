/**
 * Times `npm run check-workbook -- DIR` on a class of N workbooks (default 100): copies of the real workbooks in
 * ../shared/workbooks, made in a temporary folder that is deleted afterwards.
 *   npx tsx scripts/checkBatchTiming.ts [N]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = fileURLToPath(new URL('../../shared/workbooks/', import.meta.url));
if (!existsSync(shared)) {
  process.stderr.write(`${shared} is absent: nothing to time\n`);
  process.exit(1);
}
const n = Number(process.argv[2] ?? 100);
const books = readdirSync(shared).filter((f) => f.endsWith('.xlsx')).sort();
const dir = mkdtempSync(join(tmpdir(), 'gradsheet-class-'));
try {
  for (let i = 0; i < n; i++) copyFileSync(join(shared, books[i % books.length]), join(dir, `student-${String(i).padStart(3, '0')}-${books[i % books.length]}`));
  const t0 = performance.now();
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'src/cli/checkWorkbook.ts'), dir], { cwd: root, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  const lines = r.stdout.trimEnd().split('\n');
  process.stdout.write(`${lines.at(-1)}\nexit code ${r.status}; ${n} workbooks checked in ${seconds.toFixed(1)} s (the whole CLI process)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
