import { a1, namedFormula } from './address';
import { fivePointSlope, relativeError } from '../numeric/differences';
import { fmt } from './format';
import type { CheckEngine } from './engine';
import { adamForm, type AdamForm } from './adamRule';
import { cellKey, type CellRead, type CellRef, type CheckPlan, type GradientResult, type ParamPlan, type Setting, type StepPlan, type UpdateResult } from './types';

/**
 * The checks, run through the formula engine itself. For each weight, the loss is recomputed with the weight nudged
 * to w ± h and w ± 2h (every other cell as the sheet computes it), and the five-point central difference
 * (−L(w+2h) + 8L(w+h) − 8L(w−h) + L(w−2h)) / 12h, accurate to O(h⁴), is compared with the gradient cell. Then the
 * update: the weight the next iteration starts from must equal w − η·(claimed gradient) (with momentum:
 * v' = μ·v + g and w − η·v').
 */

export const GRADIENT_TOLERANCE = 1e-6;
export const UPDATE_TOLERANCE = 1e-9;
/** The nudge: h = STEP · max(1, |w|). */
export const STEP = 1e-4;
/** Rounding in the loss, in units of its last place, that a difference quotient may carry. */
const NOISE_ULPS = 100;
/** Size of a gradient below which the rounding of the loss hides it: floor = FLOOR_FACTOR · ε · |L| / h. */
const FLOOR_FACTOR = NOISE_ULPS / GRADIENT_TOLERANCE;
const MAX_WALK = 50_000;

export const METHOD =
  `five-point central differences through HyperFormula, h = ${STEP.toExponential()}·max(1, |w|). ` +
  `A gradient passes when |claimed − numerical| / max(|claimed|, |numerical|, floor) < ${GRADIENT_TOLERANCE.toExponential()} ` +
  `(floor = 1e8·ε·S/h, S the largest magnitude among the loss and the cells it reads within two steps: ` +
  `smaller gradients are hidden by the loss's rounding); ` +
  `an update when |actual − expected| / max(|actual|, |expected|) < ${UPDATE_TOLERANCE.toExponential()}.`;

type Namer = (ref: CellRef) => string | null;

interface Ctx {
  engine: CheckEngine;
  plan: CheckPlan;
  nameOf: Namer;
  notes: string[];
}

const show = (ctx: Ctx, ref: CellRef) => {
  const name = ctx.nameOf(ref);
  const at = a1(ref, ctx.plan.sheet);
  return name ? `${name} (${at})` : at;
};
const label = (ctx: Ctx, ref: CellRef) => ctx.nameOf(ref) ?? a1(ref, ctx.plan.sheet);

/** Every cell `from` reads, directly or through other cells (capped). */
function precedentClosure(engine: CheckEngine, from: CellRef[]): Map<string, CellRef> {
  const seen = new Map<string, CellRef>();
  const stack = [...from];
  while (stack.length && seen.size < MAX_WALK) {
    const ref = stack.pop()!;
    for (const p of engine.precedents(ref).cells) {
      const k = cellKey(p);
      if (seen.has(k)) continue;
      seen.set(k, p);
      stack.push(p);
    }
  }
  return seen;
}

/** Every cell that reads `from`, directly or through other cells, among `within`. */
function dependentsWithin(engine: CheckEngine, from: CellRef, within: Map<string, CellRef>): Map<string, CellRef> {
  const seen = new Map<string, CellRef>();
  const stack = [from];
  while (stack.length && seen.size < MAX_WALK) {
    const ref = stack.pop()!;
    for (const d of engine.dependents(ref)) {
      const k = cellKey(d);
      if (seen.has(k) || !within.has(k)) continue;
      seen.set(k, d);
      stack.push(d);
    }
  }
  return seen;
}

/**
 * The size of the numbers the loss is computed from: the largest magnitude among the loss and the cells it reads
 * within two steps. The loss's rounding error scales with it, not with the loss itself: an L1 loss |y − t| of 1e-3
 * computed from y ≈ 1 carries an error of ε·1, not ε·1e-3.
 */
function magnitudeNear(engine: CheckEngine, loss: CellRef): number {
  let scale = Math.abs(engine.number(loss) ?? 0);
  let level = [loss];
  for (let depth = 0; depth < 2; depth++) {
    const next: CellRef[] = [];
    for (const ref of level) {
      for (const p of engine.precedents(ref).cells) {
        const v = engine.number(p);
        if (v !== null) scale = Math.max(scale, Math.abs(v));
        next.push(p);
      }
    }
    level = next.slice(0, 10_000);
  }
  return scale;
}

