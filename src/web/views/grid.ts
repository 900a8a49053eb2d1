import Handsontable from 'handsontable';
import 'handsontable/styles/handsontable.min.css';
import 'handsontable/styles/ht-theme-main.min.css';
import type { CellValue } from 'hyperformula';
import type { Column, Layout } from '../../layout/layout';
import { formatFull, formatShort } from '../../workbook/format';

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
}

export interface Grid {
  /** Redraw the visible cells. */
  refresh(): void;
  /**
   * Rewrite the text of the visible cells of epochs from..to-1, without a full redraw: while training or after an
   * edit only values change, and a full Handsontable redraw measures every row again (120-165 ms for a screenful).
   */
  updateRows(from: number, to: number): void;
  select(epoch: number, col: Column, scroll?: boolean): void;
  /** Highlight the cells a selected cell reads (precedents) and the cells that read it (dependents). */
  highlight(precedents: Set<string>, dependents: Set<string>): void;
  destroy(): void;
}

const cellKey = (row: number, col: number) => `${row},${col}`;

/** Consecutive columns of the same group become one spanning header. */
function groupHeaders(columns: Column[]): { label: string; colspan: number }[] {
  const out: { label: string; colspan: number }[] = [];
  for (const c of columns) {
    const last = out[out.length - 1];
    if (last && last.label === c.group) last.colspan++;
    else out.push({ label: c.group, colspan: 1 });
  }
  return out;
}

export function createGrid(container: HTMLElement, session: GridSource, cb: GridCallbacks): Grid {
  const { layout } = session;
  const { columns } = layout;
  let precedents = new Set<string>();
  let dependents = new Set<string>();
  const rows = Array.from({ length: layout.spec.epochs }, (_, epoch) => ({ epoch }));

  const renderer: Handsontable.GridSettings['renderer'] = (hot, td, row, col, prop, raw, cellProperties) => {
    const value = raw as CellValue;
    Handsontable.renderers.TextRenderer(hot, td, row, col, prop, formatShort(value), cellProperties);
    const column = columns[col];
    td.title = value === null || value === undefined ? '' : `${column.name} = ${formatFull(value)}`;
    td.classList.add(`k-${column.kind}`);
    const key = cellKey(row, col);
    if (precedents.has(key)) td.classList.add('precedent');
    if (dependents.has(key)) td.classList.add('dependent');
    if (typeof value === 'object' && value !== null) td.classList.add('error');
  };

  const hot = new Handsontable(container, {
    licenseKey: 'non-commercial-and-evaluation',
    themeName: 'ht-theme-main',
    data: rows,
    columns: columns.map((column) => ({
      data: (row: unknown, value?: unknown) =>
        value === undefined ? session.value((row as { epoch: number }).epoch, column) : undefined,
      readOnly: !session.isEditable(column),
      renderer,
    })),
    nestedHeaders: [groupHeaders(columns), columns.map((c) => c.name)],
    fixedColumnsStart: 1,
    rowHeaders: false,
    width: '100%',
    height: '100%',
    colWidths: (i: number) => (i === 0 ? 60 : Math.max(100, Math.min(160, columns[i].name.length * 8 + 20))),
    autoColumnSize: false,
    autoRowSize: false,
    outsideClickDeselects: false,
    undo: false,
    fillHandle: false,
    copyPaste: true,
    selectionMode: 'single',
    afterSelection: (row, col) => {
      if (row >= 0 && col >= 0) cb.onSelect(row, columns[col]);
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

  return {
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
          const value = session.value(row, columns[col]);
          td.textContent = formatShort(value);
          td.title = value === null || value === undefined ? '' : `${columns[col].name} = ${formatFull(value)}`;
          td.classList.toggle('error', typeof value === 'object' && value !== null);
        }
      }
    },
    select(epoch, col, scroll = true) {
      hot.selectCell(epoch, col.index, epoch, col.index, scroll);
    },
    highlight(p, d) {
      precedents = p;
      dependents = d;
      hot.render();
    },
    destroy: () => hot.destroy(),
  };
}

export { cellKey };
