import type { RemoteSession } from '../engine/remoteSession';
import { node } from './dom';
import { createLossChart, type LossChart, type LossSeries } from './lossChart';

/**
 * The loss panel: the chart of the epoch's loss (L̄ in single-sample mode), the curve from before the last edit
 * drawn faintly, and each step's loss a click away.
 */

export interface LossPanel {
  readonly chart: LossChart;
  /** What the chart draws now (read by the script interface). */
  readonly series: LossSeries[];
  /** Draws the session's losses; `before`: the curve from before the last edit, or null. */
  draw(session: RemoteSession, before: number[] | null): void;
}

export function createLossPanel(box: HTMLElement, on: { pick(epoch: number): void; changed(): void }): LossPanel {
  const title = node('p', 'panel-title', 'loss by epoch (click a point to see its row)');
  const toggle = document.createElement('input');
  toggle.type = 'checkbox';
  toggle.name = 'step-losses';
  toggle.addEventListener('change', () => on.changed());
  const label = node('label', 'chart-steps');
  label.title = 'The chart plots each epoch\'s mean loss over its steps; tick to add the loss of each single-sample step (the CLI log prints the last one, as the course notebook does)';
  label.append(toggle, ' each step\'s loss');
  const area = node('div', 'chart-area');
  area.setAttribute('role', 'img');
  area.setAttribute('aria-label', 'loss chart; its numbers: "Show the data as a table" below');
  // The chart's numbers for those who cannot see it (or want them): a table, drawn only when asked for.
  const tableBox = document.createElement('details');
  tableBox.className = 'chart-table';
  const tableTitle = document.createElement('summary');
  tableTitle.textContent = 'Show the data as a table';
  tableTitle.title = 'The loss of each epoch (every epoch up to 60, else 60 evenly spaced and the last) as a table';
  tableBox.append(tableTitle);
  box.append(title, label, area, tableBox);
  const fillTable = () => {
    if (!tableBox.open) return;
    const main = series[0];
    if (!main) return;
    const n = main.losses.length;
    const every = Math.max(1, Math.ceil(n / 60));
    const epochs = Array.from({ length: n }, (_, e) => e).filter((e) => e % every === 0 || e === n - 1);
    const table = document.createElement('table');
    table.className = 'watch-table';
    const cap = table.createCaption();
    cap.textContent = `${main.label} by epoch${every > 1 ? ` (every ${every}th epoch and the last)` : ''}`;
    const head = table.createTHead().insertRow();
    for (const h of ['epoch', ...series.map((x) => x.label)]) head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: h }));
    const body = table.createTBody();
    for (const e of epochs) {
      const tr = body.insertRow();
      tr.append(Object.assign(document.createElement('th'), { scope: 'row', textContent: String(e) }));
      for (const x of series) tr.insertCell().textContent = e < x.losses.length ? String(x.losses[e]) : '';
    }
    tableBox.querySelector('table')?.remove();
    tableBox.append(table);
  };
  tableBox.addEventListener('toggle', fillTable);
  const chart = createLossChart(area, { onPick: (epoch) => on.pick(epoch) });
  window.addEventListener('resize', () => chart.resize());
  let series: LossSeries[] = [];
  return {
    chart,
    get series() {
      return series;
    },
    draw(session, before) {
      const { layout } = session;
      const hasSteps = layout.epochLossColumn.kind === 'epoch-loss';
      label.hidden = !hasSteps;
      const steps = hasSteps && toggle.checked
        ? session.stepLosses().map((losses, k) => ({ label: layout.stepLossColumns[k].name, losses }))
        : [];
      series = [
        { label: layout.epochLossColumn.name, losses: session.losses() },
        ...(before ? [{ label: 'before the edit', losses: before, faint: true }] : []),
        ...steps,
      ];
      chart.setSeries(series);
      fillTable();
    },
  };
}
