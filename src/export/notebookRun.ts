import type { CellValue } from 'hyperformula';
import type { Column, Layout } from '../layout/layout';
import type { HyperName } from '../model/optimizers';
import { unflattenParams } from '../spec/resolve';
import type { LayerParams, Spec } from '../spec/types';

/**
 * A trained sheet as the notebook export needs it: everything read from the sheet's cells, so the settings and
 * weights a user edited go along (epoch 0's as the notebook's starting point, later ones as edits it replays).
 */

/** The per-row settings (η, μ, β1 …) by their PyTorch names (Layout.settingColumns). */
export type RunSettings = Partial<Record<HyperName, number>>;

/** What the user set in a row after epoch 0: the notebook applies it at the start of that epoch. */
export interface RunChange {
  epoch: number;
  /** The settings that differ from the row above's. */
  settings?: RunSettings;
  /** Every weight (run-file order) when any differs from the new weights of the row above. */
  weights?: number[];
  /**
   * Every optimizer state (Layout.velocityColumns order) when any differs from the row above's new states, or when
   * μ changed (PyTorch keeps no momentum buffer up to date while μ is 0).
   */
  velocities?: number[];
}

export interface NotebookRun {
  spec: Spec;
  /** Epochs in the sheet (fewer than spec.epochs when training was stopped). */
  epochs: number;
  /** Epoch 0's value of every per-row setting. */
  settings: RunSettings;
  /** Epoch 0's weights. */
  initial: LayerParams[];
  /** Epoch 0's optimizer states (Layout.velocityColumns order); null when there are none or all are the optimizer's own start (Layout.initialState). */
  initialVelocities: number[] | null;
  /** Sample mode: the sample of every step, 0-based, one array per epoch; null in full batch. */
  order: number[][] | null;
  changes: RunChange[];
  /** The sheet's loss of each epoch (Layout.lossColumn: the loss the log prints). */
  losses: number[];
  /** The weights after the last update (run-file order). */
  final: number[];
}

/** The cells of a sheet: the engine's workbook (CLI, worker) or the page's copy of its values. */
export interface SheetValues {
  layout: Layout;
  rows: number;
  value(epoch: number, col: Column): CellValue;
}

export function notebookRunOf(sheet: SheetValues): NotebookRun {
  const { layout, rows } = sheet;
  const { spec } = layout;
  if (rows < 1) throw new Error('the sheet has no epochs yet');
  const num = (epoch: number, col: Column): number => {
    const v = sheet.value(epoch, col);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${col.name} of epoch ${epoch} is not a number`);
    return v;
  };
  const row = (epoch: number, cols: Column[]) => cols.map((c) => num(epoch, c));
  const same = (a: number[], b: number[]) => a.every((x, i) => Object.is(x, b[i]));
  const { settingColumns, weightColumns, velocityColumns, nextWeightColumns, nextVelocityColumns } = layout;
  const settingsAt = (epoch: number): RunSettings =>
    Object.fromEntries(settingColumns.map(({ column }) => [column.hyper!, num(epoch, column)]));

  const velocities0 = velocityColumns ? row(0, velocityColumns) : null;
  const changes: RunChange[] = [];
  for (let e = 1; e < rows; e++) {
    const change: RunChange = { epoch: e };
    const before = settingsAt(e - 1);
    const edited = Object.entries(settingsAt(e)).filter(([k, v]) => !Object.is(v, before[k as HyperName]));
    if (edited.length) change.settings = Object.fromEntries(edited);
    const weights = row(e, weightColumns);
    if (!same(weights, row(e - 1, nextWeightColumns))) change.weights = weights;
    if (velocityColumns && nextVelocityColumns) {
      const v = row(e, velocityColumns);
      // With μ changed the optimizer's buffers are set from the sheet too (PyTorch keeps none while μ is 0).
      if (change.settings?.momentum !== undefined || !same(v, row(e - 1, nextVelocityColumns))) change.velocities = v;
    }
    if (Object.keys(change).length > 1) changes.push(change);
  }
  return {
    spec,
    epochs: rows,
    settings: settingsAt(0),
    initial: unflattenParams(row(0, weightColumns), spec.model.layers, spec.model.bias),
    initialVelocities: velocities0 && !same(velocities0, layout.initialState!) ? velocities0 : null,
    order: spec.batch === 'sample'
      ? Array.from({ length: rows }, (_, e) => layout.sampleColumns.map((c) => num(e, c) - 1))
      : null,
    changes,
    losses: Array.from({ length: rows }, (_, e) => num(e, layout.lossColumn)),
    final: row(rows - 1, nextWeightColumns),
  };
}
