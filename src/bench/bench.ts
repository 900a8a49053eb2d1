import { runEpochs } from '../driver/driver';
import { buildLayout } from '../layout/layout';
import { trainReference } from '../reference/trainer';
import { loadPreset } from '../spec/presets';
import { initialParams, sampleOrder } from '../spec/resolve';
import { buildWorkbook } from '../workbook/workbook';

/**
 * npm run bench: the formula-engine training of end2-xor-44 against the plain float64 reference trainer,
 * in the same process, as ratios. Figures are medians over --runs (default 3).
 */

const args = process.argv.slice(2);
const runsFlag = args.indexOf('--runs');
const RUNS = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 3;
const PRESET = 'end2-xor-44';

const gc = (globalThis as { gc?: () => void }).gc;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mb = (x: number) => `${(x / 2 ** 20).toFixed(0)} MB`;

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const out = f();
  return [out, performance.now() - t];
}

const spec = loadPreset(PRESET);
const initial = initialParams(spec);
const order = sampleOrder(spec);

const reference: number[] = [];
const build: number[] = [];
const train: number[] = [];
const heap: number[] = [];
for (let run = 0; run < RUNS; run++) {
  reference.push(time(() => trainReference(spec, initial, order))[1]);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const layout = buildLayout(spec);
  const [wb, tBuild] = time(() => buildWorkbook(layout, initial, order));
  build.push(tBuild);
  train.push(time(() => runEpochs(wb))[1]);
  gc?.();
  heap.push(process.memoryUsage().heapUsed - before);
  wb.hf.destroy();
  process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
}

const cells = buildLayout(spec).columns.length * spec.epochs;
const tRef = median(reference);
const tTotal = median(build.map((b, i) => b + train[i]));
console.log(`gradsheet bench: ${PRESET}, ${spec.epochs} epochs, ${cells} cells, median of ${RUNS} runs${gc ? '' : ' (no --expose-gc: heap figures include garbage)'}`);
console.log(`  reference trainer (plain float64)   ${ms(tRef)}`);
console.log(`  HyperFormula build                   ${ms(median(build))}`);
console.log(`  driver, ${spec.epochs} epochs             ${ms(median(train))}  (${ms(median(train) / spec.epochs)} an epoch)`);
console.log(`  build + train                        ${ms(tTotal)}`);
console.log(`  workbook heap (after GC)             ${mb(median(heap))}  (${(median(heap) / cells).toFixed(0)} B a cell)`);
console.log(`  ratio gradsheet / reference          ${(tTotal / tRef).toFixed(0)}x`);
