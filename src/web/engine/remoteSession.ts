import type { CellValue, RawCellContent } from 'hyperformula';
import type { Flavour } from '../../export/xlsx';
import { buildLayout, isEditableColumn, type Column, type Layout } from '../../layout/layout';
import type { Spec } from '../../spec/types';
import { rowTemplates } from '../../workbook/formulas';
import type { CellOverride, SessionEvent, TrainState } from '../session';
import type { CellAt, FromWorker, GradCheckReply, LaneReply, Request } from './protocol';

/**
 * The page's side of the engine worker. It keeps a copy of every computed value (the worker sends rows as they
 * are computed), so the grid, charts and formula bar read synchronously; everything that changes the workbook is
 * a message to the worker, where the HyperFormula workbook lives.
 */

export interface EngineConnection {
  request(req: Request, transfer?: Transferable[]): Promise<unknown>;
  onEvent(listener: (e: FromWorker & { kind: 'event' }) => void): () => void;
}

/** One worker for the page's lifetime; each new network replaces the workbook inside it. */
export function connectEngine(): EngineConnection {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners: ((e: FromWorker & { kind: 'event' }) => void)[] = [];
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.kind === 'event') {
      for (const l of listeners) l(m);
      return;
    }
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.result);
    else {
      const err = new Error(m.error);
      if (m.name) err.name = m.name;
      p?.reject(err);
    }
  };
  return {
    request(req, transfer = []) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, ...req }, transfer);
      });
    },
    onEvent(l) {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
  };
}

const key = (epoch: number, col: number) => `${epoch},${col}`;

export class RemoteSession {
  readonly layout: Layout;
  state: TrainState = 'ready';
  canUndo = false;
  rows = 0;
  /** The cells the user set that are still in effect, as the worker last reported them. */
  overrides: CellOverride[] = [];
  private values: Float64Array[] = [];
  /** Cells that hold something other than a number (an error, an empty cell), by epoch then column. */
  private readonly special = new Map<number, Map<number, CellValue>>();
  private readonly setCells = new Map<string, RawCellContent>();
  private readonly templates;
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private detach: () => void = () => undefined;
  /** The cells of the last single row received that changed (an edited row), by column index. */
  private rowDiff: { epoch: number; cols: number[] } | null = null;
  /** Rows received since the last takeChangedRows(), as [from, to). */
  private changed: [number, number] | null = null;

  private constructor(readonly spec: Spec, private readonly engine: EngineConnection) {
    this.layout = buildLayout(spec);
    this.templates = rowTemplates(this.layout);
  }

  /** Builds the workbook for `spec` in the worker (replacing the previous one) and mirrors it. */
  static async create(engine: EngineConnection, spec: Spec, previous: RemoteSession | null): Promise<RemoteSession> {
    previous?.detach();
    const session = new RemoteSession(spec, engine);
    session.detach = engine.onEvent((e) => session.receive(e));
    await engine.request({ type: 'create', spec });
    return session;
  }

  private receive(e: FromWorker & { kind: 'event' }): void {
    const cols = this.layout.columns.length;
    switch (e.type) {
      case 'rows':
        // One row alone is an edited row: note which of its cells changed (the grid marks them for a moment).
        if (e.count === 1 && this.values[e.from]) {
          const old = this.values[e.from];
          const changed: number[] = [];
          for (let c = 0; c < old.length; c++) {
            if (!Object.is(old[c], e.values[c])) changed.push(c);
          }
          this.rowDiff = { epoch: e.from, cols: changed };
        }
        for (let r = 0; r < e.count; r++) {
          this.values[e.from + r] = e.values.subarray(r * cols, (r + 1) * cols);
          this.special.delete(e.from + r);
        }
        for (const [i, v] of e.special) {
          const epoch = e.from + Math.floor(i / cols);
          if (!this.special.has(epoch)) this.special.set(epoch, new Map());
          this.special.get(epoch)!.set(i % cols, v);
        }
        this.rows = e.rows;
        this.values.length = e.rows;
        if (e.count > 0) {
          const [from, to] = this.changed ?? [e.from, e.from + e.count];
          this.changed = [Math.min(from, e.from), Math.max(to, e.from + e.count)];
        }
        // While a re-run overwrites rows in place the sheet keeps its row count: `reached` is how far the run is.
        this.emit({ type: 'progress', rows: e.rows, epochs: this.spec.epochs, reached: e.from + e.count });
        break;
      case 'state':
        this.state = e.state;
        this.canUndo = e.canUndo;
        this.emit({ type: 'state', state: e.state });
        break;
      case 'changed': {
        const column = this.layout.columns[e.col];
        this.setCells.set(key(e.epoch, e.col), e.raw);
        this.emit({ type: 'changed', epoch: e.epoch, column, raw: e.raw });
        break;
      }
      case 'overrides':
        this.overrides = e.cells;
        this.emit({ type: 'overrides' });
        break;
      case 'diverged':
        this.emit({ type: 'diverged', message: e.message, epoch: e.epoch, column: e.col === null ? null : this.layout.columns[e.col] ?? null });
        break;
      case 'exportProgress':
        this.emit({ type: 'export', done: e.done, total: e.total, zipping: e.zipping });
        break;
      case 'workbook':
        this.values = [];
        this.special.clear();
        this.setCells.clear();
        this.rows = 0;
        this.emit({ type: 'workbook' });
        break;
    }
  }

