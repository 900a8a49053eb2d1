import { breakdownOf, factorCount, type Breakdown, type ChainNode, type ChainTerm } from '../../layout/chain';
import type { Column, Layout } from '../../layout/layout';
import { explainColumn } from '../../explain/explain';
import { formatFull, formatShort } from '../../workbook/format';
import type { GradCheckReply } from '../engine/protocol';
import { node } from './dom';

/**
 * Beside the formula bar: what the selected cell means, its chain-rule breakdown (each factor a link to the cell
 * that holds it, with its value, and the product checked against the cell), and for gradients the row's numerical
 * gradient check. Everything is text nodes: names come from the layout, never parsed as HTML.
 */

export interface ChainPanelHandlers {
  select(column: Column): void;
  gradcheck(epoch: number): void;
}

/** The most expanded breakdown that stays readable. */
const MAX_FACTORS = 24;

export function createChainPanel(container: HTMLElement, handlers: ChainPanelHandlers) {
  const root = document.createElement('section');
  root.className = 'chain-panel';
  container.append(root);
  let check: GradCheckReply | null = null;
  let shown: { layout: Layout; column: Column; epoch: number } | null = null;


  function factorEl(n: ChainNode): HTMLElement {
    if (n.kind === 'sum') {
      const wrap = node('span', 'chain-sum');
      wrap.append('(', ...termsEls(n.terms), ')');
      return wrap;
    }
    const target = n.kind === 'cell' ? n.column : n.heldBy;
    const b = node('button', `chain-factor chain-${n.kind}`);
    b.type = 'button';
    b.dataset.column = target.name;
    b.title = n.kind === 'cell'
      ? `${n.label} = ${formatFull(n.value)} (click to select the cell)`
      : `${n.label} = ${formatFull(n.value)}, computed inside ${target.name}'s formula (click to select it). ${n.explain}`;
    b.append(node('span', 'chain-label', n.label), node('span', 'chain-num', formatShort(n.value)));
    b.addEventListener('click', () => handlers.select(target));
    return b;
  }

  function termsEls(terms: ChainTerm[]): (HTMLElement | string)[] {
    const out: (HTMLElement | string)[] = [];
    terms.forEach((t, i) => {
      if (i > 0 || t.negative) out.push(node('span', 'chain-op', t.negative ? ' − ' : ' + '));
      t.factors.forEach((f, j) => {
        if (j > 0) out.push(node('span', 'chain-op', '·'));
        out.push(factorEl(f));
      });
    });
    return out;
  }

  function equation(b: Breakdown, cellValue: number): HTMLElement {
    const line = node('div', 'chain-line');
    line.append(node('span', 'chain-lhs', `${b.column.name} = `), ...termsEls(b.terms));
    const agree = Math.abs(b.value - cellValue) <= 1e-12 * Math.abs(cellValue) + 1e-15;
    line.append(node('span', `chain-result ${agree ? 'ok' : 'bad'}`,
      ` = ${formatFull(b.value)} ${agree ? '✓ equals the cell' : `✗ the cell holds ${formatFull(cellValue)}`}`));
    return line;
  }

  function checkEl(layout: Layout, column: Column, epoch: number): HTMLElement {
    const box = node('div', 'chain-check');
    if (check && check.epoch === epoch) {
      const mine = check.cells.find((c) => c.col === column.index);
      const worst = check.worst ? layout.columns[check.worst.col] : null;
      box.append(node('div', `chain-check-row ${check.passed ? 'ok' : 'bad'}`,
        `gradient check of epoch ${epoch}: ${check.cells.length} gradient cells, ${check.cells.filter((c) => c.status === 'fail').length} failed` +
        (worst ? `; worst relative error ${check.worst!.relError.toExponential(2)} (${worst.name})` : '') + ` ${check.passed ? '✓' : '✗'}`));
      if (mine) {
        const mark = mine.status === 'pass' ? '✓ pass' : mine.status === 'fail' ? '✗ FAIL' : '– at a kink, not judged';
        box.append(node('div', `chain-check-cell ${mine.status}`,
          `this cell: claimed ${formatFull(mine.claimed)}, numerical ${formatFull(mine.numeric)}, relative error ${mine.relError.toExponential(2)} (threshold ${check.threshold.toExponential(0)}) ${mark}`));
        if (mine.note) box.append(node('div', 'chain-check-note', mine.note));
      }
    } else {
      const b = node('button', 'chain-check-run', `Check this row's gradients numerically`);
      b.type = 'button';
      b.title = 'Nudges each weight in a scratch copy of the row, reads the loss, and compares the slope (central differences) with every ∂L/∂w cell';
      b.addEventListener('click', () => {
        b.disabled = true;
        b.textContent = 'checking…';
        handlers.gradcheck(epoch);
      });
      box.append(b);
    }
    return box;
  }

  function render(valueOf: (col: Column) => number): void {
    root.replaceChildren();
    if (!shown) return;
    const { layout, column, epoch } = shown;
    root.append(node('p', 'chain-explain', explainColumn(layout, column)));
    const first = breakdownOf(layout, column, valueOf);
    if (!first) return;
    const cellValue = valueOf(column);
    root.append(node('h2', 'chain-title', column.kind === 'pre' ? 'the weighted sum' : 'chain rule'));
    root.append(equation(first, cellValue));
    let best = first;
    for (let depth = 1; depth <= 8; depth++) {
      const next = breakdownOf(layout, column, valueOf, { expand: depth })!;
      if (factorCount(next) > MAX_FACTORS || factorCount(next) === factorCount(best)) break;
      best = next;
    }
    if (best !== first) {
      root.append(node('div', 'chain-sub', 'with the deltas spelled out down to the loss:'));
      root.append(equation(best, cellValue));
    }
    if (column.kind === 'grad') root.append(checkEl(layout, column, epoch));
  }

  let lastValueOf: ((col: Column) => number) | null = null;
  return {
    show(layout: Layout, column: Column | null, epoch: number, valueOf: (col: Column) => number): void {
      if (!shown || shown.layout !== layout || shown.epoch !== epoch) check = null;
      shown = column ? { layout, column, epoch } : null;
      lastValueOf = valueOf;
      render(valueOf);
    },
    showCheck(reply: GradCheckReply): void {
      check = reply;
      if (lastValueOf) render(lastValueOf);
    },
    get check() {
      return check;
    },
  };
}
