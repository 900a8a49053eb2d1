import type { CellValue } from 'hyperformula';
import type { Layout } from '../../layout/layout';
import { formatFull, formatShort } from '../../workbook/format';
import { addressOf, formatRef, type CellRef } from '../refs';
import { node } from './dom';

/**
 * The watch window, as in Excel: cells pinned at any epoch, each with its value; after an edit, its value before
 * the edit, after it, and the change. The "before" values are taken when an edit starts and kept until the next.
 */

export interface WatchWindow {
  add(refs: CellRef[]): void;
  /** A new sheet: cells of the old one are dropped. */
  clear(): void;
  /** An edit (or undo) starts: take each cell's value as "before". */
  beforeEdit(): void;
  /** Values may have changed: redraw; resolves nothing, returns whether a watched value changed since the last call. */
  refresh(): boolean;
  readonly cells: CellRef[];
}

export interface WatchHandlers {
  layout(): Layout;
  value(ref: CellRef): CellValue;
  go(ref: CellRef): void;
}

const num = (v: CellValue) => (typeof v === 'number' ? v : Number.NaN);

export function createWatchWindow(container: HTMLElement, on: WatchHandlers): WatchWindow {
  const title = node('p', 'panel-title', 'cells you pinned');
  const empty = node('p', 'watch-empty', 'Pin cells here with "Watch this cell" or "Watch its gradients" under the formula bar; after an edit each shows its value before and after.');
  const table = node('table', 'watch-table');
  const head = table.createTHead().insertRow();
  for (const h of ['cell', 'address', 'value', 'before the edit', 'after', 'change', '']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  container.append(title, empty, table);

  let cells: CellRef[] = [];
  let before: Map<string, number> | null = null;
  let shown = new Map<string, number>();

  const key = (r: CellRef) => formatRef(r);

  function draw(): void {
    empty.hidden = cells.length > 0;
    table.hidden = cells.length === 0;
    if (cells.length === 0) {
      body.replaceChildren();
      return;
    }
    const layout = on.layout();
    body.replaceChildren(...cells.map((ref) => {
      const row = body.ownerDocument.createElement('tr');
      row.dataset.cell = key(ref);
      const v = on.value(ref);
      const cell = (text: string, title = '', cls = '') => {
        const td = row.insertCell();
        td.textContent = text;
        if (title) td.title = title;
        if (cls) td.className = cls;
        return td;
      };
      const goto = node('button', 'watch-go', `${ref.column.name} · epoch ${ref.epoch}`);
      goto.type = 'button';
      goto.title = `go to ${formatRef(ref)}`;
      goto.addEventListener('click', () => on.go(ref));
      row.insertCell().append(goto);
      cell(addressOf(layout, ref));
      cell(formatShort(v), formatFull(v), 'watch-value');
      const b = before?.get(key(ref));
      if (before && b !== undefined) {
        const after = num(v);
        const change = after - b;
        cell(formatShort(b), formatFull(b), 'watch-before');
        cell(formatShort(after), formatFull(after), 'watch-after');
        cell(Number.isNaN(change) ? '—' : `${change > 0 ? '+' : ''}${formatShort(change)}`, Number.isNaN(change) ? '' : formatFull(change), `watch-change${change === 0 ? ' same' : ''}`);
      } else {
        cell('', '', 'watch-before');
        cell('', '', 'watch-after');
        cell('', '', 'watch-change');
      }
      const remove = node('button', 'watch-remove', '×');
      remove.type = 'button';
      remove.setAttribute('aria-label', `stop watching ${formatRef(ref)}`);
      remove.addEventListener('click', () => {
        cells = cells.filter((c) => key(c) !== key(ref));
        draw();
      });
      row.insertCell().append(remove);
      return row;
    }));
  }
  draw();

  return {
    get cells() {
      return cells;
    },
    add(refs) {
      const have = new Set(cells.map(key));
      cells = [...cells, ...refs.filter((r) => !have.has(key(r)))];
      draw();
    },
    clear() {
      cells = [];
      before = null;
      shown = new Map();
      draw();
    },
    beforeEdit() {
      before = new Map(cells.map((r) => [key(r), num(on.value(r))]));
      draw();
    },
    refresh() {
      const next = new Map(cells.map((r) => [key(r), num(on.value(r))]));
      const changed = cells.some((r) => !Object.is(next.get(key(r)), shown.get(key(r))));
      shown = next;
      if (changed) draw();
      return changed;
    },
  };
}