function settingValue(engine: CheckEngine, s: Setting | undefined): number | null {
  if (s === undefined) return null;
  return typeof s === 'number' ? s : engine.number(s);
}

const relErr = relativeError;

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b)) + 1e-300;

/** Where a spreadsheet error in `ref` comes from: the first cell down its precedents that errs on its own. */
function errorOrigin(engine: CheckEngine, ref: CellRef, sheet: string): string {
  const seen = new Set<string>();
  let at = ref;
  for (let depth = 0; depth < 200; depth++) {
    seen.add(cellKey(at));
    const bad = engine.precedents(at).cells.find((p) => !seen.has(cellKey(p)) && engine.error(p));
    if (!bad) break;
    at = bad;
  }
  const err = engine.error(at);
  const formula = engine.formula(at);
  return `${a1(at, sheet)}${formula ? ` (=${formula})` : ''} gives ${err?.value ?? 'an error'}${err?.message ? `: ${err.message}` : ''}`;
}

/** Name shape for spotting a sibling: the last number replaced, a step suffix kept ("a_h1[2]" → "a_h#[2]"). */
function shape(name: string): string | null {
  const m = /^(.*?)(\d+)(\D*)$/.exec(name.replace(/\[\d+\]$/, ''));
  if (!m) return null;
  const suffix = /\[\d+\]$/.exec(name)?.[0] ?? '';
  return `${m[1]}#${m[3]}${suffix}`;
}

function formulaWithNames(ctx: Ctx, ref: CellRef): string | null {
  const f = ctx.engine.formula(ref);
  return f === null ? null : `=${namedFormula(f, ref.sheet, (r) => ctx.nameOf(r))}`;
}

/** What a formula reads, expanding cells that are not part of the forward pass (deltas, other gradients). */
function readsOf(ctx: Ctx, ref: CellRef, forward: Map<string, CellRef>, weights: Set<string>, depth = 0, seen = new Set<string>(), maxDepth = 4): CellRead[] {
  const out: CellRead[] = [];
  for (const p of ctx.engine.precedents(ref).cells) {
    const k = cellKey(p);
    if (seen.has(k)) continue;
    seen.add(k);
    const v = ctx.engine.value(p);
    const read: CellRead = {
      address: a1(p, ctx.plan.sheet),
      name: ctx.nameOf(p),
      value: typeof v === 'number' || typeof v === 'string' ? v : v === null ? null : String((v as { value?: unknown }).value ?? v),
      formula: formulaWithNames(ctx, p),
      isWeight: weights.has(k),
    };
    if (!forward.has(k) && ctx.engine.isFormula(p) && depth < maxDepth) read.reads = readsOf(ctx, p, forward, weights, depth + 1, seen, maxDepth);
    out.push(read);
  }
  return out;
}

interface Nudged {
  numeric: number;
  /** Centred differences with h and 2h, and one-sided slopes, for spotting a kink. */
  c1: number;
  c2: number;
  /** Second differences with steps h and 2h. */
  d2h: number;
  d22h: number;
  left: number;
  right: number;
  h: number;
  lossScale: number;
  /** ∂(cell)/∂w of each forward cell that reads the weight directly. */
  slopes: Map<string, number>;
}

function nudge(engine: CheckEngine, weight: CellRef, loss: CellRef, readers: CellRef[]): Nudged | { error: string } {
  const w0 = engine.number(weight)!;
  const L0 = engine.number(loss)!;
  const h = STEP * Math.max(1, Math.abs(w0));
  const at: Record<number, number> = {};
  const readerAt: Record<number, number[]> = {};
  try {
    for (const k of [-2, -1, 1, 2]) {
      engine.setNumber(weight, w0 + k * h);
      const L = engine.number(loss);
      if (L === null) {
        const e = engine.error(loss);
        return { error: `the loss is not a number at ${weight.sheet === loss.sheet ? '' : `${weight.sheet}!`}w ${k > 0 ? '+' : '−'} ${Math.abs(k)}h (${e?.value ?? 'empty'})` };
      }
      at[k] = L;
      readerAt[k] = readers.map((r) => engine.number(r) ?? NaN);
    }
  } finally {
    engine.restore(weight);
  }
  const slopes = new Map<string, number>();
  readers.forEach((r, i) => slopes.set(cellKey(r), (readerAt[1][i] - readerAt[-1][i]) / (2 * h)));
  return {
    numeric: fivePointSlope(at as { [k in -2 | -1 | 1 | 2]: number }, h),
    c1: (at[1] - at[-1]) / (2 * h),
    c2: (at[2] - at[-2]) / (4 * h),
    d2h: (at[1] - 2 * L0 + at[-1]) / (h * h),
    d22h: (at[2] - 2 * L0 + at[-2]) / (4 * h * h),
    left: (L0 - at[-1]) / h,
    right: (at[1] - L0) / h,
    h,
    lossScale: Math.max(Math.abs(L0), ...Object.values(at).map(Math.abs)),
    slopes,
  };
}

