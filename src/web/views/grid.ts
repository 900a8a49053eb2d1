// The base build with only the modules the grid uses: the full build constructs all ~40 plugins in every new grid
// (about 100 ms of its creation).
import Handsontable from 'handsontable/base';
import { registerCellType, TextCellType } from 'handsontable/cellTypes';
import { textRenderer } from 'handsontable/renderers';
import { CopyPaste, registerPlugin } from 'handsontable/plugins';
import 'handsontable/styles/handsontable.min.css';
import 'handsontable/styles/ht-theme-main.min.css';
import type { CellValue } from 'hyperformula';
import type { Column, Layout } from '../../layout/layout';
import { formatFull, formatShort } from '../../workbook/format';
import { nextTask } from '../tasks';

/** What the grid reads: the layout, each cell's value, and which cells a user may type into. */
export interface GridSource {
  layout: Layout;
  value(epoch: number, col: Column): CellValue;
  isEditable(col: Column): boolean;
}

/**
 * The sheet as a grid: Handsontable displays the HyperFormula workbook, which stays the one model. Cells read
 * their values from HyperFormula as they scroll into view; edits go to the session, never into the grid's data.
 */

export interface GridCallbacks {
  onSelect(epoch: number, col: Column): void;
  onEdit(epoch: number, col: Column, text: string): void;
  /** The user tried to type into (or double-clicked) a computed cell, which the grid keeps read-only. */
  onReadOnlyEdit?(epoch: number, col: Column): void;
  /** A group label was clicked: the group's first column. */
  onGroup?(first: Column): void;
}

export interface Grid {
  /** Resolves once the grid has drawn at its full size. */
  readonly ready: Promise<void>;
  /** Redraw the visible cells. */
  refresh(): void;
  /**
   * Rewrite the text of the visible cells of epochs from..to-1, without a full redraw: while training or after an
   * edit only values change, and a full Handsontable redraw renders and measures every visible cell again (20-35 ms
   * for a screenful on an idle page, more while the engine worker trains).
   */
  updateRows(from: number, to: number): void;
  /** Selects (and scrolls to) a cell; false when the column is not in this grid's view. */
  select(epoch: number, col: Column, scroll?: boolean): boolean;
  /** The columns shown, in order (all of the layout's, or a view of some). */
  readonly columns: Column[];
  /** Marks cells for a moment (the cells an edit changed). */
  pulse(cells: Set<string>): void;
  /** Highlight the cells a selected cell reads (precedents) and the cells that read it (dependents). */
  highlight(precedents: Set<string>, dependents: Set<string>): void;
  /**
   * Marks a cell invalid (Handsontable's invalid state) with a message shown next to it, or (null) clears the
   * mark. The mark goes when another cell is selected or the grid scrolls.
   */
  flag(epoch: number, col: Column, message: string | null): void;
  destroy(): void;
}

registerCellType(TextCellType);
registerPlugin(CopyPaste);

/** A cell as `epoch,column index` (the layout's index, whatever the grid shows). */
const cellKey = (row: number, col: number) => `${row},${col}`;

/** Text as HTML that shows it literally. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Handsontable writes header labels (and a few other surfaces) as HTML when they look like markup. Our labels are
 * names, never markup: escape them so any name shows as the text it is. Pasted clipboard HTML is parsed by
 * Handsontable into an inert document to read a table from; it passes unchanged, as without a sanitizer.
 */
export function sanitizeForGrid(content: string, source: string): string {
  return source.startsWith('CopyPaste') ? content : escapeHtml(content);
}

/** Consecutive columns of the same group become one spanning label: its first position and how many it spans. */
function groupSpans(columns: Column[]): { label: string; first: number; span: number }[] {
  const out: { label: string; first: number; span: number }[] = [];
  columns.forEach((c, i) => {
    const last = out[out.length - 1];
    if (last && last.label === c.group) last.span++;
    else out.push({ label: c.group, first: i, span: 1 });
  });
  return out;
}

/** Each column's width in pixels: wide enough for its name, within 100-160 (the epoch column 60). */
function columnWidth(column: Column): number {
  return column.index === 0 ? 60 : Math.max(100, Math.min(160, column.name.length * 8 + 20));
}

/**
 * The grouped header ("weights", "forward", "gradients", ...) as a strip of our own above Handsontable's single
 * header row, scrolled with the grid. Handsontable's NestedHeaders plugin measured every header in a ghost table
 * and made the grid's first draw take 300 ms more.
 */
