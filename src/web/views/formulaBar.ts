import type { CellValue } from 'hyperformula';
import type { Column } from '../../layout/layout';
import { namedFormula } from '../../workbook/formulas';
import { formatFull } from '../../workbook/format';

/** Shows the selected cell: address, name, A1 formula, the formula with names, the value at full precision. */

export interface FormulaBarCell {
  address: string;
  epoch: number;
  column: Column;
  formula: string | null;
  value: CellValue;
}

/** `=w5*a_h1+w6*a_h2` as people write it: `= w5·a_h1 + w6·a_h2`. */
export function prettyFormula(formula: string): string {
  return formula
    .replace(/^=/, '= ')
    .replace(/\*/g, '·')
    .replace(/\+/g, ' + ')
    .replace(/([\w)\]'’])-/g, '$1 − ');
}

export function createFormulaBar(container: HTMLElement): { show(cell: FormulaBarCell | null): void } {
  const field = (cls: string, label: string) => {
    const wrap = document.createElement('div');
    wrap.className = `fb-field fb-${cls}`;
    const l = document.createElement('span');
    l.className = 'fb-label';
    l.textContent = label;
    const v = document.createElement('output');
    v.className = 'fb-value';
    v.dataset.field = cls;
    wrap.append(l, v);
    container.append(wrap);
    return v;
  };
  const address = field('address', 'cell');
  const name = field('name', 'name');
  const a1 = field('formula', 'formula');
  const named = field('named', 'with names');
  const value = field('full', 'value');
  return {
    show(cell) {
      address.textContent = cell ? cell.address : '';
      name.textContent = cell ? `${cell.column.name} · epoch ${cell.epoch}` : '';
      a1.textContent = cell ? (cell.formula ?? '(a number: edit it)') : '';
      const n = cell?.formula ? namedFormula(cell.column) : null;
      named.textContent = n ? prettyFormula(n) : '';
      value.textContent = cell ? formatFull(cell.value) : '';
    },
  };
}