function checkGradient(ctx: Ctx, step: StepPlan, p: ParamPlan, forward: Map<string, CellRef>, weights: Set<string>, scale: number): GradientResult {
  const { engine } = ctx;
  const base = {
    step: step.label,
    weight: p.name,
    weightAddress: a1(p.weight, ctx.plan.sheet),
    gradient: label(ctx, p.gradient),
    gradientAddress: a1(p.gradient, ctx.plan.sheet),
    formula: formulaWithNames(ctx, p.gradient),
    hints: [] as string[],
  };
  const skipped = (note: string): GradientResult => ({ ...base, claimed: null, numeric: null, relError: null, status: 'skipped', note });
  const claimed = engine.number(p.gradient);
  if (claimed === null) {
    const e = engine.error(p.gradient);
    return skipped(e ? `the gradient cell does not compute: ${errorOrigin(engine, p.gradient, ctx.plan.sheet)}` : 'the gradient cell holds no number');
  }
  if (engine.number(p.weight) === null) return skipped(`the weight cell ${show(ctx, p.weight)} holds no number`);
  if (!forward.has(cellKey(p.weight))) {
    // The loss does not read the weight at all: its derivative is 0.
    const status = claimed === 0 ? 'pass' : 'fail';
    return {
      ...base, claimed, numeric: 0, relError: claimed === 0 ? 0 : 1, status,
      note: `${label(ctx, step.loss)} does not read ${p.name} at all, so its derivative is 0`,
      ...(status === 'fail' ? { reads: readsOf(ctx, p.gradient, forward, weights) } : {}),
    };
  }
  const readers = engine.dependents(p.weight).filter((d) => forward.has(cellKey(d)));
  const n = nudge(engine, p.weight, step.loss, readers);
  if ('error' in n) return skipped(n.error);
  const floor = FLOOR_FACTOR * Number.EPSILON * Math.max(n.lossScale, scale) / n.h;
  let numeric = n.numeric;
  let note: string | undefined;
  let status: GradientResult['status'];
  let rel = relErr(claimed, numeric, floor);
  // A kink within ±h of w (|x| or ReLU at 0, a sign() that flips): the one-sided slopes differ by far more than
  // the curvature explains, and the second difference at h is not the one at 2h (it is twice it at a kink).
  const kinkHere = relErr(n.left, n.right, floor) > 1e-3 && relErr(n.d2h, n.d22h) > 0.25;
  // A kink between h and 2h from w: the centred differences over ±h and ±2h disagree.
  const kinkNear = !kinkHere && relErr(n.c1, n.c2, floor) > 1e-3;
  if (kinkHere) {
    const lo = Math.min(n.left, n.right), hi = Math.max(n.left, n.right);
    const slack = GRADIENT_TOLERANCE * Math.max(Math.abs(lo), Math.abs(hi), floor);
    status = claimed >= lo - slack && claimed <= hi + slack ? 'kink' : 'fail';
    note = `the loss has a kink at this point (a |x| or ReLU at 0, or a sign() that flips): its slope is ${fmt(n.left)} just below w and ${fmt(n.right)} just above; ` +
      (status === 'kink' ? 'the claimed value lies between them, a valid subgradient' : 'the claimed value is neither');
  } else if (rel < GRADIENT_TOLERANCE) {
    status = 'pass';
  } else if (kinkNear) {
    numeric = n.c1;
    rel = relErr(claimed, numeric, floor);
    status = rel < 1e-4 ? 'pass' : 'fail';
    note = `the loss has a kink between w ± h and w ± 2h, so the claimed value is compared with the two-point central difference over ±h${status === 'pass' ? ' (to 1e-4)' : ''}`;
  } else {
    status = 'fail';
  }
  const result: GradientResult = { ...base, claimed, numeric, relError: rel, status, ...(note ? { note } : {}) };
  if (status === 'fail') {
    result.reads = readsOf(ctx, p.gradient, forward, weights);
    result.hints = diagnose(ctx, p, claimed, numeric, forward, weights, readers, n.slopes);
  }
  return result;
}

