/**
 * Writes sheets/maps/example-block-layout.xlsx, the non-classic example the map sheets/maps/example-check-map.json
 * describes: `npx tsx tests/support/makeExampleWorkbook.ts [OUT.xlsx]`. tests/checkWorkbook.test.ts checks the
 * committed file with that map.
 */
import { writeBlockSheet } from './handmadeSheets';

const out = process.argv[2] ?? 'sheets/maps/example-block-layout.xlsx';
await writeBlockSheet(out);
process.stdout.write(`wrote ${out}\n`);
