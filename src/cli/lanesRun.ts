import { writeTextSafely } from '../io/safeWrite';
import { lanesLossCsv } from '../export/csv';
import type { Flavour } from '../export/xlsx';
import { writeLanesXlsxFile } from '../export/xlsxFile';
import { trainLanes } from '../lanes/lanes';
import { tableEpochs } from '../lanes/rates';
import type { Spec } from '../spec/types';

/**
 * `--lanes 0.1,0.2,…`: the learning-rate comparison. Prints the epoch loss of every lane (in sample mode the mean
 * of the step losses) at the course's iterations (0, 1, 2, 5, 10, 20, 50) and the last epoch; writes the
 * comparison workbook (--out) and loss CSV (--loss-csv).
 * Returns whether any lane diverged.
 */
export async function runLanes(spec: Spec, lrs: number[], out: { xlsx?: string; lossCsv?: string; flavour: Flavour; version: string }, log: (line: string) => void): Promise<boolean> {
  const started = performance.now();
  const lanes = trainLanes(spec, lrs, (lane, i) =>
    process.stderr.write(`lane ${i + 1}/${lrs.length}: η = ${lane.lr}${lane.error ? `, diverged: ${lane.error}` : ''}\n`));
  process.stderr.write(`trained ${lanes.length} lanes in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
  const lossName = lanes[0].wb.layout.epochLossColumn.name;
  const width = 16;
  log(`${lossName} by learning rate, from the same starting weights`);
  log(['epoch'.padEnd(7), ...lanes.map((l) => `η = ${l.lr}`.padStart(width))].join(''));
  for (const epoch of tableEpochs(spec.epochs)) {
    log([String(epoch).padEnd(7), ...lanes.map((l) => (epoch < l.losses.length ? l.losses[epoch].toFixed(10) : 'diverged').padStart(width))].join(''));
  }
  if (out.lossCsv) {
    await writeTextSafely(out.lossCsv, lanesLossCsv(lossName, lanes));
    process.stderr.write(`wrote ${out.lossCsv}\n`);
  }
  if (out.xlsx) {
    await writeLanesXlsxFile(lanes.map((l) => ({ lr: l.lr, source: l.wb })), out.xlsx, { flavour: out.flavour, version: out.version });
    process.stderr.write(`wrote ${out.xlsx}\n`);
  }
  return lanes.some((l) => l.error !== null);
}