function createGroupStrip(columns: Column[], onGroup?: (first: Column) => void): { element: HTMLElement; scrollTo(left: number): void } {
  const element = document.createElement('div');
  element.className = 'grid-groups';
  element.setAttribute('role', 'toolbar');
  element.setAttribute('aria-label', 'column groups');
  groupSpans(columns).forEach((g, i) => {
    let width = 0;
    for (let k = g.first; k < g.first + g.span; k++) width += columnWidth(columns[k]);
    const cell = document.createElement('div');
    cell.className = i === 0 ? 'grid-group frozen' : 'grid-group';
    cell.style.width = `${width}px`;
    const label = document.createElement(i === 0 ? 'span' : 'button');
    label.textContent = g.label;
    if (label instanceof HTMLButtonElement) {
      label.type = 'button';
      label.title = `go to ${g.label} (${columns[g.first].name} …)`;
      label.addEventListener('click', () => onGroup?.(columns[g.first]));
      // Only the strip scrolls with the grid: keep focus from scrolling it on its own.
      label.tabIndex = -1;
    }
    cell.append(label);
    element.append(cell);
  });
  return { element, scrollTo: (left) => { element.scrollLeft = left; } };
}

const GROW_STEP_PX = 120;
/** How long the cells an edit changed stay marked. */
const PULSE_MS = 2500;

/** Runs `fn` in a task after the next frame; at once (in a task) in a hidden page, which draws no frames. */
function afterFrame(fn: () => void): void {
  if (document.hidden) setTimeout(fn, 0);
  else requestAnimationFrame(() => setTimeout(fn, 0));
}

/**
 * Lets the grid host grow GROW_STEP_PX at a time, a frame each (Handsontable redraws on the resize), until it fills
 * its box; resolves then. A hidden page gets the full height at once.
 */
function growIntoPlace(host: HTMLElement): Promise<void> {
  host.style.maxHeight = `${GROW_STEP_PX}px`;
  return new Promise((resolve) => {
    const step = () => {
      const limit = parseFloat(host.style.maxHeight);
      if (!host.isConnected || document.hidden || !(limit < host.parentElement!.clientHeight)) {
        host.style.maxHeight = '';
        afterFrame(resolve);
        return;
      }
      host.style.maxHeight = `${limit + GROW_STEP_PX}px`;
      afterFrame(step);
    };
    afterFrame(step);
  });
}

/**
 * The sheet as a grid; a new sheet gets a new grid. Creating it is split over several tasks, none as long as a
 * one-step creation (460-650 ms in headless Chromium on a 2-core machine): Handsontable's set-up, then its first
 * run on a hidden host, then the rows and 791 columns, then the first draw a few rows high, grown to full height
 * a frame at a time (a first draw of a full screen of cells was 200-300 ms). `ready` resolves when it is drawn.
 */
