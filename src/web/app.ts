import type { Column } from '../layout/layout';
import { PRESET_NAMES } from '../spec/presets';
import { parameterCount } from '../spec/resolve';
import { loadPreset } from '../spec/presets';
import { parseSpecText, SpecError, withOverrides } from '../spec/validate';
import type { Spec } from '../spec/types';
import { megabytes, SPEC_FILE_MAX_BYTES } from './limits';
import {
  BROKEN_KEY, browserStorage, clearSavedState, makeSavedState, PREVIOUS_KEY, readSavedState, sameSettings, setAside,
  STATE_KEY, writeSavedState, type StorageLike,
} from './savedState';
import type { CellOverride } from './session';
import { computedCellMessage } from './editRules';
import { formatRef, type CellRef } from './refs';

/** What the page is doing, as window.gradsheet.state says: building a sheet, computing epochs, or done. */
export type PagePhase = 'loading' | 'training' | 'ready';
import { connectEngine, RemoteSession, type EngineConnection } from './engine/remoteSession';
import type { CellAt } from './engine/protocol';
import type { Settings, TrainState } from './session';
import { readUrlState, writeUrlState } from './urlState';
import { createControls, type Controls } from './views/controls';
import { createFileControls, csvForDownload, download } from './views/files';
import { createWorkbookCheck, runWorkbookCheck, type WorkbookCheckView } from './views/checkReport';
import { createFormulaBar } from './views/formulaBar';
import { createWatchWindow, type WatchWindow } from './views/watchWindow';
import { copiedFrom, followColumns } from '../layout/related';
import type { FileControls } from './views/files';
import { FileWork, XLSX_TYPE } from './fileWork';
import { createChainPanel } from './views/chainPanel';
import { createLanesPanel } from './views/lanesPanel';
import { createApi, type GradsheetApi } from './api';
import { cellKey, createGrid, type Grid } from './views/grid';
import { inTask } from './tasks';
import { renderHeatmap } from './views/heatmap';
import type { LossChart } from './views/lossChart';
import { createLossPanel, type LossPanel } from './views/lossPanel';
import { renderNetworkDiagram } from './views/networkDiagram';
import { chainOf, diagramClicks, snapshotAt } from './views/diagramCells';
import { createPageLayout, type PageBoxes } from './views/pageLayout';
import { node } from './views/dom';
import { createNetworkEditor, type NetworkEditor } from './views/networkEditor';
import { createToolbarButtons, createTour } from './views/help';
import { specTextFromLink } from './specLink';

const keys = (cells: CellAt[]) => new Set(cells.map(([epoch, col]) => cellKey(epoch, col)));

/** The page: wires one Session to its views. Every number shown is read from the session's workbook. */


const DEFAULT_PRESET = 'end2-xor-44';
/** The saved state is written at most this often while things change (and at once when the page is hidden). */
const SAVE_MS = 250;
const URL_SETTINGS = ['preset', 'epochs', 'lr', 'momentum', 'seed', 'batch', 'spec'];

/** While training, views redraw at most this often, each in a task of its own (input never waits long). */
const REFRESH_MS = 400;
const NETWORK_REFRESH_MS = 3000;