  on(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }

  value(epoch: number, col: Column): CellValue {
    if (epoch >= this.rows || !this.values[epoch]) return null;
    const s = this.special.get(epoch)?.get(col.index);
    return s !== undefined ? s : this.values[epoch][col.index];
  }

  /** The formula a cell holds (A1, with `=`), or null for a number: the layout's, unless the user set the cell. */
  formula(epoch: number, col: Column): string | null {
    if (epoch >= this.rows) return null;
    const raw = this.setCells.get(key(epoch, col.index));
    if (raw !== undefined) return typeof raw === 'string' && raw.startsWith('=') ? raw : null;
    const template = this.templates[col.index];
    if (!template || (col.numberAtEpoch0 && epoch === 0)) return null;
    return template(this.layout.rowOf(epoch) + 1);
  }

  isEditable(col: Column): boolean {
    return isEditableColumn(col);
  }

  /** The rows whose values arrived since the last call (to redraw just those), or null. */
  takeChangedRows(): [number, number] | null {
    const c = this.changed;
    this.changed = null;
    return c;
  }

  /** The columns of `epoch` whose values changed when that row alone was last recomputed (an edit), or []. */
  takeRowDiff(epoch: number): number[] {
    const d = this.rowDiff;
    this.rowDiff = null;
    return d && d.epoch === epoch ? d.cols : [];
  }

  /** Each computed row's epoch loss (Layout.epochLossColumn: in sample mode the mean of the step losses). */
  losses(): number[] {
    return this.columnValues(this.layout.epochLossColumn);
  }

  /** Each step's loss by computed row, one array per step (Layout.stepLossColumns; full batch: the one loss). */
  stepLosses(): number[][] {
    return this.layout.stepLossColumns.map((col) => this.columnValues(col));
  }

  private columnValues(col: Column): number[] {
    return Array.from({ length: this.rows }, (_, e) => this.value(e, col) as number);
  }

  train = () => this.engine.request({ type: 'train' }) as Promise<void>;
  step = () => this.engine.request({ type: 'step' }) as Promise<void>;
  stop = () => this.engine.request({ type: 'stop' }) as Promise<void>;
  reset = () => this.engine.request({ type: 'reset' }) as Promise<void>;
  undo = () => this.engine.request({ type: 'undo' }) as Promise<void>;

  /** Rejects with the reason (an Error named EditRefused) when the value is refused; see Session.edit. */
  edit(epoch: number, col: Column, value: number | string): Promise<void> {
    return this.engine.request({ type: 'edit', epoch, col: col.index, value }) as Promise<void>;
  }

  /** Sets saved cells as the sheet grows, then trains to the last epoch; see Session.replay. */
  replay(cells: CellOverride[]): Promise<void> {
    return this.engine.request({ type: 'replay', cells }) as Promise<void>;
  }

  /** The cells a cell reads and the cells that read it, as [epoch, column index]. */
  links(epoch: number, col: Column): Promise<{ precedents: CellAt[]; dependents: CellAt[] }> {
    return this.engine.request({ type: 'links', epoch, col: col.index }) as Promise<{ precedents: CellAt[]; dependents: CellAt[] }>;
  }

  /** Writes the workbook; 'export' events tell its progress; rejects with an error named Cancelled on cancelExport. */
  xlsx(flavour: Flavour, version: string): Promise<ArrayBuffer> {
    return this.engine.request({ type: 'xlsx', flavour, version }) as Promise<ArrayBuffer>;
  }

  cancelExport = () => this.engine.request({ type: 'cancelExport' }) as Promise<void>;

  /** The numerical gradient check of one row (see src/gradcheck). */
  gradcheck(epoch: number): Promise<GradCheckReply> {
    return this.engine.request({ type: 'gradcheck', epoch }) as Promise<GradCheckReply>;
  }

  /** The current network trained once per learning rate from its starting weights: each lane's losses. */
  lanes(lrs: number[], epochs: number): Promise<LaneReply[]> {
    return this.engine.request({ type: 'lanes', lrs, epochs }) as Promise<LaneReply[]>;
  }

  /** The comparison as an XLSX file: one sheet per learning rate and a Compare sheet. */
  lanesXlsx(lrs: number[], epochs: number, flavour: Flavour, version: string): Promise<ArrayBuffer> {
    return this.engine.request({ type: 'lanesXlsx', lrs, epochs, flavour, version }) as Promise<ArrayBuffer>;
  }

  lossCsv = () => this.engine.request({ type: 'lossCsv' }) as Promise<string>;
  rowsCsv = (from: number, to: number) => this.engine.request({ type: 'rowsCsv', from, to }) as Promise<string>;
}

/** Parses an XLSX in the worker into a spec, or rejects with the reason. */
export function importXlsx(engine: EngineConnection, bytes: ArrayBuffer): Promise<Spec> {
  return engine.request({ type: 'import', bytes }, [bytes]) as Promise<Spec>;
}