/** What looks wrong in a failing gradient: a sibling read in place of the cell the chain rule needs, a factor missing. */
function diagnose(
  ctx: Ctx, p: ParamPlan, claimed: number, numeric: number, forward: Map<string, CellRef>, weights: Set<string>,
  readers: CellRef[], slopes: Map<string, number>,
): string[] {
  const { engine } = ctx;
  const hints: string[] = [];
  const path = dependentsWithin(engine, p.weight, forward);
  const readKeys = new Set<string>();
  const readRefs: CellRef[] = [];
  const walk = (ref: CellRef, depth: number) => {
    for (const q of engine.precedents(ref).cells) {
      const k = cellKey(q);
      if (readKeys.has(k)) continue;
      readKeys.add(k);
      readRefs.push(q);
      if (!forward.has(k) && engine.isFormula(q) && depth < 6) walk(q, depth + 1);
    }
  };
  walk(p.gradient, 0);
  const forwardReads = readRefs.filter((r) => forward.has(cellKey(r)));
  const shapeOf = (r: CellRef) => {
    const nm = ctx.nameOf(r);
    return nm ? shape(nm) : null;
  };

  // The value the weight multiplies in each forward cell that reads it (∂cell/∂w), found among that cell's inputs.
  const partners: { x: CellRef; y: CellRef }[] = [];
  for (const y of readers) {
    const slope = slopes.get(cellKey(y));
    if (slope === undefined || !Number.isFinite(slope)) continue;
    const x = engine.precedents(y).cells.find((c) => cellKey(c) !== cellKey(p.weight) && !weights.has(cellKey(c)) && engine.number(c) !== null && close(engine.number(c)!, slope, 1e-5));
    if (x) partners.push({ x, y });
  }
  const said = new Set<string>();
  for (const { x, y } of partners) {
    if (readKeys.has(cellKey(x))) continue;
    const sx = shapeOf(x);
    const wrong = forwardReads.find((c) => !path.has(cellKey(c)) && cellKey(c) !== cellKey(x) && sx !== null && shapeOf(c) === sx);
    if (wrong) {
      hints.push(`reads ${label(ctx, wrong)} where the chain rule for ${p.name} needs ${label(ctx, x)} (${p.name} multiplies ${label(ctx, x)} in ${label(ctx, y)})`);
      said.add(cellKey(wrong));
    } else {
      hints.push(`does not read ${label(ctx, x)}, which ${p.name} multiplies in ${label(ctx, y)}: ∂${label(ctx, y)}/∂${p.name} = ${label(ctx, x)}`);
    }
  }
  const partnerKeys = new Set(partners.map((q) => cellKey(q.x)));
  for (const c of forwardReads) {
    const k = cellKey(c);
    if (said.has(k) || path.has(k) || partnerKeys.has(k) || weights.has(k)) continue;
    const sc = shapeOf(c);
    if (sc === null) continue;
    const sibling = [...path.values()].find((q) => shapeOf(q) === sc && !readKeys.has(cellKey(q)));
    if (sibling) {
      hints.push(`reads ${label(ctx, c)} where the chain rule for ${p.name} needs ${label(ctx, sibling)} (${p.name} does not affect ${label(ctx, c)})`);
      said.add(k);
    }
  }

  // Factor analysis: numerical = claimed × r.
  if (claimed !== 0 && numeric !== 0) {
    const r = numeric / claimed;
    if (close(r, -1)) hints.push('the claimed value has the wrong sign (claimed = −numerical)');
    else if (close(r, 2)) hints.push('the claimed value is half the numerical one (a factor 2 missing, or a ½ too many)');
    else if (close(r, 0.5)) hints.push('the claimed value is twice the numerical one (a ½ missing, e.g. from ½(t − y)²)');
    else {
      const candidates = new Map<string, CellRef>();
      for (const c of [...path.values(), ...forwardReads, ...partners.map((q) => q.x)]) candidates.set(cellKey(c), c);
      for (const c of candidates.values()) {
        const v = engine.number(c);
        if (v === null || v === 0) continue;
        const nm = label(ctx, c);
        const tests: [number, string][] = [
          [v * (1 - v), `${nm}·(1 − ${nm}), the sigmoid's derivative at ${nm}`],
          [1 - v * v, `1 − ${nm}², the tanh derivative at ${nm}`],
          [v, nm],
        ];
        for (const [f, what] of tests) {
          if (f === 0) continue;
          if (close(r, f)) hints.push(`numerical = claimed × ${what}: the formula misses that factor`);
          else if (close(r, 1 / f)) hints.push(`claimed = numerical × ${what}: the formula has that factor too many`);
        }
        if (hints.length > 4) break;
      }
    }
  }
  return hints;
}