export class App {
  /** Read by the script interface (api.ts) as well as the views. */
  session!: RemoteSession;
  private readonly engine: EngineConnection = connectEngine();
  settings: Settings;
  private grid: Grid | null = null;
  private gridReady: Promise<void> = Promise.resolve();
  private selected: CellRef | null = null;
  private pendingCell: string | null;
  /** The weight a link asks to follow, applied once its sheet is drawn. */
  private pendingFollow: string | null;
  private lastRefresh = 0;
  private lastNetworkDraw = 0;
  private refreshScheduled = false;
  private readonly controls: Controls;
  /** The report of "Check a workbook" (a learner's backprop sheet), under the file buttons. */
  private workbookCheck!: WorkbookCheckView;
  private readonly formulaBar;
  private readonly chainPanel;
  private readonly lanesPanel;
  private readonly chart: LossChart;
  private unsubscribe: (() => void) | null = null;
  /** 'ready' only once the sheet holds every epoch, or the user stopped (or training blew up): see `stopped`. */
  phase: PagePhase = 'loading';
  /** The sheet holds fewer epochs than it could because the user stopped, stepped or reset, or training blew up. */
  stopped = false;
  /** "Follow a weight": the parameter whose chain the grid shows, or null for every column. */
  private follow: number | null = null;
  private readonly watch: WatchWindow;
  private readonly files: FileControls;
  /** The loss curve before the last edit, drawn faintly beside the new one until the next edit. */
  private previousLosses: number[] | null = null;
  /** What the running epochs are for, shown with the progress bar. */
  private work = 'training';
  private readonly fileWork: FileWork;
  private watchEditStart: number | null = null;
  /** Milliseconds from the last edit to the first change of a watched value. */
  lastWatchMs: number | null = null;
  readonly lossPanel: LossPanel;
  private editStarted: number | null = null;
  lastEditMs: number | null = null;
  lastError: string | null = null;
  /** A spec opened from a file or imported: it stands for its name in the preset list (until New). */
  private custom: Spec | null = null;
  private readonly storage: StorageLike | null = browserStorage();
  private readonly urlHasSettings: boolean;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private saveFailed = false;
  /** While a saved sheet is being rebuilt, the edits it will have (what a save in the meantime keeps). */
  private restoringEdits: CellOverride[] | null = null;

