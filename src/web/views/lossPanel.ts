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
  const title = node('h3', 'panel-title', 'loss by epoch (click a point to see its row)');
  const toggle = document.createElement('input');
  toggle.type = 'checkbox';
  toggle.name = 'step-losses';
  toggle.addEventListener('change', () => on.changed());
  const label = node('label', 'chart-steps');
  label.title = 'The chart plots each epoch\'s mean loss over its steps; tick to add the loss of each single-sample step (the CLI log prints the last one, as the course notebook does)';
  label.append(toggle, ' each step\'s loss');
  const area = node('div', 'chart-area');
  box.append(title, label, area);
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
    },
  };
}
