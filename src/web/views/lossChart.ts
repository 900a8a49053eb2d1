import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { nearestEpoch, toPlotValues } from './lossValues';

/**
 * The loss curve: one or more series of per-epoch losses, drawn with uPlot.
 * Click picks an epoch, drag zooms along x (a zoom survives data updates), double-click resets the zoom.
 */

/** losses[e] = loss of epoch e; may be shorter than the x range while training. `faint`: drawn pale and dashed (a curve from before). */
export interface LossSeries { label: string; losses: number[]; faint?: boolean }
export interface LossChartOptions {
  onPick: (epoch: number) => void;   // user clicked the plot: the epoch nearest the cursor
  height?: number;                   // default 260
}
export interface LossChart {
  /** Replace the data: one or more series over epochs 0..n-1 (n = longest series). Cheap enough to call every 200 ms while training. */
  setSeries(series: LossSeries[]): void;
  /** Mark one epoch with a vertical line (the selected row), or null for none. */
  markEpoch(epoch: number | null): void;
  setLogScale(on: boolean): void;
  isLogScale(): boolean;
  /** Follow the container's width (call on window resize). */
  resize(): void;
  destroy(): void;
}

const PALETTE = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#319795', '#b7791f', '#4a5568'];
const MARK_COLOR = '#c53030';
const FAINT_COLOR = 'rgba(90, 98, 112, 0.55)';
const MARK_WIDTH = 1.5;
const MIN_WIDTH = 300;
/** A press that moves less than this (CSS px) is a click (pick), not a drag (zoom). */
const DRAG_DIST = 5;
/** Whole-epoch tick increments for the x axis. */
const X_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 25_000, 50_000,
  100_000, 200_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000];

/** A compact number for ticks and the legend: 4 significant digits, exponent form when very small or large. */
function fmtNum(v: number | null | undefined, digits = 4): string {
  if (v == null || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(digits)));
}

