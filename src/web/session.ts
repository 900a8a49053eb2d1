import type { CellValue, RawCellContent } from 'hyperformula';
import { copyToNextRow, runEpochsAsync } from '../driver/driver';
import { buildLayout, isEditableColumn, type Column } from '../layout/layout';
import { loadPreset } from '../spec/presets';
import { initialParams, sampleOrder } from '../spec/resolve';
import type { LayerParams, Spec } from '../spec/types';
import { withOverrides, type SpecOverrides } from '../spec/validate';
import { buildWorkbook, type Workbook } from '../workbook/workbook';

/**
 * One network's workbook and its training, without any DOM: the page's views listen to it, tests drive it.
 * Invariant: rows 0 .. wb.rows-1 always form one training chain (each row starts from the weights the row above
 * ends with); an interrupted re-run drops the rows it did not reach rather than leave them stale.
 */

export type TrainState = 'training' | 'ready';

export interface Settings extends SpecOverrides {
  preset: string;
}

export type SessionEvent =
  | { type: 'workbook' }
  | { type: 'progress'; rows: number; epochs: number }
  | { type: 'state'; state: TrainState }
  /** A cell the user set (or an undo restored), with its new content; its row has recomputed. */
  | { type: 'changed'; epoch: number; column: Column; raw: RawCellContent };

export interface Edit {
  epoch: number;
  column: Column;
  before: RawCellContent;
  after: RawCellContent;
}


export class Session {
  readonly spec: Spec;
  readonly initial: LayerParams[];
  wb: Workbook;
  state: TrainState = 'ready';
  private stopRequested = false;
  private running: Promise<unknown> | null = null;
  private readonly history: Edit[] = [];
  private readonly listeners = new Set<(e: SessionEvent) => void>();

  constructor(spec: Spec) {
    this.spec = spec;
    this.initial = initialParams(spec);
    this.wb = this.build();
  }

  static fromSettings(settings: Settings): Session {
    const { preset, ...over } = settings;
    return new Session(withOverrides(loadPreset(preset), over));
  }

  get layout() {
    return this.wb.layout;
  }

  get rows(): number {
    return this.wb.rows;
  }

  get canUndo(): boolean {
    return this.history.length > 0;
  }

  on(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }

  private build(): Workbook {
    return buildWorkbook(buildLayout(this.spec), this.initial, sampleOrder(this.spec));
  }

  value(epoch: number, col: Column): CellValue {
    if (epoch >= this.wb.rows) return null;
    return this.wb.hf.getCellValue({ sheet: this.wb.train, row: this.layout.rowOf(epoch), col: col.index });
  }

  isEditable(col: Column): boolean {
    return isEditableColumn(col);
  }

  /** Trains from the last row to the last epoch; resolves when done or stopped. */
  train(): Promise<void> {
    return this.exclusive(() => this.runFrom(this.wb.rows - 1));
  }

  /** Adds one epoch. */
  step(): Promise<void> {
    return this.exclusive(async () => {
      if (this.wb.rows >= this.spec.epochs) return;
      copyToNextRow(this.wb, this.wb.rows - 1);
      this.emit({ type: 'progress', rows: this.wb.rows, epochs: this.spec.epochs });
    });
  }

  /** Stops training (or a re-run) at the next row boundary. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopRequested = true;
    await this.running.catch(() => undefined);
  }

  /** Back to epoch 0 with the same starting weights; edits are forgotten. */
  async reset(): Promise<void> {
    await this.stop();
    this.wb.hf.destroy();
    this.wb = this.build();
    this.history.length = 0;
    this.emit({ type: 'workbook' });
  }

  /**
   * Sets a weight, velocity, learning rate or momentum: that row recomputes at once, then the later epochs re-run
   * from it (stoppable). Throws, changing nothing, when the cell cannot be edited or the value is not a number.
   */
  async edit(epoch: number, col: Column, value: number): Promise<void> {
    if (!this.isEditable(col)) {
      throw new Error(`${col.name} is computed by a formula; edit a weight, velocity, η or μ instead`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${col.name} needs a finite number, got ${String(value)}`);
    if (epoch < 0 || epoch >= this.wb.rows) throw new Error(`epoch ${epoch} has not been computed yet (the sheet has epochs 0 to ${this.wb.rows - 1})`);
    await this.stop();
    const edit = { epoch, column: col, before: this.raw(epoch, col), after: value };
    // Recorded first, so the state reported when the re-run ends already offers the undo.
    this.history.push(edit);
    await this.apply(edit);
  }

  /** Takes back the last edit and everything computed from it. */
  async undo(): Promise<void> {
    await this.stop();
    const last = this.history.pop();
    if (!last) return;
    await this.apply({ ...last, before: last.after, after: last.before });
  }

  private raw(epoch: number, col: Column): RawCellContent {
    return this.wb.hf.getCellSerialized({ sheet: this.wb.train, row: this.layout.rowOf(epoch), col: col.index }) as RawCellContent;
  }

  private apply(edit: Edit): Promise<void> {
    return this.exclusive(async () => {
      const { hf, train } = this.wb;
      // η and μ of later rows read this row's: drop those rows first, so the change does not recompute the whole
      // sheet on the old weights only to recompute it again; the re-run adds them back.
      if (edit.column.kind === 'lr' || edit.column.kind === 'momentum') this.dropRowsAfter(edit.epoch);
      hf.setCellContents({ sheet: train, row: this.layout.rowOf(edit.epoch), col: edit.column.index }, edit.after);
      this.emit({ type: 'changed', epoch: edit.epoch, column: edit.column, raw: edit.after });
      await this.runFrom(edit.epoch);
    });
  }

  private async runFrom(epoch: number): Promise<void> {
    const last = await runEpochsAsync(this.wb, {
      from: epoch,
      shouldStop: () => this.stopRequested,
      onProgress: (p) => this.emit({ type: 'progress', rows: p.epoch + 1, epochs: p.epochs }),
    });
    // A re-run stopped early leaves rows computed from the weights before the edit: drop them.
    this.dropRowsAfter(last);
    this.emit({ type: 'progress', rows: this.wb.rows, epochs: this.spec.epochs });
  }

  private dropRowsAfter(epoch: number): void {
    const extra = this.wb.rows - (epoch + 1);
    if (extra <= 0) return;
    this.wb.hf.removeRows(this.wb.train, [this.layout.rowOf(epoch + 1), extra]);
    this.wb.rows = epoch + 1;
  }

  /** Runs one training task at a time, reporting the state. */
  private async exclusive(task: () => Promise<void>): Promise<void> {
    if (this.running) await this.stop();
    this.stopRequested = false;
    this.state = 'training';
    this.emit({ type: 'state', state: 'training' });
    const run = task();
    this.running = run;
    try {
      await run;
    } finally {
      this.running = null;
      this.stopRequested = false;
      this.state = 'ready';
      this.emit({ type: 'state', state: 'ready' });
    }
  }
}
