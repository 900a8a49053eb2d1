import type { CellValue } from 'hyperformula';
import type { Column, Layout } from '../../layout/layout';
import { copiedFrom, copiedTo, paramCells } from '../../layout/related';
import { namedFormula } from '../../workbook/formulas';
import { formatFull } from '../../workbook/format';
import { addressOf, type CellRef } from '../refs';
import { node } from './dom';
import { createNameBox, type NameBox } from './nameBox';

/**
 * Shows the selected cell: the Name Box (its address; type a name or an address to go there), name and epoch, A1
 * formula, the formula with names, the value at full precision; under them the cells that belong with it (a
 * weight's gradients, velocity and new weights, where a copied weight came from) as links, and the buttons to
 * follow the weight and watch cells.
 */

export interface FormulaBarCell {
  layout: Layout;
  epoch: number;
  column: Column;
  formula: string | null;
  value: CellValue;
  editable: boolean;
}

export interface FormulaBarHandlers {
  go(ref: CellRef): void;
  error(message: string): void;
  /** The epoch a name typed without one goes to (the selected row). */
  epoch(): number;
  watch(refs: CellRef[]): void;
  follow(param: number | null): void;
  /** The parameter followed now, or null. */
  following(): number | null;
}

/** `=w5*a_h1+w6*a_h2` as people write it: `= w5·a_h1 + w6·a_h2`. */
export function prettyFormula(formula: string): string {
  return formula
    .replace(/^=/, '= ')
    .replace(/\*/g, '·')
    .replace(/\+/g, ' + ')
    .replace(/([\w)\]'’])-/g, '$1 − ');
}

/** What the formula field says of a cell that holds a number. */
function numberText(cell: FormulaBarCell): string {
  const from = copiedFrom(cell.layout, cell.column, cell.epoch);
  if (from) return `= ${from.column.name} of epoch ${from.epoch} (${addressOf(cell.layout, from)}), copied by the driver; a number: edit it`;
  if (cell.column.kind === 'epoch') return '(the epoch number: not editable)';
  if (cell.column.kind === 'sample') return '(the sample drawn for this step, set from the seed: not editable)';
  return cell.editable ? '(a number: edit it)' : '(a number)';
}

export function createFormulaBar(container: HTMLElement, on: FormulaBarHandlers): { show(cell: FormulaBarCell | null): void; nameBox: NameBox } {
  const field = (cls: string, label: string) => {
    const wrap = document.createElement('div');
    wrap.className = `fb-field fb-${cls}`;
    const l = document.createElement('span');
    l.className = 'fb-label';
    l.textContent = label;
    wrap.append(l);
    container.append(wrap);
    return wrap;
  };
  const output = (cls: string, label: string) => {
    const v = document.createElement('output');
    v.className = 'fb-value';
    v.dataset.field = cls;
    // An <output> is a live region: five of them would each be announced on every selection. The grid's cell says
    // where you are; these are read when visited.
    v.setAttribute('aria-live', 'off');
    const wrap = field(cls, label);
    const l = wrap.querySelector('.fb-label')!;
    l.id = `fb-label-${cls}`;
    v.setAttribute('aria-labelledby', l.id);
    wrap.append(v);
    return v;
  };
  const nameBox = createNameBox(field('address', 'Name Box'), on);
  const name = output('name', 'name');
  const a1 = output('formula', 'formula');
  const named = output('named', 'with names');
  const value = output('full', 'value');
  const links = node('nav', 'fb-links');
  links.setAttribute('aria-label', 'related cells');
  container.append(links);

  const link = (text: string, title: string, act: () => void, cls = 'fb-link') => {
    const b = node('button', cls, text);
    b.type = 'button';
    b.title = title;
    b.addEventListener('click', act);
    return b;
  };
  const go = (layout: Layout, ref: CellRef) =>
    link(ref.column.name, `go to ${ref.column.name} of epoch ${ref.epoch} (${addressOf(layout, ref)})`, () => on.go(ref));
  const group = (label: string, items: HTMLElement[]) => {
    const span = node('span', 'fb-link-group', `${label} `);
    span.append(...items);
    return span;
  };

  function showLinks(cell: FormulaBarCell): void {
    const { layout, column, epoch } = cell;
    // The buttons first, so they stay in view; the links after them.
    const actions: HTMLElement[] = [];
    const parts: HTMLElement[] = [];
    const from = copiedFrom(layout, column, epoch);
    if (from) parts.push(group('copied from', [go(layout, from)]));
    const to = copiedTo(layout, column, epoch);
    if (to) parts.push(group('copied into', [go(layout, to)]));
    const own = paramCells(layout, column);
    if (own) {
      const at = (columns: Column[]) => columns.filter((c) => c !== column).map((c) => go(layout, { epoch, column: c }));
      if (column !== own.weight) parts.push(group('weight', [go(layout, { epoch, column: own.weight })]));
      if (own.grads.length) parts.push(group(own.grads.length > 1 ? 'gradients' : 'gradient', at(own.grads)));
      if (own.velocity && column !== own.velocity) parts.push(group('velocity', [go(layout, { epoch, column: own.velocity })]));
      if (own.newVelocities.length) parts.push(group('new velocity', at(own.newVelocities)));
      if (own.newWeights.length) parts.push(group('new weight', at(own.newWeights)));
      actions.push(link(`Watch ${own.grads.length > 1 ? 'its gradients' : 'its gradient'}`,
        `pin ${own.grads.map((g) => g.name).join(', ')} of epoch ${epoch} to the watch window`,
        () => on.watch(own.grads.map((g) => ({ epoch, column: g }))), 'fb-action'));
      const following = on.following() === own.param;
      const follow = link(following ? `Stop following ${own.weight.name}` : `Follow ${own.weight.name}`,
        following ? 'show every column again' : `show only the columns on ${own.weight.name}'s chain: the weight, the forward cells it feeds, the loss, its delta, gradient(s), velocity and new weight`,
        () => on.follow(following ? null : own.param), 'fb-action');
      follow.setAttribute('aria-pressed', String(following));
      actions.unshift(follow);
    }
    actions.push(link('Watch this cell', `pin ${column.name} of epoch ${epoch} to the watch window`, () => on.watch([{ epoch, column }]), 'fb-action'));
    links.replaceChildren(...actions, ...parts);
  }

  return {
    nameBox,
    show(cell) {
      nameBox.show(cell ? addressOf(cell.layout, cell) : '');
      name.textContent = cell ? `${cell.column.name} · epoch ${cell.epoch}` : '';
      a1.textContent = cell ? (cell.formula ?? numberText(cell)) : '';
      const n = cell?.formula ? namedFormula(cell.column) : null;
      named.textContent = n ? prettyFormula(n) : '';
      value.textContent = cell ? formatFull(cell.value) : '';
      if (cell) showLinks(cell);
      else links.replaceChildren();
    },
  };
}
