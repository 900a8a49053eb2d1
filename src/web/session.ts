import type { CellValue, RawCellContent } from 'hyperformula';
import { copyToNextRow, DivergenceError, runEpochsAsync } from '../driver/driver';
import { buildLayout, isEditableColumn, type Column } from '../layout/layout';
import { loadPreset } from '../spec/presets';
import { initialParams, sampleOrder } from '../spec/resolve';
import type { LayerParams, Spec } from '../spec/types';
import { withOverrides, type SpecOverrides } from '../spec/validate';
import { buildWorkbook, type Workbook } from '../workbook/workbook';
import { retuneWorkbook, sameFormulas } from '../workbook/retune';
import { checkEditable, checkFormula, EditRefused, parseEditInput } from './editRules';

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
  /** `reached`: how many epochs the running work has computed (a re-run rewrites rows the sheet already has). */
  | { type: 'progress'; rows: number; epochs: number; reached?: number }
  | { type: 'state'; state: TrainState }
  /** A cell the user set (or an undo restored), with its new content; its row has recomputed. */
  | { type: 'changed'; epoch: number; column: Column; raw: RawCellContent }
  /** The cells the user set that are still in effect changed (see Session.overrides). */
  | { type: 'overrides' }
  /** The page's XLSX export: rows written of `total`; `zipping` once all are (RemoteSession only). */
  | { type: 'export'; done: number; total: number; zipping: boolean }
  /** Training stopped at `epoch` on a value that is not a finite number; rows up to it stay. */
  | { type: 'diverged'; message: string; epoch: number; column: Column | null };

/**
 * A cell the user set that is still in effect, by epoch and column name: replaying these on the spec
 * (Session.replay) rebuilds the same sheet. A re-run overwrites the weights and velocities of the rows after an
 * edit, and an η or μ edit drops the rows after it, so those cells leave the list.
 */
