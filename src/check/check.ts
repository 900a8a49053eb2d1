import { a1 } from './address';
import { autoMap } from './classic';
import { CheckEngine } from './engine';
import { GRADIENT_TOLERANCE, METHOD, planClosure, runChecks, UPDATE_TOLERANCE } from './gradcheck';
import { readWorkbookData } from './load';
import { planFromMap } from './mapFile';
import { type CellRef, type CheckPlan, type CheckReport, type WorkbookData } from './types';

export { MappingError } from './classic';
export { MapError, parseMapText, MAP_FORMAT } from './mapFile';
export { UnreadableError } from './load';
export { renderReport, summaryLine } from './report';

/**
 * Checks a backprop workbook: reads its cells and formulas, finds the weights, the loss and the claimed gradients
 * (the classic layout automatically, anything else from a map), and checks every gradient cell against central
 * differences through HyperFormula, and the update rule. No DOM and no Node: the CLI and the page both call this.
 *
 * Throws UnreadableError (not an XLSX), MapError (a bad map, naming the field) or MappingError (nothing could be
 * mapped, saying what was found).
 */

export interface CheckOptions {
  /** Shown in the report. */
  fileName: string;
  sheet?: string;
  /** 1-based sheet row to check. */
  row?: number;
  /** A parsed map file (see mapFile.ts); without it the classic layout is looked for. */
  map?: unknown;
}

/** A cell's name when the plan has none: a short text label just left of it, or just above it. */
function labelOf(data: WorkbookData, ref: CellRef): string | null {
  const sheet = data.sheets.find((s) => s.name === ref.sheet);
  const asLabel = (c: { value: unknown; formula?: string } | undefined) =>
    c && c.formula === undefined && typeof c.value === 'string' && c.value.trim() !== '' && c.value.length <= 24 && !/^[-+0-9.]/.test(c.value.trim())
      ? c.value.trim().replace(/\s*[:=]$/, '')
      : null;
  return asLabel(sheet?.rows[ref.row]?.[ref.col - 1]) ?? asLabel(sheet?.rows[ref.row - 1]?.[ref.col]);
}

function lastRowUsed(plan: CheckPlan): number {
  let last = 0;
  for (const s of plan.steps) {
    const refs = [s.loss, ...s.params.flatMap((p) => [p.weight, p.gradient, p.next, p.velocity, p.nextVelocity, p.newWeight, p.newVelocity])];
    for (const x of [s.learningRate, s.momentum]) if (x !== undefined && typeof x !== 'number') refs.push(x);
    for (const r of refs) if (r && r.sheet === plan.sheet) last = Math.max(last, r.row);
  }
  return last;
}

/** Whether an engine holding only rows 0..lastRow of the checked sheet has everything the checked cells read. */
function partEnough(engine: CheckEngine, plan: CheckPlan, lastRow: number): boolean {
  const closure = planClosure(engine, plan);
  for (const ref of closure.values()) {
    if (ref.sheet === plan.sheet && ref.row > lastRow) return false;
    const f = engine.formula(ref);
    if (f && /\b(INDIRECT|OFFSET)\s*\(/i.test(f)) return false;
    if (engine.precedents(ref).bigRanges.some((r) => r.from.sheet === plan.sheet && Math.max(r.from.row, r.to.row) > lastRow)) return false;
  }
  return true;
}

export function planOf(data: WorkbookData, options: Omit<CheckOptions, 'fileName'>): CheckPlan {
  if (options.map === undefined) return autoMap(data, { sheet: options.sheet, row: options.row });
  // --sheet names the sheet a map's addresses are on, instead of the map's "sheet".
  const map = options.sheet !== undefined && typeof options.map === 'object' && options.map !== null && !Array.isArray(options.map)
    ? { ...options.map, sheet: options.sheet }
    : options.map;
  return planFromMap(data, map, { row: options.row });
}

export function checkWorkbookData(data: WorkbookData, options: CheckOptions): CheckReport {
  const plan = planOf(data, options);
  const last = lastRowUsed(plan);
  const sheetRows = data.sheets.find((s) => s.name === plan.sheet)?.rows.length ?? 0;
  let engine = new CheckEngine(data, sheetRows > last + 1 ? { keepRows: { sheet: plan.sheet, lastRow: last } } : {});
  const notes = [...data.notes, ...plan.notes, ...engine.notes];
  if (engine.options.keepRows && !partEnough(engine, plan, last)) {
    engine.destroy();
    engine = new CheckEngine(data);
    notes.push(...engine.notes);
  } else if (engine.options.keepRows) {
    notes.push(`only rows 1–${last + 1} of "${plan.sheet}" were loaded: nothing the checked cells read lies below`);
  }
  try {
    const nameOf = (ref: CellRef) => plan.nameOf(ref) ?? labelOf(data, ref);
    const results = runChecks(engine, plan, nameOf);
    notes.push(...results.notes);
    // Unknown functions and parse errors anywhere the checks read are worth a line even when they did not matter.
    const broken = [...results.read.values()].filter((r) => engine.formula(r) !== null && engine.error(r)?.value.match(/#NAME\?|#ERROR!/));
    for (const r of broken.slice(0, 5)) {
      const e = engine.error(r)!;
      notes.push(`${a1(r, plan.sheet)} =${engine.formula(r)}: ${e.message || e.value} (HyperFormula cannot compute it; checks that read it were skipped)`);
    }
    const g = results.gradients;
    const checked = g.filter((x) => x.status !== 'skipped');
    const failed = g.some((x) => x.status === 'fail' || x.status === 'skipped') || results.updates.some((u) => u.status === 'fail');
    return {
      file: options.fileName,
      sheet: plan.sheet,
      ...(plan.row !== undefined ? { row: plan.row } : {}),
      source: plan.source,
      found: plan.found,
      method: METHOD,
      gradientTolerance: GRADIENT_TOLERANCE,
      updateTolerance: UPDATE_TOLERANCE,
      gradients: g,
      updates: results.updates,
      notes: [...new Set(notes)],
      verdict: checked.length === 0 ? 'unchecked' : failed ? 'fail' : 'pass',
    };
  } finally {
    engine.destroy();
  }
}

export async function checkWorkbookBytes(bytes: Uint8Array, options: CheckOptions): Promise<CheckReport> {
  return checkWorkbookData(await readWorkbookData(bytes), options);
}
