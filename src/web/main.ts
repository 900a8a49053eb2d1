import { epochLosses, runEpochsAsync } from '../driver/driver';
import { buildLayout } from '../layout/layout';
import { PRESET_NAMES, loadPreset } from '../spec/presets';
import { initialParams, parameterCount, sampleOrder } from '../spec/resolve';
import { buildWorkbook, formulaAt, namedFormula, numberAt, type Workbook } from '../workbook/workbook';

/** A first page: pick a preset, train it in the formula engine, read any epoch's row cell by cell. */

const app = document.getElementById('app')!;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

const presetSelect = el('select', {}, ...PRESET_NAMES.map((n) => el('option', { value: n, textContent: n })));
const trainButton = el('button', { textContent: 'Train' });
const progress = el('progress', { max: 1, value: 0 });
const status = el('span');
const epochInput = el('input', { type: 'number', min: '0', value: '0' });
const summary = el('p');
const log = el('pre');
const rowTable = el('table');
app.append(
  el('div', { className: 'controls' }, 'Preset ', presetSelect, trainButton, progress, status),
  summary, log,
  el('div', { className: 'controls' }, 'Show the row of epoch ', epochInput),
  rowTable,
);

let wb: Workbook | null = null;

function showRow(): void {
  if (!wb) return;
  const { layout } = wb;
  const epoch = Math.min(Math.max(0, Number(epochInput.value) || 0), layout.spec.epochs - 1);
  rowTable.replaceChildren(
    el('tr', {}, ...['cell', 'name', 'formula', 'with names', 'value'].map((h) => el('th', { textContent: h }))),
    ...layout.columns.map((col) => el('tr', {},
      el('td', { textContent: `${col.letter}${layout.rowOf(epoch) + 1}` }),
      el('td', { textContent: col.name }),
      el('td', { className: 'formula', textContent: formulaAt(layout, col, epoch) ?? '(number)' }),
      el('td', { className: 'formula', textContent: namedFormula(col) ?? '' }),
      el('td', { className: 'num', textContent: String(numberAt(wb!, epoch, col)) }),
    )),
  );
}

async function train(): Promise<void> {
  trainButton.disabled = true;
  wb?.hf.destroy();
  const spec = loadPreset(presetSelect.value);
  const layout = buildLayout(spec);
  status.textContent = 'building…';
  await new Promise((r) => setTimeout(r, 0));
  const started = performance.now();
  wb = buildWorkbook(layout, initialParams(spec), sampleOrder(spec));
  summary.textContent = `${spec.description} ${parameterCount(spec.model.layers, spec.model.bias)} parameters, ` +
    `${layout.columns.length} cells a row × ${spec.epochs} rows.`;
  await runEpochsAsync(wb, {
    onProgress: (p) => {
      progress.value = (p.epoch + 1) / p.epochs;
      status.textContent = `epoch ${p.epoch + 1}/${p.epochs}`;
    },
  });
  status.textContent = `trained in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  const losses = epochLosses(wb);
  log.textContent = losses
    .map((l, e) => (e % 50 === 0 || e === losses.length - 1 ? `Epoch: ${e}\tLoss: ${l.toFixed(10)}` : ''))
    .filter(Boolean).join('\n');
  epochInput.max = String(spec.epochs - 1);
  showRow();
  trainButton.disabled = false;
}

trainButton.addEventListener('click', () => void train());
epochInput.addEventListener('change', showRow);
presetSelect.value = 'end2-backprop-2-2-2';
void train();