  constructor(root: HTMLElement) {
    const url = readUrlState(location.search, DEFAULT_PRESET);
    this.settings = url.settings;
    this.pendingCell = url.cell;
    this.pendingFollow = url.follow ?? null;
    const query = new URLSearchParams(location.search);
    this.urlHasSettings = URL_SETTINGS.some((k) => query.has(k));
    root.replaceChildren();
    const boxes = createPageLayout(root);
    const { toolbar: controlsBox, bar: barBox, grid: gridBox, watch: watchBox } = boxes;
    this.boxes = boxes;
    this.gridBox = gridBox;

    const controlsBlock = node('div', 'controls controls-block');
    controlsBox.append(controlsBlock);
    this.controls = createControls(controlsBlock, PRESET_NAMES, {
      train: (s) => void this.train(s).catch((e) => this.controls.message(String(e.message ?? e), true)),
      step: () => void this.step(),
      stop: () => void this.stopWork(),
      reset: () => {
        this.stopped = true;
        this.previousLosses = null;
        void this.session.reset();
      },
      undo: () => void this.undo(),
      logScale: (on) => this.chart.setLogScale(on),
      base: (name) => (this.custom?.name === name ? this.custom : null),
    });
    this.formulaBar = createFormulaBar(barBox, {
      go: (ref) => this.goTo(ref),
      error: (message) => this.report(message),
      epoch: () => this.selected?.epoch ?? 0,
      watch: (refs) => {
        this.watch.add(refs);
        this.watch.refresh();
      },
      follow: (param) => this.setFollow(param),
      following: () => this.follow,
    });
    this.watch = createWatchWindow(watchBox, {
      layout: () => this.session.layout,
      value: (ref) => this.session.value(ref.epoch, ref.column),
      go: (ref) => this.goTo(ref),
    });
    this.chainPanel = createChainPanel(barBox, {
      select: (column) => this.selected && this.selectCell(this.selected.epoch, column, true),
      gradcheck: (epoch) => void this.session.gradcheck(epoch).then(
        (reply) => this.chainPanel.showCheck(reply),
        (err: Error) => this.controls.message(err.message, true),
      ),
    });
    this.lanesPanel = createLanesPanel(boxes.lanes, {
      defaults: () => this.session.spec,
      run: (lrs, epochs) => this.session.lanes(lrs, epochs),
      xlsx: async (lrs, epochs) => {
        const bytes = await this.session.lanesXlsx(lrs, epochs, 'values', __APP_VERSION__);
        download(`${this.session.spec.name}-lanes.xlsx`, bytes, XLSX_TYPE);
      },
    });
    // Files, Network…, Help and the dock's side: one group, so they wrap together.
    const actions = node('div', 'toolbar-buttons');
    controlsBox.append(actions);
    this.files = createFileControls(actions, {
      newSheet: () => void this.newSheet(),
      openSpec: (file) => void this.openSpecFile(file),
      exportXlsx: (flavour) => void this.fileWork.exportXlsx(flavour),
      exportNotebook: (kind) => void this.fileWork.exportNotebook(kind),
      lossCsv: () => void this.session.lossCsv().then((csv) => download(`${this.session.spec.name}-loss.csv`, csvForDownload(csv, this.files.bom), 'text/csv')),
      rowsCsv: (from, to) => void this.session.rowsCsv(from, to).then(
        (csv) => download(`${this.session.spec.name}-epochs-${from}-${to}.csv`, csvForDownload(csv, this.files.bom), 'text/csv'),
        (err: Error) => this.controls.message(err.message, true),
      ),
      importXlsx: (file) => void this.fileWork.importXlsx(file),
      checkWorkbook: (files) => void runWorkbookCheck(files, this.workbookCheck),
    });
    this.fileWork = new FileWork({
      session: () => this.session,
      engine: this.engine,
      controls: this.controls,
      files: this.files,
      report: (message) => this.report(message),
      open: (spec, message) => this.openCustom(spec, message),
    });
    const checkBox = node('div', 'check');
    boxes.drawer.append(checkBox);
    this.workbookCheck = createWorkbookCheck(checkBox);
    this.editor = createNetworkEditor(boxes.drawer, {
      current: () => this.session.spec,
      build: (spec, how) => {
        this.editor.toggle(false);
        void this.openCustom(spec, how);
      },
    });
    actions.append(...createToolbarButtons({ editor: () => this.editor.toggle() }, boxes.drawer).children, boxes.dockToggle);
    createTour(controlsBox);
    this.lossPanel = createLossPanel(boxes.chart, {
      pick: (epoch) => this.goTo({ epoch, column: this.session.layout.epochLossColumn }),
      changed: () => void this.drawPanels(false),
    });
    this.chart = this.lossPanel.chart;
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && !(e.target instanceof HTMLInputElement)) {
        e.preventDefault();
        void this.undo();
      }
    });
    // Whatever is pending is written before the page goes (closed, reloaded, sent to the background).
    window.addEventListener('pagehide', () => this.saveNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.saveNow();
    });
  }

  private readonly boxes: PageBoxes;
  private readonly editor: NetworkEditor;
  private readonly gridBox: HTMLElement;

  /**
   * Opens the page: the work saved in this browser (settings, opened spec and the cells the user set) when there is
   * some and the URL names no other settings, else the URL's settings; then trains. A saved state that cannot be
   * used is reported and set aside.
   */
  async start(): Promise<void> {
    const st = this.storage;
    const found = st ? readSavedState(st) : { kind: 'none' as const };
    let note = '';
    if (st && found.kind === 'broken') {
      setAside(st, found.key, found.text, found.reason);
      note = `Your saved work could not be restored: ${found.reason}. It was set aside (browser storage key ${BROKEN_KEY}); starting from ${this.settings.preset}.`;
    } else if (st && found.kind === 'ok' && this.urlHasSettings && !sameSettings(found.state.settings, this.settings)) {
      setAside(st, STATE_KEY, JSON.stringify(found.state), 'a link with other settings was opened', PREVIOUS_KEY);
      note = `Opened the link's settings; the work saved before (${found.state.settings.preset}, ${found.state.edits.length} cells set) was set aside (browser storage key ${PREVIOUS_KEY}).`;
    } else if (st && found.kind === 'ok') {
      try {
        await this.restore(found.state.settings, found.spec, found.custom, found.state.edits);
        return;
      } catch (err) {
        // Whatever went wrong with it, the saved work must not stop the page from opening.
        setAside(st, STATE_KEY, JSON.stringify(found.state), (err as Error).message);
        this.custom = null;
        this.restoringEdits = null;
        this.settings = readUrlState(location.search, DEFAULT_PRESET).settings;
        note = `Your saved work could not be restored: ${(err as Error).message}. It was set aside (browser storage key ${BROKEN_KEY}); starting from ${this.settings.preset}.`;
      }
    }
    if (note) this.report(note);
    if (await this.openLinkedSpec()) return;
    await this.train(this.settings, true, false);
  }

  /** A link that carries a spec (Share by link in the network editor) opens it; true when it did. */
  private async openLinkedSpec(): Promise<boolean> {
    try {
      const text = specTextFromLink(location.search);
      if (text === null) return false;
      await this.openSpec(text, 'the link\'s spec');
      return true;
    } catch (err) {
      this.report((err as Error).message);
      return false;
    }
  }

  /** Rebuilds saved work: its spec and settings, then its cells set again as the sheet grows (Session.replay). */
  private async restore(settings: Settings, spec: Spec, custom: Spec | null, edits: CellOverride[]): Promise<void> {
    this.custom = custom;
    this.settings = settings;
    this.restoringEdits = edits;
    this.attach(await RemoteSession.create(this.engine, spec, this.session ?? null));
    this.writeUrl();
    this.controls.message(`Restored your work from this browser: ${spec.name}, ${edits.length} cell${edits.length === 1 ? '' : 's'} you set; training…`, false);
    try {
      await this.gridReady;
      await this.session.replay(edits);
      this.restoringEdits = null;
    } catch (err) {
      this.restoringEdits = null;
      if ((err as Error).name === 'DivergenceError') return;
      // A saved cell could not be set again: keep the settings, set the edits aside.
      if (this.storage) setAside(this.storage, STATE_KEY, JSON.stringify(makeSavedState(settings, custom, edits)), (err as Error).message);
      this.report(`Your saved edits could not be restored: ${(err as Error).message}. They were set aside (browser storage key ${BROKEN_KEY}); training without them.`);
      await this.train(settings, true, false);
    } finally {
      this.scheduleSave();
    }
  }

  /**
   * Starts (or restarts) training with the given settings; `fresh` rebuilds the sheet even when they are the same.
   * `clearError` false keeps lastError (a problem reported while the page opened).
   */
  async train(settings: Settings = this.settings, fresh = false, clearError = true): Promise<void> {
    this.stopped = false;
    const changed = fresh || !this.session || JSON.stringify(settings) !== JSON.stringify(this.settings);
    if (changed) {
      await this.session?.stop();
      const spec = this.specFor(settings);
      this.settings = settings;
      this.attach(await RemoteSession.create(this.engine, spec, this.session ?? null));
    }
    this.writeUrl();
    if (clearError) this.lastError = null;
    await this.trainWhenDrawn();
  }

  /**
   * Trains the session once its grid is drawn, so none of the grid's tasks runs alongside the training slices. A
   * run that blows up has been reported (the 'diverged' event); the rows up to it stay.
   */
  private async trainWhenDrawn(): Promise<void> {
    await this.gridReady;
    await this.session.train().catch((e: Error) => this.rethrowUnlessDiverged(e));
  }

  /** The spec settings stand for: a preset, or the opened spec of that name, with the settings applied. */
  private specFor(settings: Settings): Spec {
    try {
      const { preset, ...over } = settings;
      return withOverrides(this.custom?.name === preset ? this.custom : loadPreset(preset), over);
    } catch (err) {
      if (err instanceof SpecError) throw new Error(`${err.field}: ${err.reason}`);
      throw err;
    }
  }

  private rethrowUnlessDiverged(err: Error): void {
    if (err.name !== 'DivergenceError') throw err;
  }

  /** An action the user started failed: say so (a divergence has been said already). */
  private failed(err: Error): void {
    if (err.name !== 'DivergenceError') this.report(err.message);
  }

  /** An error message in the message line, and what window.gradsheet.lastError reads. */
  private report(message: string): void {
    this.lastError = message;
    this.controls.message(message, true);
  }

  private onDiverged(message: string, epoch: number, column: Column | null): void {
    this.stopped = true;
    this.report(`${message.replace(/\.\s*$/, '')}. Training stopped; epochs 0 to ${epoch} are kept.`);
    if (column && this.grid) this.selectCell(epoch, column, true);
  }

  /** "New": the default preset, no edits, nothing saved; only after the user confirms. */
  private async newSheet(): Promise<void> {
    const n = this.session?.overrides.length ?? 0;
    const what = `${this.settings.preset}${n > 0 ? ` and the ${n} cell${n === 1 ? '' : 's'} you set` : ''}`;
    if (!window.confirm(`Start a new sheet? This drops ${what}, here and in this browser's saved work, and opens ${DEFAULT_PRESET}.`)) return;
    await this.session?.stop();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (this.storage) clearSavedState(this.storage);
    this.custom = null;
    this.pendingCell = null;
    this.controls.message(`a new sheet: ${DEFAULT_PRESET}`, false);
    await this.train({ preset: DEFAULT_PRESET }, true);
  }

  /** Opens spec JSON (a spec or run file); on any problem the current sheet stays as it is. */
  async openSpec(text: string, source: string): Promise<void> {
    let spec: Spec;
    try {
      spec = parseSpecText(text, source);
    } catch (err) {
      const message = `${(err as Error).message}. The current sheet is unchanged.`;
      this.report(message);
      throw new Error(message);
    }
    await this.openCustom(spec, `opened ${source}: ${spec.name}, η ${spec.optimizer.lr}, training…`);
  }

  /** A spec from a file (opened or imported) becomes the sheet; it stands for its name until New or another file. */
  async openCustom(spec: Spec, message: string): Promise<void> {
    await this.session?.stop();
    this.custom = spec;
    this.settings = { preset: spec.name };
    this.attach(await RemoteSession.create(this.engine, spec, this.session ?? null));
    this.writeUrl();
    this.lastError = null;
    this.controls.message(message, false);
    await this.trainWhenDrawn();
  }

  private async openSpecFile(file: File): Promise<void> {
    if (file.size > SPEC_FILE_MAX_BYTES) {
      this.report(`${file.name} is ${megabytes(file.size)}; a spec file may be up to ${megabytes(SPEC_FILE_MAX_BYTES)}. The current sheet is unchanged.`);
      return;
    }
    await this.openSpec(await file.text(), file.name).catch(() => undefined);
  }

  /** Writes the saved state soon (changes come in bursts while a sheet re-runs). */
  private scheduleSave(): void {
    if (!this.storage || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.saveNow(), SAVE_MS);
  }

  private saveNow(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.storage || !this.session) return;
    const custom = this.custom?.name === this.settings.preset ? this.custom : null;
    const problem = writeSavedState(this.storage, makeSavedState(this.settings, custom, this.restoringEdits ?? this.session.overrides));
    if (problem && !this.saveFailed) this.report(`Your work could not be saved in this browser: ${problem}`);
    this.saveFailed = problem !== null;
  }

  private attach(session: RemoteSession): void {
    this.unsubscribe?.();
    const followed = this.follow === null ? this.pendingFollow : this.session?.layout.params[this.follow]?.name ?? null;
    this.session = session;
    this.selected = null;
    this.phase = 'loading';
    this.stopped = false;
    this.previousLosses = null;
    this.work = 'training';
    this.watch.clear();
    this.formulaBar.nameBox.setLayout(session.layout);
    // A followed weight stays followed in a new sheet that has it.
    const param = followed === null ? -1 : session.layout.params.findIndex((p) => p.name === followed);
    this.follow = param >= 0 ? param : null;
    this.pendingFollow = null;
    this.lanesPanel.fill();
    this.controls.setSettings(this.settings, session.spec);
    this.controls.setSummary(
      `${session.spec.name}: ${session.spec.model.layers.join('-')}, ${parameterCount(session.spec.model.layers, session.spec.model.bias)} parameters, ` +
      `${session.layout.columns.length} cells a row × ${session.spec.epochs} epochs. ${session.spec.description}`,
    );
    this.scheduleSave();
    this.unsubscribe = session.on((e) => {
      if (e.type === 'workbook') this.refresh(true); // a reset: the same layout, new values
      else if (e.type === 'overrides') this.scheduleSave();
      else if (e.type === 'diverged') this.onDiverged(e.message, e.epoch, e.column);
      else if (e.type === 'state') this.onState(e.state);
      else if (e.type === 'changed') {
        // The edited row first (grid and formula bar); chart and network follow in a task of their own.
        this.grid?.updateRows(e.epoch, e.epoch + 1);
        this.grid?.pulse(new Set(session.takeRowDiff(e.epoch).map((c) => cellKey(e.epoch, c))));
        this.showSelected();
        this.refreshWatch();
        if (this.editStarted !== null) this.lastEditMs = performance.now() - this.editStarted;
        this.editStarted = null;
        void this.drawPanels(true);
      }
      else if (e.type === 'progress') {
        this.controls.progress(e.reached ?? e.rows, e.epochs, this.work);
        this.refresh(false);
      }
      else if (e.type === 'export') {
        this.controls.busy(e.zipping ? 'XLSX: all rows written, zipping the file…' : `XLSX: ${e.done} of ${e.total} rows written`, e.zipping ? null : e.done / e.total);
      }
    });
    this.rebuildGrid();
  }

  /**
   * A new grid for the session's sheet. Training waits for `gridReady`: drawing a new grid takes a few tasks of
   * its own (see createGrid), and none of them should run alongside the training slices.
   */
  private rebuildGrid(): void {
    this.grid?.destroy();
    const view = this.follow === null ? undefined : followColumns(this.session.layout, this.follow);
    const grid = createGrid(this.gridBox, this.session, {
      onSelect: (epoch, col) => this.onSelect(epoch, col),
      onGroup: (first) => this.goTo({ epoch: this.selected?.epoch ?? 0, column: first }),
      onEdit: (epoch, col, text) => void this.edit(epoch, col, text).catch(() => undefined),
      onReadOnlyEdit: (epoch, col) => {
        const message = computedCellMessage(this.session.layout, col);
        this.report(message);
        this.grid?.flag(epoch, col, message);
      },
    }, view);
    this.grid = grid;
    const session = this.session;
    const keep = this.selected;
    this.gridReady = grid.ready.then(() => {
      if (this.session !== session) return undefined;
      // The same sheet in another view (follow a weight, or every column again): the selection stays.
      if (keep && grid.select(keep.epoch, keep.column, true)) this.onSelect(keep.epoch, keep.column);
      return this.drawPanels(true);
    });
    if (!keep) this.formulaBar.show(null);
  }

  /** "Follow a weight" on (a parameter) or off (null): the grid shows only that weight's chain, or every column. */
  setFollow(param: number | null): void {
    if (param === this.follow) return;
    this.follow = param;
    this.rebuildGrid();
    this.writeUrl();
    this.showSelected();
  }

  /** Goes to a cell (Name Box, links, watch window): leaves "follow" when the column is not on the followed chain. */
  goTo(ref: CellRef): void {
    if (ref.epoch >= this.session.rows) {
      this.report(`epoch ${ref.epoch} has not been computed yet (the sheet has epochs 0 to ${this.session.rows - 1})`);
      return;
    }
    if (this.follow !== null && !this.grid?.columns.includes(ref.column)) {
      this.selected = ref;
      this.setFollow(null);
      return;
    }
    this.selectCell(ref.epoch, ref.column, true);
  }

  /** One more epoch; at the last epoch, says there is none. */
  private async step(): Promise<void> {
    if (this.session.rows >= this.session.spec.epochs) {
      this.controls.message(`epoch ${this.session.rows - 1} is this sheet's last epoch (epochs: ${this.session.spec.epochs}); raise "epochs" and press Train to go on`, false);
      return;
    }
    this.stopped = true;
    await this.session.step().catch((e: Error) => this.failed(e));
  }

  /** Stop: cancels an export or import, else stops training or the re-run after an edit (the rows it did not reach go). */
  private async stopWork(): Promise<void> {
    if (!this.session || (await this.fileWork.cancel())) return;
    this.stopped = true;
    await this.session.stop();
  }

  private onState(state: TrainState): void {
    this.controls.setState(state, this.session.canUndo);
    if (state === 'training') this.phase = 'training';
    // A run that ends short of the last epoch without a stop is followed at once by the next (an edit's re-run).
    else if (this.session.rows >= this.session.spec.epochs || this.stopped) this.phase = 'ready';
    if (state === 'ready') {
      this.work = 'training';
      this.controls.progress(this.session.rows, this.session.spec.epochs);
      this.refresh(true);
      if (this.pendingCell) {
        const cell = this.pendingCell;
        this.pendingCell = null;
        try {
          this.api.select(cell);
        } catch (err) {
          this.controls.message(`the link's cell: ${(err as Error).message}`, true);
        }
      }
    }
  }

  /**
   * Redraws what depends on the rows. Forced after an edit or when training ends; while training, at most every
   * REFRESH_MS and in a task of its own, so a training slice and a redraw never add up to one long task.
   */
  private refresh(force: boolean): void {
    if (force) {
      this.draw(true);
      return;
    }
    if (this.refreshScheduled || performance.now() - this.lastRefresh < REFRESH_MS) return;
    this.refreshScheduled = true;
    setTimeout(() => {
      this.refreshScheduled = false;
      this.draw(false);
    }, 0);
  }

  /** The grid's changed rows now; chart and network in tasks of their own (each is 15-50 ms in Chromium). */
  private draw(full: boolean): void {
    this.lastRefresh = performance.now();
    this.refreshWatch();
    const changed = this.session.takeChangedRows();
    if (full) this.grid?.refresh();
    else if (changed) this.grid?.updateRows(changed[0], changed[1]);
    // After a full grid draw, the formula bar and chain panel in a task of their own.
    if (this.selected) {
      if (full) void inTask(() => this.selected && this.showSelected());
      else this.showSelected();
    }
    void this.drawPanels(full);
  }

  /** The chart, the network diagram and the heat map, each in a task of its own; resolves when all have drawn. */
  private drawPanels(full: boolean): Promise<void> {
    const now = performance.now();
    const drawn: Promise<void>[] = [inTask(() => {
      this.lossPanel.draw(this.session, this.previousLosses);
      this.chart.markEpoch(this.selected?.epoch ?? null);
    })];
    const epoch = () => (this.selected ? Math.min(this.selected.epoch, this.session.rows - 1) : this.session.rows - 1);
    if (full) {
      // A full draw comes from a load, an edit or the end of training, not from a training slice.
      this.lastNetworkDraw = now;
      drawn.push(inTask(() => this.drawNetwork(epoch())));
    } else if (now - this.lastNetworkDraw > NETWORK_REFRESH_MS) {
      // While training, the diagram follows every few seconds; the heat map waits for the end (it costs most).
      this.lastNetworkDraw = now;
      drawn.push(inTask(() => this.drawNetwork(epoch(), false)));
    }
    return Promise.all(drawn).then(() => undefined);
  }

  private onSelect(epoch: number, col: Column): void {
    this.selected = { epoch, column: col };
    this.showSelected();
    const session = this.session;
    void session.links(epoch, col).then(({ precedents, dependents }) => {
      // Only if the selection is still this cell of this network.
      if (this.session === session && this.selected?.epoch === epoch && this.selected.column === col) {
        // A copied weight's precedent is the cell the driver copied it from (no formula links them).
        const from = copiedFrom(session.layout, col, epoch);
        const before = keys(precedents);
        if (from) before.add(cellKey(from.epoch, from.column.index));
        this.grid?.highlight(before, keys(dependents));
      }
    });
    this.chart.markEpoch(epoch);
    void inTask(() => {
      if (this.session === session && this.selected?.epoch === epoch) return this.drawNetwork(Math.min(epoch, session.rows - 1));
    });
    this.writeUrl();
  }

  private showSelected(): void {
    if (!this.selected) return;
    const { epoch, column } = this.selected;
    this.formulaBar.show({
      layout: this.session.layout,
      epoch,
      column,
      formula: this.session.formula(epoch, column),
      value: this.session.value(epoch, column),
      editable: this.session.isEditable(column),
    });
    this.chainPanel.show(this.session.layout, column, epoch, this.numberAt(epoch));
  }

  /** Reads a row's cells from the page's mirror, as numbers (NaN for an error or a row not computed). */
  numberAt(epoch: number): (col: Column) => number {
    return (col) => {
      const v = this.session.value(epoch, col);
      return typeof v === 'number' ? v : Number.NaN;
    };
  }

  selectCell(epoch: number, column: Column, scroll: boolean): void {
    this.grid?.select(epoch, column, scroll);
    this.onSelect(epoch, column);
  }

  /**
   * Sets a cell from the grid or the API. A refused value is shown at the cell (marked invalid, with the message
   * next to it) and in the message line, the cell keeps its value, and the promise rejects with the message.
   */
  async edit(epoch: number, col: Column, value: number | string): Promise<void> {
    const shown = typeof value === 'string' ? value.trim() : String(value);
    this.grid?.flag(epoch, col, null);
    this.lastError = null;
    try {
      this.controls.message(`epoch ${epoch}, ${col.name} = ${shown}: recomputing the row, then re-running the later epochs…`, false);
      this.beforeChange('re-running after the edit');
      this.editStarted = performance.now();
      await this.session.edit(epoch, col, value);
      this.controls.message(`epoch ${epoch}, ${col.name} = ${shown}. Undo with Ctrl+Z.`, false);
    } catch (err) {
      const e = err as Error;
      this.editStarted = null;
      // The value was taken and the re-run blew up: the 'diverged' event has said so.
      if (e.name !== 'DivergenceError') {
        this.report(`epoch ${epoch}, ${col.name} not changed: ${e.message}`);
        this.lastError = e.message;
        this.grid?.flag(epoch, col, e.message);
      }
      throw e;
    }
  }

  async undo(): Promise<void> {
    if (!this.session.canUndo) return;
    try {
      this.beforeChange('re-running after the undo');
      await this.session.undo();
      this.controls.message('undone', false);
    } catch (err) {
      this.failed(err as Error);
    }
  }

  /** An edit or undo is about to change the sheet: keep what it changes from (watched values, the loss curve). */
  private beforeChange(work: string): void {
    this.stopped = false;
    this.work = work;
    this.previousLosses = this.session.losses();
    this.watch.beforeEdit();
    this.watchEditStart = performance.now();
  }

  private refreshWatch(): void {
    if (this.watch.refresh() && this.watchEditStart !== null) {
      this.lastWatchMs = performance.now() - this.watchEditStart;
      this.watchEditStart = null;
    }
  }

  /** The diagram now, the heat map (the costlier one) in a task of its own. */
  private drawNetwork(epoch: number, withHeatmap = true): Promise<void> {
    if (epoch < 0) return Promise.resolve();
    const snapshot = snapshotAt(this.session.layout, (col) => this.session.value(epoch, col), epoch);
    const at = () => Math.min(this.selected?.epoch ?? epoch, this.session.rows - 1);
    renderNetworkDiagram(this.boxes.network, snapshot, diagramClicks(this.session.layout, at, (ref) => this.goTo(ref)),
      this.selected ? chainOf(this.session.layout, snapshot.params, this.selected.column) : null);
    if (!withHeatmap) return Promise.resolve();
    const session = this.session;
    return inTask(() => {
      if (this.session === session) this.boxes.showPanel(this.boxes.heatmap, renderHeatmap(this.boxes.heatmap, snapshot));
    });
  }

  private writeUrl(): void {
    const cell = this.selected ? formatRef(this.selected) : null;
    const follow = this.follow === null ? null : this.session?.layout.params[this.follow]?.name ?? null;
    history.replaceState(null, '', writeUrlState({ settings: this.settings, cell, follow }));
  }

  /** window.gradsheet: the page's script interface (see the README and src/web/api.ts). */
  readonly api: GradsheetApi = createApi(this);
}