export interface CellOverride {
  epoch: number;
  column: string;
  raw: number | string;
}

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
  /** The cells the user set that are still in effect, by `epoch,column index`. */
  private readonly set = new Map<string, { epoch: number; column: Column; raw: number | string }>();
  private readonly listeners = new Set<(e: SessionEvent) => void>();

  /**
   * `reuse`: the workbook of a session being replaced (see takeOver); when its formulas are this spec's, its rows
   * are kept and re-run with the new settings instead of built again.
   */
  constructor(spec: Spec, reuse?: Workbook) {
    this.spec = spec;
    this.initial = initialParams(spec);
    const layout = reuse ? buildLayout(spec) : null;
    this.wb = reuse && layout && sameFormulas(reuse.layout, layout)
      ? retuneWorkbook(reuse, layout, this.initial, sampleOrder(spec))
      : this.build();
    if (reuse && this.wb !== reuse) reuse.hf.destroy();
  }

  /**
   * The workbook a new session for other settings may take over (the caller stops this one first): only when no
   * cell the user set is in effect, so the sheet holds the layout's formulas and the driver's numbers. Else null.
   */
  handOver(): Workbook | null {
    return this.running || this.set.size > 0 ? null : this.wb;
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

  /** The cells the user set that are still in effect, by epoch then column. */
  overrides(): CellOverride[] {
    return [...this.set.values()]
      .sort((a, b) => a.epoch - b.epoch || a.column.index - b.column.index)
      .map((o) => ({ epoch: o.epoch, column: o.column.name, raw: o.raw }));
  }

  /**
   * Trains from the last row to the last epoch; resolves when done or stopped. When a value stops being a finite
   * number it emits 'diverged', keeps the rows up to that epoch and rejects with the DivergenceError.
   */
  train(): Promise<void> {
    return this.exclusive(() => this.runFrom(this.wb.rows - 1));
  }

  /** Adds one epoch. */
  step(): Promise<void> {
    return this.exclusive(async () => {
      if (this.wb.rows >= this.spec.epochs) return;
      try {
        copyToNextRow(this.wb, this.wb.rows - 1);
      } catch (err) {
        this.diverged(err);
        throw err;
      }
      this.emit({ type: 'progress', rows: this.wb.rows, epochs: this.spec.epochs });
    });
  }

  /**
   * Rebuilds a saved sheet: grows the chain row by row, setting each saved cell when its row is reached (as the
   * user's edits left it), then trains to the last epoch. The cells are checked first as edits are; a cell that
   * cannot be set rejects with EditRefused naming it. The restored cells can be undone, latest epoch first.
   */
  replay(cells: CellOverride[]): Promise<void> {
    const list = cells.map((c, i) => {
      const column = this.layout.columns.find((col) => col.name === c.column);
      const where = `saved edit ${i + 1} (epoch ${c.epoch}, ${c.column})`;
      if (!column) throw new EditRefused(`${where}: ${this.spec.name} has no column named "${c.column}"`);
      if (!Number.isInteger(c.epoch) || c.epoch < 0 || c.epoch >= this.spec.epochs) {
        throw new EditRefused(`${where}: the sheet has epochs 0 to ${this.spec.epochs - 1}`);
      }
      try {
        checkEditable(this.layout, column);
        parseEditInput(column, c.raw);
      } catch (err) {
        throw new EditRefused(`${where}: ${(err as Error).message}`);
      }
      return { epoch: c.epoch, column, raw: c.raw };
    }).sort((a, b) => a.epoch - b.epoch || a.column.index - b.column.index);
    return this.exclusive(async () => {
      for (const c of list) {
        if (this.wb.rows <= c.epoch) await this.runFrom(this.wb.rows - 1, c.epoch + 1);
        if (this.wb.rows <= c.epoch) return; // stopped
        const input = parseEditInput(c.column, c.raw);
        const after = input.kind === 'number' ? input.value : input.text;
        if (input.kind === 'formula') {
          try {
            checkFormula(this.wb, c.epoch, c.column, input.text);
          } catch (err) {
            throw new EditRefused(`saved edit (epoch ${c.epoch}, ${c.column.name}): ${(err as Error).message}`);
          }
        }
        const before = this.raw(c.epoch, c.column);
        this.wb.hf.setCellContents(this.address(c.epoch, c.column), after);
        this.history.push({ epoch: c.epoch, column: c.column, before, after });
        this.record(c.epoch, c.column, after);
        this.emit({ type: 'changed', epoch: c.epoch, column: c.column, raw: after });
      }
      await this.runFrom(this.wb.rows - 1);
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
    this.set.clear();
    this.emit({ type: 'workbook' });
    this.emit({ type: 'overrides' });
  }

  /**
   * Sets a weight, velocity, learning rate or momentum to a number, or to a formula whose value is a finite number
   * (text is read as a number when it is one): that row recomputes at once, then the later epochs re-run from it
   * (stoppable). Rejects with EditRefused, changing nothing in the workbook and leaving training running, when the
   * cell is computed, the value is not a finite number (text, an error, NaN, Infinity, empty) or the formula gives
   * one, reads a later epoch, or would be a circular reference (see editRules.ts).
   */
  async edit(epoch: number, col: Column, value: number | string): Promise<void> {
    checkEditable(this.layout, col);
    const input = parseEditInput(col, value);
    this.checkEpoch(epoch);
    // Checked at once (the check is synchronous, so a training slice cannot run in between), and again after the
    // stop when something was running, since a re-run may have changed the row.
    if (input.kind === 'formula') checkFormula(this.wb, epoch, col, input.text);
    const wasRunning = this.running !== null;
    await this.stop();
    this.checkEpoch(epoch);
    if (input.kind === 'formula' && wasRunning) checkFormula(this.wb, epoch, col, input.text);
    const edit = { epoch, column: col, before: this.raw(epoch, col), after: input.kind === 'number' ? input.value : input.text };
    // Recorded first, so the state reported when the re-run ends already offers the undo.
    this.history.push(edit);
    await this.apply(edit);
  }

  private checkEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch >= this.wb.rows) {
      throw new EditRefused(`epoch ${epoch} has not been computed yet (the sheet has epochs 0 to ${this.wb.rows - 1})`);
    }
  }

  /** Takes back the last edit and everything computed from it. */
  async undo(): Promise<void> {
    await this.stop();
    const last = this.history.pop();
    if (!last) return;
    await this.apply({ ...last, before: last.after, after: last.before });
  }

  private address(epoch: number, col: Column) {
    return { sheet: this.wb.train, row: this.layout.rowOf(epoch), col: col.index };
  }

  private raw(epoch: number, col: Column): RawCellContent {
    return this.wb.hf.getCellSerialized(this.address(epoch, col)) as RawCellContent;
  }

  private apply(edit: Edit): Promise<void> {
    return this.exclusive(async () => {
      const { hf } = this.wb;
      // η and μ of later rows read this row's: drop those rows first, so the change does not recompute the whole
      // sheet on the old weights only to recompute it again; the re-run adds them back.
      if (edit.column.kind === 'lr' || edit.column.kind === 'momentum' || edit.column.kind === 'hyper') this.dropRowsAfter(edit.epoch);
      const at = this.address(edit.epoch, edit.column);
      hf.setCellContents(at, edit.after);
      // Checked before it got here; should the cell still not hold a finite number, it is taken back.
      const v = hf.getCellValue(at);
      let refused: EditRefused | null = null;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        hf.setCellContents(at, edit.before);
        const i = this.history.lastIndexOf(edit);
        if (i >= 0) this.history.splice(i, 1);
        refused = new EditRefused(`${edit.column.name} of epoch ${edit.epoch} would not hold a finite number; it keeps its value`);
      } else {
        this.record(edit.epoch, edit.column, edit.after as number | string);
        this.emit({ type: 'changed', epoch: edit.epoch, column: edit.column, raw: edit.after });
      }
      await this.runFrom(edit.epoch);
      if (refused) throw refused;
    });
  }

  /** Notes a cell the user set; the re-run it starts overwrites (or drops) the cells it makes stale. */
  private record(epoch: number, column: Column, raw: number | string): void {
    const dropsRows = column.kind === 'lr' || column.kind === 'momentum' || column.kind === 'hyper';
    for (const [k, o] of this.set) {
      if (o.epoch > epoch && (dropsRows || o.column.kind === 'weight' || o.column.kind === 'velocity')) this.set.delete(k);
    }
    this.set.set(`${epoch},${column.index}`, { epoch, column, raw });
    this.emit({ type: 'overrides' });
  }

  /** Fills the rows after `epoch` up to the last epoch (or until the sheet has `untilRows` rows). */
  private async runFrom(epoch: number, untilRows = Infinity): Promise<void> {
    let last: number;
    try {
      last = await runEpochsAsync(this.wb, {
        from: epoch,
        shouldStop: () => this.stopRequested || this.wb.rows >= untilRows,
        onProgress: (p) => this.emit({ type: 'progress', rows: p.epoch + 1, epochs: p.epochs }),
      });
    } catch (err) {
      this.diverged(err);
      throw err;
    }
    // A re-run stopped early leaves rows computed from the weights before the edit: drop them.
    this.dropRowsAfter(last);
    this.emit({ type: 'progress', rows: this.wb.rows, epochs: this.spec.epochs });
  }

  /** Training hit a value that is not a finite number: keep the rows up to that epoch (one chain) and say so. */
  private diverged(err: unknown): void {
    if (!(err instanceof DivergenceError)) return;
    const epoch = Math.min(Math.max(0, err.epoch), this.wb.rows - 1);
    this.dropRowsAfter(epoch);
    this.emit({ type: 'progress', rows: this.wb.rows, epochs: this.spec.epochs });
    const column = (err as { column?: unknown }).column;
    this.emit({ type: 'diverged', message: err.message, epoch, column: column && typeof column === 'object' && 'index' in column ? column as Column : null });
  }

  private dropRowsAfter(epoch: number): void {
    // Rows kept from earlier settings (Workbook.built) go too: the sheet stays one chain.
    const extra = this.wb.built - (epoch + 1);
    if (extra <= 0) return;
    this.wb.hf.removeRows(this.wb.train, [this.layout.rowOf(epoch + 1), extra]);
    this.wb.rows = Math.min(this.wb.rows, epoch + 1);
    this.wb.built = epoch + 1;
    let dropped = false;
    for (const [k, o] of this.set) {
      if (o.epoch > epoch) {
        this.set.delete(k);
        dropped = true;
      }
    }
    if (dropped) this.emit({ type: 'overrides' });
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
