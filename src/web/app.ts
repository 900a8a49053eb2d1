import type { Column } from '../layout/layout';
import { namesFor } from '../layout/names';
import { PRESET_NAMES } from '../spec/presets';
import { parameterCount } from '../spec/resolve';
import { loadPreset } from '../spec/presets';
import { SpecError, withOverrides } from '../spec/validate';
import { formatRef, parseRef, type CellRef } from './refs';
import { connectEngine, importXlsx, RemoteSession, type EngineConnection } from './engine/remoteSession';
import type { CellAt } from './engine/protocol';
import type { Settings, TrainState } from './session';
import { readUrlState, writeUrlState } from './urlState';
import { createControls, settingsDiff, type Controls } from './views/controls';
import { createFileControls, download } from './views/files';
import { createFormulaBar } from './views/formulaBar';
import { cellKey, createGrid, type Grid } from './views/grid';
import { renderHeatmap } from './views/heatmap';
import { createLossChart, type LossChart } from './views/lossChart';
import { renderNetworkDiagram } from './views/networkDiagram';
import type { NetworkSnapshot } from './views/snapshot';

const keys = (cells: CellAt[]) => new Set(cells.map(([epoch, col]) => cellKey(epoch, col)));

/** The page: wires one Session to its views. Every number shown is read from the session's workbook. */

export interface GradsheetApi {
  select(ref: string): CellRef;
  edit(ref: string, value: number): Promise<void>;
  value(ref: string): unknown;
  formula(ref: string): string | null;
  train(options?: Partial<Settings>): Promise<void>;
  stop(): Promise<void>;
  undo(): Promise<void>;
  readonly state: TrainState;
  readonly rows: number;
  readonly settings: Settings;
  /** Milliseconds from the last weight edit to its row recomputed and redrawn (before the later epochs re-run). */
  readonly lastEditMs: number | null;
}

/** While training, views redraw at most this often, each in a task of its own (input never waits long). */
const REFRESH_MS = 400;
const NETWORK_REFRESH_MS = 3000;

export class App {
  private session!: RemoteSession;
  private readonly engine: EngineConnection = connectEngine();
  private settings: Settings;
  private grid: Grid | null = null;
  private selected: CellRef | null = null;
  private pendingCell: string | null;
  private lastRefresh = 0;
  private lastNetworkDraw = 0;
  private refreshScheduled = false;
  private readonly controls: Controls;
  private readonly formulaBar;
  private readonly chart: LossChart;
  private unsubscribe: (() => void) | null = null;
  private editStarted: number | null = null;
  private lastEditMs: number | null = null;