export function createGrid(container: HTMLElement, source: GridSource, cb: GridCallbacks, view?: Column[]): Grid {
  const columns = view ?? source.layout.columns;
  /** Layout index → position in this grid. */
  const position = new Map(columns.map((c, i) => [c.index, i]));
  let pulsing = new Set<string>();
  let precedents = new Set<string>();
  let dependents = new Set<string>();
  let flagged: { row: number; col: number; tip: HTMLElement } | null = null;

  const renderer: Handsontable.GridSettings['renderer'] = (instance, td, row, col, prop, raw, cellProperties) => {
    const value = raw as CellValue;
    textRenderer(instance, td, row, col, prop, formatShort(value), cellProperties);
    const column = columns[col];
    td.title = value === null || value === undefined ? '' : `${column.name} = ${formatFull(value)}`;
    td.classList.add(`k-${column.kind}`);
    const key = cellKey(row, column.index);
    if (precedents.has(key)) td.classList.add('precedent');
    if (dependents.has(key)) td.classList.add('dependent');
    if (pulsing.has(key)) td.classList.add('pulse');
    if (typeof value === 'object' && value !== null) td.classList.add('error');
  };

  const groups = createGroupStrip(columns, cb.onGroup);
  const host = document.createElement('div');
  host.className = 'grid-host';
  container.replaceChildren(groups.element, host);
  // Hidden until it has its rows and columns: Handsontable does not draw a hidden grid.
  host.style.display = 'none';
  let destroyed = false;
  let holder: Element | null = null;
  const syncGroups = () => {
    holder ??= host.querySelector('.ht_master .wtHolder');
    if (holder) groups.scrollTo(holder.scrollLeft);
  };

  // Handsontable.Core is the grid before its first run (`init`, which `new Handsontable` calls at once): the
  // first run follows in a task of its own.
  const hot = new Handsontable.Core(host, {
    licenseKey: 'non-commercial-and-evaluation',
    // The main theme, dark when the system asks for it (prefers-color-scheme).
    themeName: 'ht-theme-main-dark-auto',
    // Tab leaves the grid in one press (the arrow keys move inside it), instead of walking every column of a row.
    tabNavigation: false,
    data: [],
    colHeaders: (i: number) => columns[i]?.name ?? '',
    fixedColumnsStart: 1,
    rowHeaders: false,
    width: '100%',
    height: '100%',
    colWidths: (i: number) => columnWidth(columns[i]),
    autoColumnSize: false,
    autoRowSize: false,
    // Render only a few rows and columns beyond the viewport: the default ("auto") draws several screens of
    // cells in each full draw.
    viewportRowRenderingOffset: 4,
    viewportColumnRenderingOffset: 2,
    outsideClickDeselects: false,
    undo: false,
    fillHandle: false,
    copyPaste: true,
    selectionMode: 'single',
    sanitizer: sanitizeForGrid,
    afterSelection: (row, col) => {
      if (flagged && (flagged.row !== row || flagged.col !== col)) unflag();
      if (row >= 0 && col >= 0) cb.onSelect(row, columns[col]);
    },
    // The editor opens with the cell's number selected, so typing replaces it (a weight is retyped far more
    // often than appended to); the arrow keys still move the caret inside it.
    afterBeginEditing: () => {
      const editor = hot.getActiveEditor() as { TEXTAREA?: HTMLTextAreaElement } | undefined;
      const area = editor?.TEXTAREA;
      if (!area) return;
      const original = area.value;
      area.select();
      // Handsontable puts the caret at the end after this hook: select again, unless typing has begun.
      requestAnimationFrame(() => {
        if (area.value === original) area.select();
      });
    },
    afterScrollVertically: () => placeTip(),
    // Handsontable's scroll holders are role="presentation" with tabindex="-1", which a treegrid may not hold
    // (axe: aria-required-children). Without the tabindex they are plain presentation; they hold the cells (each
    // tabindex -1), so Chromium does not make them Tab stops of their own.
    afterRender: () => {
      for (const h of host.querySelectorAll('.wtHolder[tabindex]')) h.removeAttribute('tabindex');
    },
    afterScrollHorizontally: () => {
      syncGroups();
      placeTip();
    },
    beforeKeyDown: (e: KeyboardEvent) => {
      const sel = hot.getSelectedLast();
      if (!sel || sel[0] < 0 || sel[1] < 0 || source.isEditable(columns[sel[1]])) return;
      const typing = e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey;
      if (typing || e.key === 'Enter' || e.key === 'F2' || e.key === 'Delete' || e.key === 'Backspace') {
        // Say why nothing happens (and keep the selection on the cell) instead of ignoring the key.
        e.stopImmediatePropagation();
        e.preventDefault();
        cb.onReadOnlyEdit?.(sel[0], columns[sel[1]]);
      }
    },
    afterOnCellMouseDown: (event, coords) => {
      const { row, col } = coords;
      if ((event as MouseEvent).detail === 2 && row !== null && col !== null && row >= 0 && col >= 0 && !source.isEditable(columns[col])) {
        cb.onReadOnlyEdit?.(row, columns[col]);
      }
    },
    beforeChange: (changes) => {
      // The grid never stores values: each edit goes to the session, which recomputes the workbook.
      for (const change of changes) {
        if (!change) continue;
        const [row, prop, , next] = change;
        const col = hot.propToCol(prop as string | number);
        if (typeof col === 'number') cb.onEdit(row, columns[col], String(next ?? ''));
      }
      return false;
    },
  });

  // The rows and columns in a task of their own, then the first draw, small, grown a frame at a time.
  let initialised = false;
  const init = () => {
    (hot as unknown as { init(): void }).init();
    initialised = true;
  };
  const ready = (async () => {
    await nextTask();
    if (destroyed) return;
    init();
    hot.rootElement.setAttribute('aria-label', `the Train sheet: one row per epoch, one column per quantity (arrow keys move, Enter edits a yellow cell, Tab leaves)`);
    await nextTask();
    if (destroyed) return;
    hot.updateSettings({
      data: Array.from({ length: source.layout.spec.epochs }, (_, epoch) => ({ epoch })),
      columns: columns.map((column) => ({
        data: (row: unknown, value?: unknown) =>
          value === undefined ? source.value((row as { epoch: number }).epoch, column) : undefined,
        readOnly: !source.isEditable(column),
        renderer,
      })),
    });
    await nextTask();
    if (destroyed) return;
    host.style.display = '';
    await growIntoPlace(host);
  })();

  /** The message just below its cell, or hidden while the cell is scrolled out of view (fixed: above the grid's layers). */
  function placeTip(): void {
    if (!flagged) return;
    const { row, col, tip } = flagged;
    const box = container.getBoundingClientRect();
    const r = hot.getCell(row, col, true)?.getBoundingClientRect();
    const inView = !!r && r.bottom > box.top && r.top < box.bottom && r.right > box.left && r.left < box.right;
    tip.hidden = !inView;
    if (!r || !inView) return;
    tip.style.left = `${Math.max(box.left, Math.min(r.left, box.right - 380))}px`;
    tip.style.top = `${r.bottom + 2}px`;
  }

  function unflag(): void {
    if (!flagged) return;
    const { row, col, tip } = flagged;
    flagged = null;
    tip.remove();
    hot.setCellMeta(row, col, 'valid', true);
    hot.render();
  }

  window.addEventListener('scroll', placeTip, { passive: true });

  return {
    ready,
    refresh: () => hot.render(),
    updateRows(from, to) {
            const view = hot as unknown as Record<'getFirstRenderedVisibleRow' | 'getLastRenderedVisibleRow' | 'getFirstRenderedVisibleColumn' | 'getLastRenderedVisibleColumn', () => number>;
      const firstRow = Math.max(from, view.getFirstRenderedVisibleRow());
      const lastRow = Math.min(to - 1, view.getLastRenderedVisibleRow());
      if (lastRow < firstRow || firstRow < 0) return;
      const cols = [0];
      for (let c = Math.max(1, view.getFirstRenderedVisibleColumn()); c <= view.getLastRenderedVisibleColumn(); c++) cols.push(c);
      for (let row = firstRow; row <= lastRow; row++) {
        for (const col of cols) {
          const td = hot.getCell(row, col, true);
          if (!td) continue;
          const value = source.value(row, columns[col]);
          td.textContent = formatShort(value);
          td.title = value === null || value === undefined ? '' : `${columns[col].name} = ${formatFull(value)}`;
          td.classList.toggle('error', typeof value === 'object' && value !== null);
        }
      }
    },
    columns,
    select(epoch, col, scroll = true) {
      const at = position.get(col.index);
      if (at === undefined) return false;
      hot.selectCell(epoch, at, epoch, at, scroll);
      return true;
    },
    pulse(cells) {
      pulsing = cells;
      hot.render();
      setTimeout(() => {
        if (pulsing !== cells || destroyed) return;
        pulsing = new Set();
        hot.render();
      }, PULSE_MS);
    },
    highlight(p, d) {
      precedents = p;
      dependents = d;
      hot.render();
    },
    flag(epoch, col, message) {
      unflag();
      const at = position.get(col.index);
      if (message === null || at === undefined) return;
      hot.setCellMeta(epoch, at, 'valid', false);
      hot.selectCell(epoch, at, epoch, at, true);
      hot.render();
      const tip = document.createElement('div');
      tip.className = 'cell-message';
      tip.setAttribute('role', 'alert');
      tip.dataset.cell = `epoch ${epoch}, ${col.name}`;
      tip.textContent = message;
      document.body.append(tip);
      flagged = { row: epoch, col: at, tip };
      placeTip();
      requestAnimationFrame(placeTip);
    },
    destroy: () => {
      destroyed = true;
      window.removeEventListener('scroll', placeTip);
      flagged?.tip.remove();
      flagged = null;
      if (!initialised) init(); // what the set-up registered is undone by destroy, which expects a run grid
      hot.destroy();
      container.replaceChildren();
    },
  };
}

export { cellKey };