export function createLossChart(container: HTMLElement, options: LossChartOptions): LossChart {
  const height = options.height ?? 260;
  let series: LossSeries[] = [];
  let log = false;
  let mark: number | null = null;
  let count = 0;                                      // epochs on the x axis: the longest series
  let xs: number[] = [];
  let zoom: { min: number; max: number } | null = null; // the user's x zoom, kept across updates and recreations
  let creating = false;
  let destroyed = false;
  let downAt: { x: number; y: number } | null = null;
  let u: uPlot | null = null;
  let builtFor = -1;                                  // number of series the current instance was built for

  const width = (): number => Math.max(MIN_WIDTH, container.clientWidth || 0);

  function buildData(): uPlot.AlignedData {
    count = series.reduce((n, s) => Math.max(n, s.losses.length), 0);
    if (xs.length !== count) xs = Array.from({ length: count }, (_, i) => i);
    return [xs, ...series.map((s) => toPlotValues(s.losses, log, count))];
  }

  function drawMark(self: uPlot): void {
    if (mark == null || count === 0) return;
    const { left, top, width: w, height: h } = self.bbox;
    const x = Math.round(self.valToPos(mark, 'x', true));
    if (!Number.isFinite(x) || x < left - 1 || x > left + w + 1) return;
    const ctx = self.ctx;
    ctx.save();
    ctx.strokeStyle = MARK_COLOR;
    ctx.lineWidth = MARK_WIDTH * uPlot.pxRatio;
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + h);
    ctx.stroke();
    ctx.restore();
  }

  function onClick(e: MouseEvent): void {
    if (!u || e.button !== 0) return;
    const left = e.clientX - u.over.getBoundingClientRect().left;
    const epoch = nearestEpoch(u.posToVal(left, 'x'), count);
    if (epoch != null) options.onPick(epoch);
  }

  function onMouseDown(e: MouseEvent): void {
    downAt = { x: e.clientX, y: e.clientY };
  }

  function onDblClick(): void {
    zoom = null; // uPlot itself re-ranges x on double-click
  }

  function create(): void {
    const shown = series.length > 0 ? series : [{ label: 'loss', losses: [] }];
    builtFor = series.length;
    // Axis text and grid in the page's colours (dark mode included), read from the chart's box.
    const ink = getComputedStyle(container).color || '#1f2430';
    const axis = { stroke: ink, grid: { stroke: 'rgba(128, 128, 128, 0.25)' }, ticks: { stroke: 'rgba(128, 128, 128, 0.4)' } };
    const opts: uPlot.Options = {
      width: width(),
      height,
      scales: {
        x: { time: false, auto: () => zoom == null || creating },
        y: log ? { distr: 3, log: 10 } : { distr: 1 },
      },
      series: [
        { label: 'epoch', value: (_self, v) => (v == null ? '—' : String(v)) },
        ...shown.map((s, i): uPlot.Series => ({
          label: s.label,
          stroke: s.faint ? FAINT_COLOR : PALETTE[i % PALETTE.length],
          width: s.faint ? 1 : 1.5,
          ...(s.faint ? { dash: [4, 3] } : {}),
          spanGaps: false,
          value: (_self, v) => fmtNum(v),
        })),
      ],
      axes: [
        { ...axis, label: 'epoch', incrs: X_INCRS, values: (_self, splits) => splits.map((v) => (v == null ? '' : String(v))) },
        {
          ...axis,
          label: 'loss',
          values: (_self, splits) => splits.map((v) => (v == null ? '' : fmtNum(v, 3))),
          size: (_self, values) => {
            const longest = (values ?? []).reduce((n, s) => Math.max(n, s.length), 0);
            return Math.max(40, Math.ceil(longest * 7 + 18));
          },
        },
      ],
      cursor: {
        drag: {
          x: true,
          y: false,
          dist: DRAG_DIST,
          // uPlot swallows the click that ends any mouse movement; only swallow real drags so a jittery click still picks.
          click: (_self, e) => {
            const moved = downAt ? Math.hypot(e.clientX - downAt.x, e.clientY - downAt.y) : Infinity;
            if (moved >= DRAG_DIST) {
              e.stopPropagation();
              e.stopImmediatePropagation();
            }
          },
        },
      },
      legend: { show: true, live: true },
      hooks: {
        draw: [drawMark],
        // a drag selection is about to become an x zoom: remember it so data updates keep it
        setSelect: [(self) => {
          const { left, width: w } = self.select;
          if (w > 0) {
            const a = self.posToVal(left, 'x');
            const b = self.posToVal(left + w, 'x');
            if (Number.isFinite(a) && Number.isFinite(b) && b > a) zoom = { min: a, max: b };
          }
        }],
      },
    };
    creating = true;
    try {
      u = new uPlot(opts, buildData(), container);
    } finally {
      creating = false;
    }
    if (zoom) u.setScale('x', zoom);
    u.over.addEventListener('mousedown', onMouseDown);
    u.over.addEventListener('click', onClick);
    u.over.addEventListener('dblclick', onDblClick);
  }

  function recreate(): void {
    if (u) {
      u.destroy();
      u = null;
    }
    create();
  }

  /** Same number of series, new labels: rename in place (the legend rows are uPlot's DOM) rather than recreate. */
  function relabel(self: uPlot): void {
    const rows = self.root.querySelectorAll<HTMLElement>('.u-legend tr.u-series');
    series.forEach((s, k) => {
      const i = k + 1;
      const current = self.series[i];
      if (!current || current.label === s.label) return;
      current.label = s.label;
      const text = rows[i]?.querySelector<HTMLElement>('.u-label');
      if (text) text.textContent = s.label;
    });
  }

  // uPlot is made with the first series, not here: making it measures its box, a layout of the whole page that
  // cost 50-70 ms of the page's first task.

  return {
    setSeries(next: LossSeries[]): void {
      if (destroyed) return;
      const styles = (list: LossSeries[]) => list.map((s) => (s.faint ? 'f' : 'n')).join('');
      const restyled = styles(next) !== styles(series);
      series = next.map((s) => ({ label: s.label, losses: s.losses, faint: s.faint }));
      if (!u || series.length !== builtFor || restyled) {
        recreate();
      } else {
        relabel(u);
        u.setData(buildData());
      }
    },
    markEpoch(epoch: number | null): void {
      if (destroyed) return;
      const next = epoch == null || !Number.isFinite(epoch) ? null : Math.round(epoch);
      if (next === mark) return;
      mark = next;
      u?.redraw(false, false);
    },
    setLogScale(on: boolean): void {
      if (destroyed || on === log) return;
      log = on;
      recreate();
    },
    isLogScale: () => log,
    resize(): void {
      if (destroyed || !u) return;
      const w = width();
      if (w !== u.width) u.setSize({ width: w, height });
    },
    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      u?.destroy();
      u = null;
    },
  };
}
