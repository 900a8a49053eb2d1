import { ACTIVATION_REGISTRY } from '../model/activations';
import { LOSS_REGISTRY } from '../model/losses';
import type { ChainFactor, Column, Layout } from './layout';

/**
 * The chain-rule breakdown of one cell: its value as named factors with their values, read from the layout's
 * `chain` (the same arithmetic as the cell's formula) and the row's values. Deltas can be expanded into their own
 * chains, which spells a gradient out down to the loss: ∂E/∂w1 = (∂E/∂a_o1·∂a_o1/∂o1·w5 + …)·∂a_h1/∂h1·i1.
 */

export type ChainNode =
  /** A cell of the row. */
  | { kind: 'cell'; label: string; column: Column; value: number }
  /** A slope computed inside `heldBy`'s formula (f'(z), ∂loss/∂y); it has no cell of its own. */
  | { kind: 'slope'; label: string; heldBy: Column; value: number; explain: string }
  | { kind: 'sum'; terms: ChainTerm[]; value: number };

/** A product of factors, subtracted when `negative` (w − η·g). */
export interface ChainTerm {
  negative: boolean;
  factors: ChainNode[];
  value: number;
}

export interface Breakdown {
  column: Column;
  /** The cell's value as a sum of products. */
  terms: ChainTerm[];
  /** The breakdown's own arithmetic: equals the cell's value (to rounding). */
  value: number;
}

export interface BreakdownOptions {
  /** How many levels of delta cells to replace by their own chains (0: deltas stay cells). */
  expand?: number;
}

export function hasBreakdown(col: Column): boolean {
  return col.chain !== undefined;
}

/** `valueOf` reads a cell of the row by its column. Null for a column without a chain (weights, data, loss). */
export function breakdownOf(layout: Layout, col: Column, valueOf: (col: Column) => number, options: BreakdownOptions = {}): Breakdown | null {
  if (!col.chain) return null;
  const terms = termsOf(layout, col, valueOf, options.expand ?? 0);
  return { column: col, terms, value: sumOf(terms) };
}

function sumOf(terms: ChainTerm[]): number {
  return terms.reduce((acc, t, i) => (i === 0 ? (t.negative ? -t.value : t.value) : t.negative ? acc - t.value : acc + t.value), 0);
}

function termsOf(layout: Layout, col: Column, valueOf: (col: Column) => number, expand: number): ChainTerm[] {
  return col.chain!.map((factors) => {
    const negative = factors.some((f) => 'minus' in f);
    const nodes = factors.filter((f) => !('minus' in f)).flatMap((f) => nodesOf(layout, col, f, valueOf, expand));
    return { negative, factors: nodes, value: nodes.reduce((acc, n) => acc * n.value, 1) };
  });
}

/** One factor as nodes: an expanded single-term chain splices its factors into the product. */
function nodesOf(layout: Layout, heldBy: Column, f: ChainFactor, valueOf: (col: Column) => number, expand: number): ChainNode[] {
  const cell = (name: string) => layout.column(name);
  if ('cell' in f) {
    const column = cell(f.cell);
    if (expand > 0 && column.kind === 'delta' && column.chain) {
      const terms = termsOf(layout, column, valueOf, expand - 1);
      if (terms.length === 1 && !terms[0].negative) return terms[0].factors;
      return [{ kind: 'sum', terms, value: sumOf(terms) }];
    }
    return [{ kind: 'cell', label: column.name, column, value: valueOf(column) }];
  }
  if ('sum' in f) {
    const terms = f.sum.map((factors) => {
      const nodes = factors.flatMap((g) => nodesOf(layout, heldBy, g, valueOf, expand));
      return { negative: false, factors: nodes, value: nodes.reduce((acc, n) => acc * n.value, 1) };
    });
    return [{ kind: 'sum', terms, value: sumOf(terms) }];
  }
  if ('slope' in f && f.slope === 'activation') {
    const act = ACTIVATION_REGISTRY[f.activation];
    return [{
      kind: 'slope', label: f.label, heldBy, value: act.slope(valueOf(cell(f.pre)), valueOf(cell(f.act))),
      explain: `${f.activation}′(${f.pre}): ${act.explain}`,
    }];
  }
  if ('slope' in f && f.slope === 'loss') {
    const loss = LOSS_REGISTRY[f.loss];
    return [{ kind: 'slope', label: f.label, heldBy, value: loss.slope(valueOf(cell(f.y)), valueOf(cell(f.t)), f.n), explain: loss.explain }];
  }
  throw new Error(`chain: unexpected factor ${JSON.stringify(f)}`);
}

/** How many factors the breakdown shows: the page expands deltas fully only while the result stays readable. */
export function factorCount(b: Breakdown): number {
  const count = (terms: ChainTerm[]): number =>
    terms.reduce((n, t) => n + t.factors.reduce((m, f) => m + (f.kind === 'sum' ? count(f.terms) : 1), 0), 0);
  return count(b.terms);
}

/** The breakdown as one line of text: `∂E/∂w1 = (∂E/∂o1·w5 + ∂E/∂o2·w7)·∂a_h1/∂h1·i1`. */
export function chainText(b: Breakdown, withValues = false): string {
  const node = (n: ChainNode): string => {
    if (n.kind === 'sum') return `(${sum(n.terms)})`;
    return withValues ? `${n.label}[${short(n.value)}]` : n.label;
  };
  const sum = (terms: ChainTerm[]) =>
    terms.map((t, i) => `${i === 0 ? (t.negative ? '−' : '') : t.negative ? ' − ' : ' + '}${t.factors.map(node).join('·')}`).join('');
  return `${b.column.name} = ${sum(b.terms)}`;
}

function short(v: number): string {
  return String(Number(v.toPrecision(6)));
}
