import { a1 } from './address';
import type { CheckEngine } from './engine';
import { cellKey, type CellRef, type CheckPlan, type GradientResult } from './types';

/**
 * The correct gradient formula for the classic network (sigmoid units in one hidden layer, E = Σ ½(t − a)²), written
 * in the sheet's own addresses. The network's wiring is read from the cells themselves, not from their headers:
 * each weight's node is the forward cell that reads it, the value it multiplies there is the node's slope with
 * respect to it, a node's activation is the cell reading it that equals σ(node), and an output's target is the
 * other cell its loss term reads. A formula is offered only when, put in the cell, it equals the numerical
 * derivative.
 */

const near = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1e-300);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

interface Unit {
  node: CellRef;
  act: CellRef;
}

export interface Wiring {
  /** Per weight: the node it feeds and the value it multiplies there. */
  feeds: Map<string, { unit: Unit; input: CellRef }>;
  /** Per output unit (by node key): its target and whether its loss term lacks the ½ (then ∂E/∂a = 2(a − t)). */
  outputs: Map<string, { unit: Unit; target: CellRef; twice: boolean }>;
  weights: Map<string, CellRef>;
}

/** Reads the wiring from a scratch engine of the first row (the plan's cells); null when it is not the classic net. */
export function classicWiring(engine: CheckEngine, plan: CheckPlan): Wiring | null {
  if (plan.steps.length !== 1) return null;
  const step = plan.steps[0];
  const weights = new Set(step.params.map((p) => cellKey(p.weight)));
  const feeds = new Map<string, { unit: Unit; input: CellRef }>();
  const units = new Map<string, Unit>();
  // The forward pass: what the loss reads (gradient cells read weights too, but the loss does not read them).
  const forward = new Set<string>();
  const stack = [step.loss];
  while (stack.length) {
    for (const c of engine.precedents(stack.pop()!).cells) {
      if (forward.has(cellKey(c))) continue;
      forward.add(cellKey(c));
      stack.push(c);
    }
  }
  for (const p of step.params) {
    const readers = engine.dependents(p.weight).filter((d) => forward.has(cellKey(d)));
    if (readers.length !== 1) return null;
    const node = readers[0];
    const w = engine.number(p.weight);
    const n0 = engine.number(node);
    if (w === null || n0 === null) return null;
    const h = 1e-4 * Math.max(1, Math.abs(w));
    engine.setNumber(p.weight, w + h);
    const up = engine.number(node);
    engine.setNumber(p.weight, w - h);
    const down = engine.number(node);
    engine.restore(p.weight);
    if (up === null || down === null) return null;
    const slope = (up - down) / (2 * h);
    const input = engine.precedents(node).cells.find((c) => !weights.has(cellKey(c)) && engine.number(c) !== null && near(engine.number(c)!, slope, 1e-6));
    if (!input) return null;
    let unit = units.get(cellKey(node));
    if (!unit) {
      const act = engine.dependents(node).find((d) => forward.has(cellKey(d)) && engine.number(d) !== null && near(engine.number(d)!, sigmoid(n0), 1e-12));
      if (!act) return null;
      unit = { node, act };
      units.set(cellKey(node), unit);
    }
    feeds.set(p.name, { unit, input });
  }
  const inputs = new Set([...feeds.values()].map((f) => cellKey(f.input)));
  const outputs = new Map<string, { unit: Unit; target: CellRef; twice: boolean }>();
  const loss = engine.number(step.loss);
  let sum = 0;
  for (const unit of units.values()) {
    if (inputs.has(cellKey(unit.act))) continue; // a hidden unit: its activation feeds another layer
    // Its loss term: a cell reading the activation and one other cell (the target) that equals ½(t − a)² or (t − a)².
    const a = engine.number(unit.act);
    let found: { target: CellRef; twice: boolean; e: number } | null = null;
    for (const term of engine.dependents(unit.act).filter((d) => forward.has(cellKey(d)))) {
      const reads = engine.precedents(term).cells;
      const target = reads.find((c) => cellKey(c) !== cellKey(unit.act));
      if (reads.length !== 2 || !target) continue;
      const e = engine.number(term), t = engine.number(target);
      if (e === null || t === null || a === null || a === t) continue;
      const ratio = e / ((t - a) ** 2);
      if (near(ratio, 0.5) || near(ratio, 1)) {
        found = { target, twice: near(ratio, 1), e };
        break;
      }
    }
    if (!found) return null;
    outputs.set(cellKey(unit.node), { unit, target: found.target, twice: found.twice });
    sum += found.e;
  }
  if (outputs.size === 0 || loss === null || !near(sum, loss)) return null;
  return { feeds, outputs, weights: new Map(step.params.map((p) => [p.name, p.weight])) };
}

/** "(R33-A33)*R33*(1-R33)": δ of an output unit (with 2* when its loss term lacks the ½). */
function outputDelta(o: { unit: Unit; target: CellRef; twice: boolean }, sheet: string): string {
  const a = a1(o.unit.act, sheet);
  return `${o.twice ? '2*' : ''}(${a}-${a1(o.target, sheet)})*${a}*(1-${a})`;
}

/** The correct formula (without "=") of `weight`'s gradient in the first row, or null. */
export function classicGradientFormula(wiring: Wiring, weight: string, sheet: string): string | null {
  const f = wiring.feeds.get(weight);
  if (!f) return null;
  const x = a1(f.input, sheet);
  const out = wiring.outputs.get(cellKey(f.unit.node));
  if (out) return `${outputDelta(out, sheet)}*${x}`;
  // A hidden unit: the sum over the outputs it feeds, each δ times the weight from this unit to that output.
  const terms: string[] = [];
  for (const [name, g] of wiring.feeds) {
    if (cellKey(g.input) !== cellKey(f.unit.act)) continue;
    const o = wiring.outputs.get(cellKey(g.unit.node));
    if (!o) return null;
    terms.push(`${outputDelta(o, sheet)}*${a1(wiring.weights.get(name)!, sheet)}`);
  }
  if (terms.length === 0) return null;
  const a = a1(f.unit.act, sheet);
  return `(${terms.join('+')})*${a}*(1-${a})*${x}`;
}

/** Formulas for the failing gradients, each put in the engine and kept only when it equals the numerical derivative. */
export function fixFormulas(engine: CheckEngine, plan: CheckPlan, failing: GradientResult[]): Map<string, string> {
  const out = new Map<string, string>();
  const wiring = classicWiring(engine, plan);
  if (!wiring) return out;
  for (const g of failing) {
    const p = plan.steps[0].params.find((q) => q.name === g.weight);
    if (!p || g.numeric === null) continue;
    const formula = classicGradientFormula(wiring, g.weight, plan.sheet);
    if (!formula) continue;
    engine.hf.setCellContents(engine.address(p.gradient), `=${formula}`);
    const v = engine.number(p.gradient);
    if (v !== null && near(v, g.numeric, 1e-6)) out.set(g.weight, formula);
  }
  return out;
}
