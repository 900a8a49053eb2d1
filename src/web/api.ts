import { breakdownOf, chainText } from '../layout/chain';
import type { App } from './app';
import type { GradCheckReply } from './engine/protocol';
import { parseRef, type CellRef } from './refs';
import type { PagePhase } from './app';
import type { Settings } from './session';

/** window.gradsheet: the page's script interface, documented in the README; a cell is named "epoch N, name". */
export interface GradsheetApi {
  select(ref: string): CellRef;
  /** A number, or text: a number or a formula (`"=0.5*2"`). Rejects with the message the page shows when refused. */
  edit(ref: string, value: number | string): Promise<void>;
  /** Opens a spec (spec-file JSON, as text or an object) and trains it; rejects with the reason when it is not valid. */
  load(spec: string | object): Promise<void>;
  value(ref: string): unknown;
  formula(ref: string): string | null;
  /** The cell's chain-rule breakdown as text (deltas expanded `expand` levels), or null for a cell without one. */
  breakdown(ref: string, expand?: number): string | null;
  /** The numerical gradient check of one epoch's row (also shown beside a selected gradient cell). */
  gradcheck(epoch: number): Promise<GradCheckReply>;
  train(options?: Partial<Settings>): Promise<void>;
  stop(): Promise<void>;
  undo(): Promise<void>;
  /** "loading" until the sheet is built, "training" while epochs run, "ready" once it holds every epoch or was stopped. */
  readonly state: PagePhase;
  /** The sheet holds fewer epochs than it could because the user stopped, stepped or reset, or training blew up. */
  readonly stopped: boolean;
  /** Milliseconds from the last edit to the first change of a watched cell's value. */
  readonly lastWatchMs: number | null;
  /** The loss chart's series as drawn: label, losses by epoch, and whether it is the faint curve from before an edit. */
  chart(): { label: string; losses: number[]; faint: boolean }[];
  readonly rows: number;
  readonly settings: Settings;
  /** Milliseconds from the last weight edit to its row recomputed and redrawn (before the later epochs re-run). */
  readonly lastEditMs: number | null;
  /** The message of the last divergence, refused edit or failed load, as the page shows it; null once training starts again. */
  readonly lastError: string | null;
}

export function createApi(app: App): GradsheetApi {
  const ref = (text: string) => parseRef(text, app.session.layout);
  return {
    select(text) {
      const r = ref(text);
      app.selectCell(r.epoch, r.column, true);
      return r;
    },
    edit: (text, value) => {
      const r = ref(text);
      return app.edit(r.epoch, r.column, value);
    },
    load: (spec) => app.openSpec(typeof spec === 'string' ? spec : JSON.stringify(spec), 'the spec'),
    value: (text) => {
      const r = ref(text);
      return app.session.value(r.epoch, r.column);
    },
    formula: (text) => {
      const r = ref(text);
      return app.session.formula(r.epoch, r.column);
    },
    breakdown(text, expand = 0) {
      const r = ref(text);
      const b = breakdownOf(app.session.layout, r.column, app.numberAt(r.epoch), { expand });
      return b ? chainText(b) : null;
    },
    gradcheck: (epoch) => app.session.gradcheck(epoch),
    train: (options) => app.train({ ...app.settings, ...options }),
    stop: () => app.session.stop(),
    undo: () => app.undo(),
    get state() {
      return app.phase;
    },
    get stopped() {
      return app.stopped;
    },
    get lastWatchMs() {
      return app.lastWatchMs;
    },
    chart: () => app.lossPanel.series.map((c) => ({ label: c.label, losses: [...c.losses], faint: c.faint === true })),
    get rows() {
      return app.session?.rows ?? 0;
    },
    get settings() {
      return { ...app.settings };
    },
    get lastEditMs() {
      return app.lastEditMs;
    },
    get lastError() {
      return app.lastError;
    },
  };
}