function checkUpdates(ctx: Ctx, step: StepPlan, grads: Map<string, number | null>, forward: Map<string, CellRef>, weights: Set<string>): UpdateResult[] {
  const { engine } = ctx;
  const out: UpdateResult[] = [];
  const lr = settingValue(engine, step.learningRate);
  const mu = settingValue(engine, step.momentum);
  const withNext = step.params.filter((p) => p.next);
  if (withNext.length === 0) return out;
  if (lr === null) {
    ctx.notes.push(`${step.label}: no learning rate, so the update rule was not checked`);
    return out;
  }
  const etaName = typeof step.learningRate === 'number' ? String(step.learningRate) : ctx.nameOf(step.learningRate!) ?? 'η';
  const muName = step.momentum === undefined ? 'μ' : typeof step.momentum === 'number' ? String(step.momentum) : ctx.nameOf(step.momentum) ?? 'μ';
  for (const p of withNext) {
    const g = grads.get(p.name) ?? engine.number(p.gradient);
    const w = engine.number(p.weight);
    const gName = label(ctx, p.gradient);
    const wName = label(ctx, p.weight);
    const base = { step: step.label, weight: p.name, hints: [] as string[] };
    const momentum = p.velocity !== undefined;
    const v = momentum ? engine.number(p.velocity!) : 0;
    const vName = momentum ? label(ctx, p.velocity!) : '';
    const result = (kind: 'weight' | 'velocity', cell: CellRef, expected: number | null, rule: string, note?: string): UpdateResult => {
      const actual = engine.number(cell);
      const r: UpdateResult = {
        ...base, kind, nextAddress: a1(cell, ctx.plan.sheet), nextName: label(ctx, cell), formula: formulaWithNames(ctx, cell),
        expected, actual, relError: null, rule, status: 'skipped', hints: [],
      };
      if (note) return { ...r, note };
      if (actual === null || expected === null) return { ...r, note: actual === null ? 'the cell holds no number' : 'the rule could not be computed' };
      r.relError = relErr(actual, expected, 1e-300);
      r.status = r.relError < UPDATE_TOLERANCE ? 'pass' : 'fail';
      if (r.status === 'fail') {
        r.reads = readsOf(ctx, cell, forward, weights, 0, new Set(), 0);
        r.hints = kind === 'weight' ? updateHints(ctx, step, p, w!, g!, actual, lr, mu, v ?? 0) : [];
        if (kind === 'weight' && /SQRT/i.test(engine.formula(cell) ?? '')) {
          r.hints.push('nor is it Adam\'s rule: no cells the formula reads give w − η·m̂/(√v̂ + ε) (m̂, v̂ cells it reads, ε a small number)');
        }
      }
      return r;
    };
    const weightCells = [p.newWeight, p.next].filter((c): c is CellRef => !!c);
    // Not SGD's rule but Adam's (a velocity column without μ is Adam's second moment v): say so and check it.
    const adam = g !== null && w !== null ? adamOf(ctx, step, p, weightCells, w, lr, g, mu) : null;
    if (adam) {
      const { form, from } = adam;
      const m = label(ctx, form.mHat);
      const vh = label(ctx, form.vHat);
      const start = form.decay === null ? wName : `${wName}·(1 − ${etaName}·${fmt(form.decay)})`;
      const note = `an Adam${form.decay === null ? '' : 'W'} update (${start} − η·m̂/(√v̂ + ε) with m̂ = ${m}, v̂ = ${vh}, ε = ${fmt(form.eps)})` +
        (form.firstStep ? '; at this first step m̂ = g and v̂ = g², as bias correction gives' : '; the moments themselves are not checked against the gradient');
      for (const c of weightCells) {
        const r = result('weight', c, form.expected, `${start} − ${etaName}·${m}/(√${vh} + ${fmt(form.eps)}) = ${fmt(form.expected)}`);
        out.push(r.status === 'pass' ? { ...r, note: c === from ? note : `equals ${label(ctx, from)}, ${note}` } : r);
      }
      continue;
    }
    if (g !== null && w !== null && momentum && mu === null && weightCells.some((c) => /SQRT/i.test(engine.formula(c) ?? ''))) {
      // An update with a root in it and a "v" column but no μ: meant as Adam (or RMSprop), and not found to be Adam.
      for (const c of weightCells) out.push(result('weight', c, w - lr * g, `${wName} − ${etaName}·${gName} = ${fmt(w)} − ${fmt(lr)} × ${fmt(g)} (no μ, so ${vName} is no momentum velocity)`));
      continue;
    }
    if (g === null || w === null || v === null || (momentum && mu === null)) {
      out.push(result('weight', p.next!, null, '', g === null ? 'the gradient holds no number' : w === null ? 'the weight holds no number' : 'no momentum value'));
      continue;
    }
    if (momentum) {
      const vNew = mu! * v + g;
      for (const c of [p.newVelocity, p.nextVelocity]) if (c) out.push(result('velocity', c, vNew, `${muName}·${vName} + ${gName} = ${fmt(mu!)} × ${fmt(v)} + ${fmt(g)}`));
      for (const c of weightCells) out.push(result('weight', c, w - lr * vNew, `${wName} − ${etaName}·(${muName}·${vName} + ${gName}) = ${fmt(w)} − ${fmt(lr)} × (${fmt(mu!)} × ${fmt(v)} + ${fmt(g)})`));
    } else {
      for (const c of weightCells) out.push(result('weight', c, w - lr * g, `${wName} − ${etaName}·${gName} = ${fmt(w)} − ${fmt(lr)} × ${fmt(g)}`));
    }
  }
  return out;
}

