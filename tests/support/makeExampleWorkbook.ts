/**
 * Writes the example workbooks of the README's "Checking a backprop workbook":
 *   npx tsx tests/support/makeExampleWorkbook.ts [OUT.xlsx]            sheets/maps/example-block-layout.xlsx, the
 *       non-classic example that sheets/maps/example-check-map.json maps (tests/checkWorkbook.test.ts checks it);
 *   npx tsx tests/support/makeExampleWorkbook.ts --faulty OUT.xlsx     a hand-made classic sheet with three classic
 *       mistakes: ∂E/∂w1 reads a_h2·(1 − a_h2), ∂E/∂w5 lacks σ′, the update of w3 adds η·∂E/∂w3.
 */
import { CLASSIC_FORMULAS, writeBlockSheet, writeClassicSheet } from './handmadeSheets';

const args = process.argv.slice(2);
if (args[0] === '--faulty') {
  const out = args[1] ?? 'faulty-backprop.xlsx';
  await writeClassicSheet(out, {
    formulas: {
      '∂E/∂w1': CLASSIC_FORMULAS['∂E/∂w1'].replace('a_h1*(1-a_h1)', 'a_h2*(1-a_h2)'),
      '∂E/∂w5': '=(a_o1-t1)*a_h1',
    },
    update: { w3: '=w3@prev+$B$2*∂E/∂w3@prev' },
  });
  process.stdout.write(`wrote ${out}\n`);
} else {
  const out = args[0] ?? 'sheets/maps/example-block-layout.xlsx';
  await writeBlockSheet(out);
  process.stdout.write(`wrote ${out}\n`);
}