  constructor(root: HTMLElement) {
    const url = readUrlState(location.search, 'end2-xor-44');
    this.settings = url.settings;
    this.pendingCell = url.cell;
    root.replaceChildren();
    const el = (cls: string, tag = 'div') => {
      const node = document.createElement(tag);
      node.className = cls;
      return node;
    };
    const controlsBox = el('controls');
    const filesBox = el('files row');
    const barBox = el('formula-bar');
    const gridBox = el('grid');
    const panels = el('panels');
    const chartBox = el('panel chart');
    const netBox = el('panel network');
    const heatBox = el('panel heatmap');
    panels.append(chartBox, netBox, heatBox);
    root.append(controlsBox, filesBox, barBox, gridBox, panels);
    this.gridBox = gridBox;
    this.netBox = netBox;
    this.heatBox = heatBox;

    this.controls = createControls(controlsBox, PRESET_NAMES, {
      train: (s) => void this.train(s).catch((e) => this.controls.message(String(e.message ?? e), true)),
      step: () => void this.session.step(),
      stop: () => void this.session.stop(),
      reset: () => void this.session.reset(),
      undo: () => void this.undo(),
      logScale: (on) => this.chart.setLogScale(on),
    });
    this.formulaBar = createFormulaBar(barBox);
    createFileControls(filesBox, {
      exportXlsx: (flavour) => void this.exportXlsx(flavour),
      lossCsv: () => void this.session.lossCsv().then((csv) => download(`${this.session.spec.name}-loss.csv`, csv, 'text/csv')),
      rowsCsv: (from, to) => void this.session.rowsCsv(from, to).then(
        (csv) => download(`${this.session.spec.name}-epochs-${from}-${to}.csv`, csv, 'text/csv'),
        (err: Error) => this.controls.message(err.message, true),
      ),
      importXlsx: (file) => void this.importXlsx(file),
    });
    const chartTitle = el('panel-title', 'h3');
    chartTitle.textContent = 'loss by epoch (click a point to see its row)';
    chartBox.append(chartTitle);
    const chartArea = el('chart-area');
    chartBox.append(chartArea);
    this.chart = createLossChart(chartArea, { onPick: (epoch) => this.selectCell(epoch, this.session.layout.lossColumn, true) });
    window.addEventListener('resize', () => this.chart.resize());
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && !(e.target instanceof HTMLInputElement)) {
        e.preventDefault();
        void this.undo();
      }
    });
  }

  private readonly gridBox: HTMLElement;
  private readonly netBox: HTMLElement;
  private readonly heatBox: HTMLElement;

  /** Starts (or restarts) training with the given settings. */
  async train(settings: Settings = this.settings): Promise<void> {
    const changed = !this.session || JSON.stringify(settings) !== JSON.stringify(this.settings);
    if (changed) {
      await this.session?.stop();
      let spec;
      try {
        const { preset, ...over } = settings;
        spec = withOverrides(loadPreset(preset), over);
      } catch (err) {
        if (err instanceof SpecError) throw new Error(`${err.field}: ${err.reason}`);
        throw err;
      }
      this.settings = settings;
      this.attach(await RemoteSession.create(this.engine, spec, this.session ?? null));
    }
    this.writeUrl();
    await this.session.train();
  }

  private attach(session: RemoteSession): void {
    this.unsubscribe?.();
    this.session = session;
    this.selected = null;
    this.controls.setSettings(this.settings, session.spec);
    this.controls.setSummary(
      `${session.spec.name}: ${session.spec.model.layers.join('-')}, ${parameterCount(session.spec.model.layers, session.spec.model.bias)} parameters, ` +
      `${session.layout.columns.length} cells a row × ${session.spec.epochs} epochs. ${session.spec.description}`,
    );
    this.unsubscribe = session.on((e) => {
      if (e.type === 'workbook') this.rebuildGrid();
      else if (e.type === 'state') this.onState(e.state);
      else if (e.type === 'changed') {
        // The edited row first (grid and formula bar); chart and network follow in a task of their own.
        this.grid?.updateRows(e.epoch, e.epoch + 1);
        this.showSelected();
        if (this.editStarted !== null) this.lastEditMs = performance.now() - this.editStarted;
        this.editStarted = null;
        setTimeout(() => this.draw(true), 0);
      }
      else if (e.type === 'progress') {
        this.controls.progress(e.rows, e.epochs);
        this.refresh(false);
      }
    });
    this.rebuildGrid();
  }

  private rebuildGrid(): void {
    this.grid?.destroy();
    this.grid = createGrid(this.gridBox, this.session, {
      onSelect: (epoch, col) => this.onSelect(epoch, col),
      onEdit: (epoch, col, text) => void this.editFromGrid(epoch, col, text),
    });
    this.selected = null;
    this.formulaBar.show(null);
    this.refresh(true);
  }

  private onState(state: TrainState): void {
    this.controls.setState(state, this.session.canUndo);
    if (state === 'ready') {
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

  /** Grid, chart and network each redraw in a task of their own (each is 15-50 ms in Chromium). */
  private draw(full: boolean): void {
    this.lastRefresh = performance.now();
    const changed = this.session.takeChangedRows();
    if (full) this.grid?.refresh();
    else if (changed) this.grid?.updateRows(changed[0], changed[1]);
    if (this.selected) this.showSelected();
    const chart = () => {
      this.chart.setSeries([{ label: this.session.spec.name, losses: this.session.losses() }]);
      this.chart.markEpoch(this.selected?.epoch ?? null);
    };
    if (full) chart();
    else setTimeout(chart, 0);
    const epoch = () => (this.selected ? Math.min(this.selected.epoch, this.session.rows - 1) : this.session.rows - 1);
    if (full) {
      // A full draw comes from a load, an edit or the end of training, not from a training slice.
      this.lastNetworkDraw = this.lastRefresh;
      this.drawNetwork(epoch());
    } else if (this.lastRefresh - this.lastNetworkDraw > NETWORK_REFRESH_MS) {
      // While training, the diagram follows every few seconds; the heat map waits for the end (it costs most).
      this.lastNetworkDraw = this.lastRefresh;
      setTimeout(() => this.drawNetwork(epoch(), false), 0);
    }
  }

  private onSelect(epoch: number, col: Column): void {
    this.selected = { epoch, column: col };
    this.showSelected();
    const session = this.session;
    void session.links(epoch, col).then(({ precedents, dependents }) => {
      // Only if the selection is still this cell of this network.
      if (this.session === session && this.selected?.epoch === epoch && this.selected.column === col) {
        this.grid?.highlight(keys(precedents), keys(dependents));
      }
    });
    this.chart.markEpoch(epoch);
    this.drawNetwork(Math.min(epoch, this.session.rows - 1));
    this.writeUrl();
  }

  private showSelected(): void {
    if (!this.selected) return;
    const { epoch, column } = this.selected;
    this.formulaBar.show({
      address: `Train!${column.letter}${this.session.layout.rowOf(epoch) + 1}`,
      epoch,
      column,
      formula: this.session.formula(epoch, column),
      value: this.session.value(epoch, column),
    });
  }

  private selectCell(epoch: number, column: Column, scroll: boolean): void {
    this.grid?.select(epoch, column, scroll);
    this.onSelect(epoch, column);
  }

  private async editFromGrid(epoch: number, col: Column, text: string): Promise<void> {
    const value = Number(text.trim());
    try {
      if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${col.name} needs a number, got "${text}"`);
      this.controls.message(`epoch ${epoch}, ${col.name} = ${value}: recomputing the row, then re-running the later epochs…`, false);
      this.editStarted = performance.now();
      await this.session.edit(epoch, col, value);
      this.controls.message(`epoch ${epoch}, ${col.name} = ${value}. Undo with Ctrl+Z.`, false);
    } catch (err) {
      this.controls.message((err as Error).message, true);
    }
  }

  private async undo(): Promise<void> {
    if (!this.session.canUndo) return;
    await this.session.undo();
    this.controls.message('undone', false);
  }

  private async exportXlsx(flavour: 'values' | 'live'): Promise<void> {
    await this.session.stop();
    this.controls.message(`writing the ${flavour} workbook…`, false);
    const bytes = await this.session.xlsx(flavour, __APP_VERSION__);
    download(`${this.session.spec.name}-${flavour}.xlsx`, bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    this.controls.message(`wrote ${this.session.spec.name}-${flavour}.xlsx (${(bytes.byteLength / 2 ** 20).toFixed(1)} MB)`, false);
  }

  /** Reads a workbook gradsheet exported; on any problem the current sheet stays as it is. */
  private async importXlsx(file: File): Promise<void> {
    try {
      const spec = await importXlsx(this.engine, await file.arrayBuffer());
      await this.session.stop();
      this.settings = PRESET_NAMES.includes(spec.name)
        ? settingsDiff(spec.name, { epochs: spec.epochs, lr: spec.optimizer.lr, momentum: spec.optimizer.momentum, seed: spec.seed, batch: spec.batch })
        : { preset: spec.name };
      this.attach(await RemoteSession.create(this.engine, spec, this.session));
      this.controls.message(`imported ${file.name}: ${spec.name}, η ${spec.optimizer.lr}, training…`, false);
      await this.session.train();
    } catch (err) {
      this.controls.message(`${file.name}: ${(err as Error).message}. The current sheet is unchanged.`, true);
    }
  }

  private drawNetwork(epoch: number, withHeatmap = true): void {
    if (epoch < 0) return;
    const snapshot = this.snapshot(epoch);
    renderNetworkDiagram(this.netBox, snapshot);
    if (withHeatmap) this.heatBox.hidden = !renderHeatmap(this.heatBox, snapshot);
  }

  /** The selected epoch's weights and first-update gradients, named as the layout names them. */
  private snapshot(epoch: number): NetworkSnapshot {
    const { layout, spec } = this.session;
    const names = namesFor(spec.model);
    const grads = layout.columns.filter((c) => c.kind === 'grad' && (c.step === null || c.step === 0));
    const num = (col: Column) => {
      const v = this.session.value(epoch, col);
      return typeof v === 'number' ? v : Number.NaN;
    };
    const { layers } = spec.model;
    return {
      epoch,
      layers,
      activations: spec.model.activations,
      params: layout.params.map((p) => ({
        name: p.name, layer: p.layer, to: p.to, from: p.from,
        value: num(layout.weightColumns[p.index]),
        grad: num(grads[p.index]),
      })),
      unitNames: layers.map((n, l) => Array.from({ length: n }, (_, j) => (l === 0 ? names.input(j) : names.pre(l - 1, j)))),
      data: spec.data,
    };
  }

  private writeUrl(): void {
    const cell = this.selected ? formatRef(this.selected) : null;
    history.replaceState(null, '', writeUrlState({ settings: this.settings, cell }));
  }

  /** window.gradsheet: the page's script interface (see the README). */
  readonly api: GradsheetApi = (() => {
    const app = this;
    const ref = (text: string) => parseRef(text, app.session.layout);
    return {
      select(text: string) {
        const r = ref(text);
        app.selectCell(r.epoch, r.column, true);
        return r;
      },
      edit: (text: string, value: number) => {
        const r = ref(text);
        app.editStarted = performance.now();
        return app.session.edit(r.epoch, r.column, value);
      },
      value: (text: string) => {
        const r = ref(text);
        return app.session.value(r.epoch, r.column);
      },
      formula: (text: string) => {
        const r = ref(text);
        return app.session.formula(r.epoch, r.column);
      },
      train: (options?: Partial<Settings>) => app.train({ ...app.settings, ...options }),
      stop: () => app.session.stop(),
      undo: () => app.undo(),
      get state() {
        return app.session?.state ?? 'ready';
      },
      get rows() {
        return app.session?.rows ?? 0;
      },
      get settings() {
        return { ...app.settings };
      },
      get lastEditMs() {
        return app.lastEditMs;
      },
    };
  })();
}