/**
 * The Adam form of a weight's update, when SGD's rule (with or without momentum) does not give it: tried on the
 * first of its new-weight cells that is a formula.
 */
function adamOf(ctx: Ctx, step: StepPlan, p: ParamPlan, cells: CellRef[], w: number, lr: number, g: number, mu: number | null): { form: AdamForm; from: CellRef } | null {
  const { engine } = ctx;
  const sgd = p.velocity !== undefined && mu !== null ? w - lr * (mu * (engine.number(p.velocity) ?? 0) + g) : w - lr * g;
  const from = cells.find((c) => engine.isFormula(c) && /SQRT|\^\s*0?\.5/i.test(engine.formula(c) ?? ''));
  if (!from) return null;
  const actual = engine.number(from);
  if (actual === null || relErr(actual, sgd, 1e-300) < UPDATE_TOLERANCE) return null;
  const lrCell = typeof step.learningRate === 'object' ? [step.learningRate] : [];
  const form = adamForm(engine, from, w, lr, g, [p.weight, ...lrCell]);
  return form ? { form, from } : null;
}

function updateHints(ctx: Ctx, step: StepPlan, p: ParamPlan, w: number, g: number, actual: number, lr: number, mu: number | null, v: number): string[] {
  const hints: string[] = [];
  const dir = mu === null || p.velocity === undefined ? g : mu * v + g;
  const d = actual - w;
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(w), Math.abs(actual), Math.abs(b), 1e-300);
  if (near(d, lr * dir) && dir !== 0) hints.push('the update adds η·gradient: the sign is wrong (it should be w − η·∂E/∂w)');
  else if (near(d, -dir) && lr !== 1) hints.push('the update subtracts the gradient without the learning rate η');
  else if (near(d, 0) && dir !== 0) hints.push('the weight does not change');
  else {
    for (const q of step.params) {
      if (q === p) continue;
      const gq = ctx.engine.number(q.gradient);
      if (gq !== null && gq !== g && near(d, -lr * gq)) hints.push(`the update uses ${label(ctx, q.gradient)} (the gradient of ${q.name}) instead of ${label(ctx, p.gradient)}`);
      const wq = ctx.engine.number(q.weight);
      if (wq !== null && wq !== w && gq !== null && Math.abs(actual - (wq - lr * gq)) <= 1e-9 * Math.max(Math.abs(actual), 1e-300)) {
        hints.push(`the cell holds the update of ${q.name} (${a1(q.weight, ctx.plan.sheet)} − η·${a1(q.gradient, ctx.plan.sheet)}): a formula copied from another column`);
      } else if (wq !== null && wq !== w && Math.abs(actual - (wq - lr * g)) <= 1e-9 * Math.max(Math.abs(actual), 1e-300)) {
        hints.push(`the update starts from ${q.name} (${a1(q.weight, ctx.plan.sheet)}) instead of ${p.name} (${a1(p.weight, ctx.plan.sheet)})`);
      }
    }
    if (hints.length === 0 && dir !== 0 && d !== 0) {
      const eta = -d / dir;
      hints.push(`the update steps as if η were ${fmt(eta)}, not ${fmt(lr)}`);
    }
  }
  return hints;
}

