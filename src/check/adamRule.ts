import type { CheckEngine } from './engine';
import type { CellRef } from './types';

/**
 * Recognises an Adam update in a student's new-weight cell: w − η·m̂/(√v̂ + ε) (AdamW: w·(1 − η·λ) − η·m̂/(√v̂ + ε)),
 * with m̂, v̂ (and λ) cells the formula reads and ε a cell or a number in it. Found by value: every pair of cells the
 * formula reads is tried, so the sheet may lay its moments out in any way. Null when no choice gives the cell's value.
 */
export interface AdamForm {
  mHat: CellRef;
  vHat: CellRef;
  eps: number;
  /** AdamW's decoupled weight decay λ, when the update has one. */
  decay: number | null;
  expected: number;
  /** m̂ = g and v̂ = g²: the first step, where bias correction makes the moments the gradient itself. */
  firstStep: boolean;
}

const TOLERANCE = 1e-9;
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300));
/** ε is tiny: PyTorch's 1e-8, Keras's 1e-7, or anything below 1e-3. */
const SMALL = 1e-3;

export function adamForm(engine: CheckEngine, cell: CellRef, w: number, lr: number, g: number, skip: CellRef[]): AdamForm | null {
  const actual = engine.number(cell);
  const formula = engine.formula(cell);
  if (actual === null || formula === null || !/SQRT|\^\s*0?\.5/i.test(formula)) return null;
  const key = (r: CellRef) => `${r.sheet}!${r.row},${r.col}`;
  const skipped = new Set(skip.map(key));
  const reads = engine.precedents(cell).cells
    .filter((r) => !skipped.has(key(r)))
    .map((ref) => ({ ref, value: engine.number(ref) }))
    .filter((r): r is { ref: CellRef; value: number } => r.value !== null);
  const literals = [...formula.replace(/\$?[A-Z]{1,3}\$?\d+/g, ' ').matchAll(/\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)].map((m) => Number(m[0]));
  const epsilons = [0, ...new Set([...reads.map((r) => r.value), ...literals].filter((x) => x > 0 && x < SMALL))];
  const decays: (number | null)[] = [null, ...new Set(reads.map((r) => r.value).filter((x) => x > 0 && x < 1))];
  for (const decay of decays) {
    const start = decay === null ? w : w * (1 - lr * decay);
    for (const m of reads) {
      for (const v of reads) {
        if (v === m || v.value < 0) continue;
        for (const eps of epsilons) {
          const expected = start - lr * m.value / (Math.sqrt(v.value) + eps);
          if (rel(actual, expected) < TOLERANCE) {
            return { mHat: m.ref, vHat: v.ref, eps, decay, expected, firstStep: rel(m.value, g) < TOLERANCE && rel(v.value, g * g) < TOLERANCE };
          }
        }
      }
    }
  }
  return null;
}
