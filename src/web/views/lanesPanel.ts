import { COURSE_LEARNING_RATES, parseLearningRates, tableEpochs } from '../../lanes/rates';
import type { Spec } from '../../spec/types';
import type { LaneReply } from '../engine/protocol';
import { labelled } from './controls';
import { createLossChart } from './lossChart';

/**
 * The learning-rate comparison: the current network trained once per learning rate from the same starting
 * weights (in the engine worker, one workbook per lane), drawn as overlaid loss curves with the course's table.
 */

export interface LanesHandlers {
  defaults(): Spec;
  run(lrs: number[], epochs: number): Promise<LaneReply[]>;
  /** Writes the comparison workbook (a sheet per lane and a Compare sheet) and offers it as a download. */
  xlsx(lrs: number[], epochs: number): Promise<void>;
}

export function defaultLearningRates(spec: Spec): number[] {
  if (spec.name === 'end2-backprop-2-2-2') return COURSE_LEARNING_RATES;
  const lr = spec.optimizer.lr;
  return [lr / 4, lr / 2, lr, lr * 2].map((x) => Number(x.toPrecision(3)));
}

export function createLanesPanel(container: HTMLElement, handlers: LanesHandlers) {
  const box = document.createElement('section');
  box.className = 'panel lanes-panel';
  const title = document.createElement('p');
  title.className = 'panel-title';
  title.textContent = 'compare learning rates (same starting weights)';
  const form = document.createElement('div');
  form.className = 'lanes-form';
  const lrsInput = Object.assign(document.createElement('input'), { type: 'text', name: 'lanes', size: 26 });
  lrsInput.setAttribute('aria-label', 'learning rates, comma separated');
  lrsInput.title = 'The learning rates to compare, separated by commas; each trains the same network from the same starting weights';
  const epochsInput = Object.assign(document.createElement('input'), { type: 'number', name: 'lane-epochs', min: '1', step: '1' });
  epochsInput.setAttribute('aria-label', 'epochs per lane');
  epochsInput.title = 'How many epochs each learning rate trains';
  const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Compare' });
  button.className = 'lanes-run';
  button.title = 'Train one lane per learning rate and draw their loss curves together';
  const status = document.createElement('span');
  status.className = 'lanes-status';

  const xlsxButton = Object.assign(document.createElement('button'), { type: 'button', textContent: 'XLSX of the lanes', disabled: true });
  xlsxButton.className = 'lanes-xlsx';
  xlsxButton.title = 'One sheet per learning rate and a Compare sheet of formulas over their losses';
  form.append(labelled('η', lrsInput), labelled('epochs', epochsInput), button, xlsxButton, status);
  let compared: { lrs: number[]; epochs: number } | null = null;
  const chartArea = document.createElement('div');
  chartArea.className = 'chart-area lanes-chart';
  const table = document.createElement('table');
  table.className = 'lanes-table';
  box.append(title, form, chartArea, table);
  container.append(box);
  const chart = createLossChart(chartArea, { onPick: () => undefined, height: 220 });
  window.addEventListener('resize', () => chart.resize());

  const fill = () => {
    const spec = handlers.defaults();
    lrsInput.value = defaultLearningRates(spec).join(', ');
    epochsInput.value = String(Math.min(spec.epochs, 200));
  };

  function showTable(lanes: LaneReply[], epochs: number): void {
    const row = (cells: string[], head = false) => {
      const tr = document.createElement('tr');
      for (const c of cells) tr.append(Object.assign(document.createElement(head ? 'th' : 'td'), { textContent: c }));
      return tr;
    };
    table.replaceChildren(row(['epoch', ...lanes.map((l) => `η = ${l.lr}`)], true));
    for (const e of tableEpochs(epochs)) {
      table.append(row([String(e), ...lanes.map((l) => (e < l.losses.length ? l.losses[e].toFixed(10) : 'diverged'))]));
    }
  }

  async function run(): Promise<LaneReply[]> {
    let lrs: number[];
    const epochs = Number(epochsInput.value);
    try {
      lrs = parseLearningRates(lrsInput.value);
      if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a whole number of at least 1, got "${epochsInput.value}"`);
    } catch (err) {
      status.textContent = (err as Error).message;
      status.classList.add('error');
      throw err;
    }
    status.classList.remove('error');
    status.textContent = `training ${lrs.length} lanes…`;
    button.disabled = true;
    try {
      const lanes = await handlers.run(lrs, epochs);
      chart.setSeries(lanes.map((l) => ({ label: `η = ${l.lr}`, losses: l.losses })));
      showTable(lanes, epochs);
      compared = { lrs, epochs };
      xlsxButton.disabled = false;
      const diverged = lanes.filter((l) => l.error);
      status.textContent = `${lanes.length} lanes, ${epochs} epochs each` + (diverged.length ? `; diverged: ${diverged.map((l) => `η = ${l.lr} (${l.error})`).join('; ')}` : '');
      return lanes;
    } catch (err) {
      status.textContent = (err as Error).message;
      status.classList.add('error');
      throw err;
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener('click', () => void run().catch(() => undefined));
  xlsxButton.addEventListener('click', () => {
    if (!compared) return;
    xlsxButton.disabled = true;
    status.textContent = 'writing the workbook…';
    handlers.xlsx(compared.lrs, compared.epochs).then(
      () => { status.textContent = 'wrote the lanes workbook'; },
      (err: Error) => { status.textContent = err.message; status.classList.add('error'); },
    ).finally(() => { xlsxButton.disabled = false; });
  });
  return { fill, run };
}