export interface CheckResults {
  gradients: GradientResult[];
  updates: UpdateResult[];
  notes: string[];
  /** Every cell the checked cells read (for deciding whether loading part of a sheet was enough). */
  read: Map<string, CellRef>;
}

/** The cells the checks read, and everything those read. */
export function planClosure(engine: CheckEngine, plan: CheckPlan): Map<string, CellRef> {
  const roots: CellRef[] = [];
  for (const s of plan.steps) {
    roots.push(s.loss);
    for (const p of s.params) roots.push(...[p.weight, p.gradient, p.next, p.velocity, p.nextVelocity, p.newWeight, p.newVelocity].filter((r): r is CellRef => !!r));
    for (const x of [s.learningRate, s.momentum]) if (x !== undefined && typeof x !== 'number') roots.push(x);
  }
  const closure = precedentClosure(engine, roots);
  for (const r of roots) closure.set(cellKey(r), r);
  return closure;
}

/** The update rule alone (no nudging): the next weights of every step of `plan`, from the values the engine holds. */
export function checkPlanUpdates(engine: CheckEngine, plan: CheckPlan, nameOf: Namer): UpdateResult[] {
  const ctx: Ctx = { engine, plan, nameOf, notes: [] };
  const none = new Map<string, CellRef>();
  const weights = new Set(plan.steps.flatMap((s) => s.params.map((p) => cellKey(p.weight))));
  return plan.steps.flatMap((step) => checkUpdates(ctx, step, new Map(), none, weights));
}

export function runChecks(engine: CheckEngine, plan: CheckPlan, nameOf: Namer): CheckResults {
  const ctx: Ctx = { engine, plan, nameOf, notes: [] };
  const gradients: GradientResult[] = [];
  const updates: UpdateResult[] = [];
  const weights = new Set(plan.steps.flatMap((s) => s.params.map((p) => cellKey(p.weight))));
  for (const step of plan.steps) {
    const lossValue = engine.number(step.loss);
    const forward = precedentClosure(engine, [step.loss]);
    if (lossValue === null) {
      const why = engine.error(step.loss) ? errorOrigin(engine, step.loss, plan.sheet) : 'it holds no number';
      ctx.notes.push(`${step.label}: the loss ${show(ctx, step.loss)} does not compute (${why}); its gradients were not checked`);
      for (const p of step.params) {
        gradients.push({
          step: step.label, weight: p.name, weightAddress: a1(p.weight, plan.sheet), gradient: label(ctx, p.gradient),
          gradientAddress: a1(p.gradient, plan.sheet), formula: formulaWithNames(ctx, p.gradient), claimed: engine.number(p.gradient),
          numeric: null, relError: null, status: 'skipped', hints: [], note: 'the loss does not compute',
        });
      }
      continue;
    }
    const grads = new Map<string, number | null>();
    const scale = magnitudeNear(engine, step.loss);
    for (const p of step.params) {
      const r = checkGradient(ctx, step, p, forward, weights, scale);
      grads.set(p.name, r.claimed);
      gradients.push(r);
    }
    updates.push(...checkUpdates(ctx, step, grads, forward, weights));
  }
  return { gradients, updates, notes: ctx.notes, read: planClosure(engine, plan) };
}
