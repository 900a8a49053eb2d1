import type { HyperFormula } from 'hyperformula';
import { a1, cellsRead, columnIndex, columnName, shiftFormula } from './address';
import { cellLabel, classifyHeader, describeSheet, findHeader, MappingError, planFor, type HeaderRow } from './classic';
import type { CheckEngine } from './engine';
import { checkPlanUpdates, runChecks } from './gradcheck';
import { fixFormulas } from './fix';
import { fmt, num } from './format';
import { rowList } from './rowList';
import { scratchEngine } from './scratch';
import { compareWithFirst, tableRows, type Comparison } from './table';
import {
  cellKey, type CellRef, type CheckPlan, type ColumnResult, type FixFormula, type GradientResult, type SheetData, type SheetReport,
  type UpdateResult, type WorkbookData, type WrongCell,
} from './types';

/**
 * One sheet, every row: finds the iteration table anywhere in the sheet, checks its first row numerically (each
 * gradient against central differences of the loss, through the formula engine), compares every later row's
 * formulas with the first row's as a fill-down means them, checks numerically each row whose gradient formula
 * differs, and checks the update rule in every row. A cell that keeps its column's formula is right exactly when
 * the first row's is; a cell that differs is named, and so is a learning-rate reference that slides.
 */

const SAME_VALUE = 1e-12;

const rowOfAddress = (address: string) => Number(/(\d+)$/.exec(address)?.[1] ?? 0);

function hasFormulas(sheet: SheetData): boolean {
  return sheet.rows.some((r) => r?.some((c) => c?.formula !== undefined));
}


interface Ctx {
  data: WorkbookData;
  full: CheckEngine;
  sheet: SheetData;
  header: HeaderRow;
  rows: number[];
  nameOf: (ref: CellRef) => string | null;
  pool?: HyperFormula;
}

/** The cells of `row` that `from` reads, directly or through other cells of that row (not through `stop`). */
function rowClosure(full: CheckEngine, from: CellRef, stop: Set<string>): Map<string, CellRef> {
  const seen = new Map<string, CellRef>();
  const stack = [from];
  while (stack.length) {
    const ref = stack.pop()!;
    for (const p of full.precedents(ref).cells) {
      const k = cellKey(p);
      if (seen.has(k) || p.sheet !== from.sheet || p.row !== from.row) continue;
      seen.set(k, p);
      if (!stop.has(k)) stack.push(p);
    }
  }
  return seen;
}

function emptyReport(sheet: string, verdict: SheetReport['verdict'], message: string[], looksLikeNetwork: boolean): SheetReport {
  return { sheet, verdict, message, found: [], gradients: [], updates: [], columns: [], wrongCells: [], findings: [], fixes: [], notes: [], looksLikeNetwork };
}

/** Numerical check of some gradient cells of one row, in a scratch engine holding that row. */
/** The column of a result's gradient cell ("X33" → 23): gradients are told apart by column (in single-sample
 * layouts each step has its own gradient of the same weight). */
const gradCol = (g: GradientResult) => columnIndex(/^([A-Z]+)/.exec(g.gradientAddress)![1]);

function numericRow(ctx: Ctx, plan: CheckPlan, only: Set<number> | null): GradientResult[] {
  const steps = plan.steps.map((s) => ({
    ...s,
    params: s.params.filter((p) => only === null || only.has(p.gradient.col)).map((p) => ({ name: p.name, weight: p.weight, gradient: p.gradient })),
  })).filter((s) => s.params.length > 0);
  if (steps.length === 0) return [];
  const small: CheckPlan = { ...plan, steps };
  const engine = scratchEngine(ctx.full, {
    roots: steps.flatMap((s) => [s.loss, ...s.params.map((p) => p.gradient)]),
    weights: plan.steps.flatMap((s) => s.params.map((p) => p.weight)),
    sheet: ctx.sheet.name,
    rows: [plan.row! - 1],
  }, ctx.pool);
  try {
    return runChecks(engine, small, ctx.nameOf).gradients.map((g) => ({ ...g, row: plan.row }));
  } finally {
    engine.destroy();
  }
}

/** Checks the first table of `sheet` at or below `fromRow` (0-based); a sheet can hold several, one under another. */
export function checkSheet(data: WorkbookData, full: CheckEngine, sheet: SheetData, pool?: HyperFormula, fromRow = 0): SheetReport {
  const { header, best } = findHeader(sheet, fromRow);
  const looks = !!best && (best.params.size > 0 || best.grads.size > 0);
  if (!header) {
    if (!hasFormulas(sheet)) {
      const empty = sheet.rows.every((r) => !r?.some((c) => c));
      return emptyReport(sheet.name, 'numbers-only', [empty
        ? `sheet "${sheet.name}": no cells (a chart or an empty sheet): nothing to differentiate`
        : `sheet "${sheet.name}": numbers only, no formulas: nothing to differentiate`], looks);
    }
    return emptyReport(sheet.name, 'unsupported', [
      ...describeSheet(sheet, best),
      'The checker looks for a header row naming the weights (w1 … w8), the loss (E_total, E_tot, Etotal …) and the gradients (∂E/∂w1, dE/dw1, Edw1 …), with one iteration per row below it.',
    ], looks);
  }
  const rows = tableRows(sheet, header);
  if (rows.length === 0) {
    return emptyReport(sheet.name, 'unsupported', [`sheet "${sheet.name}": found the header row ${header.row + 1}, but no row under it holds numbers in every weight column and the loss column`], true);
  }
  const gradCols = [...header.grads.values()];
  const lossCols = header.losses.map((l) => l.col);
  const anyFormula = rows.some((r) => [...gradCols, ...lossCols].some((c) => sheet.rows[r]?.[c]?.formula !== undefined));
  if (!anyFormula) {
    return emptyReport(sheet.name, 'numbers-only', [`sheet "${sheet.name}": the table under header row ${header.row + 1} holds numbers only, no formulas: nothing to differentiate`], true);
  }

  let plan0: CheckPlan;
  try {
    plan0 = planFor(data, sheet, header, rows[0] + 1);
  } catch (err) {
    if (err instanceof MappingError) return emptyReport(sheet.name, 'unsupported', err.lines, true);
    throw err;
  }
  const nameOf = (ref: CellRef) => plan0.nameOf(ref) ?? cellLabel(data.sheets.find((s) => s.name === ref.sheet), ref);
  const ctx: Ctx = { data, full, sheet, header, rows, nameOf, ...(pool ? { pool } : {}) };
  const lr0 = plan0.steps[0].learningRate;
  const mu0 = plan0.steps[0].momentum;
  const planAt = (r: number): CheckPlan | null => {
    if (r === rows[0]) return plan0;
    try {
      return planFor(data, sheet, header, r + 1, { ...(lr0 !== undefined ? { lr: lr0 } : {}), ...(mu0 !== undefined ? { mu: mu0 } : {}) });
    } catch {
      return null;
    }
  };
  const top = rows[0];
  const bottom = rows[rows.length - 1];
  const at = (row: number, col: number): CellRef => ({ sheet: sheet.name, row, col });
  const cellName = (ref: CellRef) => nameOf(ref) ?? columnName(ref.col);

  // Roles in the first row: weights, gradients, the forward pass (what the loss reads) and helper cells.
  const params0 = plan0.steps.flatMap((s) => s.params);
  const weightCols = new Set(params0.map((p) => p.weight.col));
  const weightKeys = new Set(params0.map((p) => cellKey(p.weight)));
  const forward = new Set<number>();
  for (const s of plan0.steps) {
    forward.add(s.loss.col);
    for (const c of rowClosure(full, s.loss, weightKeys).values()) forward.add(c.col);
  }
  const helpersOf = new Map<number, Set<number>>();
  for (const p of params0) {
    const cols = new Set<number>();
    for (const c of rowClosure(full, p.gradient, new Set([...weightKeys]).add(cellKey(p.gradient))).values()) {
      if (!forward.has(c.col) && !weightCols.has(c.col)) cols.add(c.col);
    }
    helpersOf.set(p.gradient.col, cols);
  }

  // Every formula column's cells against its first formula.
  const width = Math.max(...rows.map((r) => sheet.rows[r]?.length ?? 0));
  const differs = new Map<string, { row: number; col: number; cmp: Comparison; f: string | null; f0: string; row0: number }>();
  for (let c = 0; c < width; c++) {
    // A weight column's first row holds the starting weights (numbers, or formulas reading a block above): its
    // column formula is the first update's.
    const from = weightCols.has(c) ? rows.slice(1) : rows;
    const r0 = from.find((r) => sheet.rows[r]?.[c]?.formula !== undefined);
    if (r0 === undefined) continue;
    const f0 = sheet.rows[r0]![c]!.formula!;
    for (const r of rows) {
      if (r <= r0) continue;
      const f = sheet.rows[r]?.[c]?.formula;
      const cmp = f === undefined ? { same: false, why: 'a number where the column has a formula', slides: [] } : compareWithFirst(f0, r0, f, r, sheet.name, top, bottom);
      if (!cmp.same) differs.set(`${r},${c}`, { row: r, col: c, cmp, f: f ?? null, f0, row0: r0 });
    }
  }

  // Gradients: the first row numerically; a later row numerically where its formula (or a helper it reads) differs.
  const gradients: GradientResult[] = numericRow(ctx, plan0, null);
  const firstStatus = new Map(gradients.map((g) => [gradCol(g), g]));
  const deviating = new Map<number, Set<number>>();
  for (const r of rows.slice(1)) {
    for (const p of params0) {
      const cols = [p.gradient.col, ...helpersOf.get(p.gradient.col)!];
      if (cols.some((c) => differs.has(`${r},${c}`))) (deviating.get(r) ?? deviating.set(r, new Set()).get(r)!).add(p.gradient.col);
    }
  }
  const numericAt = new Map<string, GradientResult>();
  for (const [r, names] of deviating) {
    const plan = planAt(r);
    if (!plan) continue;
    for (const g of numericRow(ctx, plan, names)) {
      gradients.push(g);
      numericAt.set(`${r},${gradCol(g)}`, g);
    }
  }

  // Updates: every row, from the values the workbook computes.
  const updates: UpdateResult[] = [];
  if (lr0 !== undefined) {
    for (const r of rows) {
      const plan = planAt(r);
      if (plan) updates.push(...checkPlanUpdates(full, plan, nameOf).map((u) => ({ ...u, row: rowOfAddress(u.nextAddress) })));
    }
  }

  const wrongCells: WrongCell[] = [];
  const columns: ColumnResult[] = [];
  const findings: string[] = [];
  const notes = [...plan0.notes];
  // A second table beside the first (w1 named again further right) is not checked: say so.
  const firstWeightCol = Math.min(...header.params.values());
  for (const [col, t] of header.texts) {
    const role = classifyHeader(t);
    if (role?.role === 'param' && header.params.get(role.key) !== col && col > firstWeightCol && role.key === [...header.params.keys()][0]) {
      notes.push(`header row ${header.row + 1} names ${t} again in column ${columnName(col)}: a table there, beside the first, is not checked; put each network on a sheet of its own (or one under another)`);
      break;
    }
  }

  for (const p of params0) {
    const failing: number[] = [];
    const numericRows: number[] = [];
    const g0 = firstStatus.get(p.gradient.col);
    for (const r of rows) {
      const g = r === top ? g0 : numericAt.get(`${r},${p.gradient.col}`);
      if (g) numericRows.push(r + 1);
      const status = g ? g.status : g0?.status;
      if (status === 'fail' || status === 'skipped') {
        failing.push(r + 1);
        const ref = at(r, p.gradient.col);
        const d = differs.get(`${r},${p.gradient.col}`);
        wrongCells.push({
          address: a1(ref), row: r + 1, kind: 'gradient', weight: p.name, name: cellName(ref), formula: sheet.rows[r]?.[p.gradient.col]?.formula ?? null,
          why: g ? (g.status === 'skipped' ? g.note ?? 'could not be checked' : `claimed ${num(g.claimed)}, numerical ${num(g.numeric)}`)
            : `the same formula as row ${top + 1}, which fails`,
          ...(d ? { differs: d.cmp.why } : {}),
        });
      }
    }
    columns.push({
      kind: 'gradient', weight: p.name, column: cellName(p.gradient), letter: columnName(p.gradient.col),
      status: failing.length ? 'fail' : 'pass', rowsChecked: rows.length, numericRows, failingRows: failing, firstFailingRow: failing[0] ?? null,
    });
  }

  // Update columns, and learning-rate references that slide.
  const lrRef = lr0 !== undefined && typeof lr0 !== 'number' ? lr0 : null;
  const slideStarts: { col: number; row: number; actual: CellRef }[] = [];
  // One update column per weight: the row's own weight columns (the first step's weights).
  const ownWeights = plan0.steps[0].params;
  for (const p of ownWeights) {
    const mine = updates.filter((u) => u.weight === p.name && u.kind === 'weight');
    if (mine.length === 0) continue;
    const failing = mine.filter((u) => u.status === 'fail' || u.status === 'skipped');
    for (const u of failing) {
      const row = u.row! - 1;
      const d = differs.get(`${row},${p.weight.col}`);
      wrongCells.push({
        address: u.nextAddress, row: row + 1, kind: 'update', weight: p.name, name: u.nextName, formula: u.formula?.replace(/^=/, '') ?? null,
        why: u.status === 'skipped' ? u.note ?? 'could not be checked' : `expected ${num(u.expected)} (${u.rule}), holds ${num(u.actual)}${u.hints.length ? `: ${u.hints.join('; ')}` : ''}`,
        ...(d ? { differs: d.cmp.why } : {}),
      });
    }
    if (lrRef) {
      for (const r of rows) {
        const d = differs.get(`${r},${p.weight.col}`);
        const slide = d?.cmp.slides.find((s) => s.unanchored && s.meant.row === lrRef.row && s.meant.col === lrRef.col && s.meant.sheet === lrRef.sheet);
        if (slide) {
          slideStarts.push({ col: p.weight.col, row: r, actual: slide.actual });
          break;
        }
      }
    }
    const failRows = failing.map((u) => u.row!);
    columns.push({
      kind: 'update', weight: p.name, column: cellName(p.weight), letter: columnName(p.weight.col), status: failing.length ? 'fail' : 'pass',
      rowsChecked: mine.length, numericRows: mine.map((u) => u.row!), failingRows: failRows, firstFailingRow: failRows[0] ?? null,
    });
  }
  if (lrRef && slideStarts.length) {
    const first = slideStarts.reduce((m, s) => (s.row < m.row ? s : m));
    const lrName = nameOf(lrRef);
    const cols = slideStarts.map((s) => columnName(s.col));
    const anchored = `$${columnName(lrRef.col)}$${lrRef.row + 1}`;
    findings.push(`the learning rate ${lrName ? `${lrName} ` : ''}${a1(lrRef)} becomes ${a1(first.actual)} in row ${first.row + 1}: the reference is not anchored with $ ` +
      `(write ${anchored}); it slides in the update${cols.length > 1 ? 's' : ''} of ${cols.length === ownWeights.length ? 'every weight' : cols.join(', ')}`);
    for (const c of columns) if (c.kind === 'update' && slideStarts.some((s) => columnName(s.col) === c.letter)) c.note = `the learning-rate reference slides from row ${first.row + 1}`;
  }

  // Other formula cells that differ from their column's first formula and compute something else.
  const sheetId = full.sheetId(sheet.name)!;
  const gradColSet = new Set(params0.map((p) => p.gradient.col));
  const formulaFails = new Map<number, number[]>();
  const harmless = new Map<number, { row: number; f: string | null; f0: string; row0: number }[]>();
  const aside = new Map<number, number[]>();
  for (const d of differs.values()) {
    if (weightCols.has(d.col) || gradColSet.has(d.col) || d.f === null) continue;
    // Only what the loss or a gradient reads can make the network wrong; other columns (a loss difference, a
    // chart's data) that differ get a note.
    if (!forward.has(d.col) && ![...helpersOf.values()].some((h) => h.has(d.col))) {
      (aside.get(d.col) ?? aside.set(d.col, []).get(d.col)!).push(d.row + 1);
      continue;
    }
    const ref = at(d.row, d.col);
    const own = full.number(ref);
    const engineF0 = (full.hf.getCellFormula(full.address(at(d.row0, d.col))) ?? `=${d.f0}`).replace(/^=/, '');
    const meant = shiftFormula(engineF0, sheet.name, d.row - d.row0, 0);
    let expected: number | null = null;
    try {
      const v = full.hf.calculateFormula(`=${meant}`, sheetId);
      expected = typeof v === 'number' ? v : null;
    } catch {
      expected = null;
    }
    if (own !== null && expected !== null && Math.abs(own - expected) <= SAME_VALUE * Math.max(Math.abs(own), Math.abs(expected))) {
      (harmless.get(d.col) ?? harmless.set(d.col, []).get(d.col)!).push(d);
      continue;
    }
    (formulaFails.get(d.col) ?? formulaFails.set(d.col, []).get(d.col)!).push(d.row + 1);
    wrongCells.push({
      address: a1(ref), row: d.row + 1, kind: 'formula', weight: null, name: cellName(ref), formula: d.f,
      why: `differs from its column's formula =${shiftFormula(d.f0, sheet.name, d.row - d.row0, 0)} (${d.cmp.why}): it gives ${own === null ? 'no number' : fmt(own)} where that gives ${expected === null ? 'no number' : fmt(expected)}`,
      differs: d.cmp.why,
    });
  }
  for (const [col, ds] of harmless) {
    const d = ds[0];
    notes.push(`${cellName(at(d.row, col))} (${columnName(col)}): ${ds.length === 1 ? `${a1(at(d.row, col))} is` : `rows ${rowList(ds.map((x) => x.row + 1))} are`} ` +
      `written unlike the column's first formula (${a1(at(d.row, col))} =${d.f} where it would be =${shiftFormula(d.f0, sheet.name, d.row - d.row0, 0)}), but compute the same values`);
  }
  for (const [col, asideRows] of aside) {
    notes.push(`${cellName(at(top, col))} (${columnName(col)}): rows ${rowList(asideRows)} are written unlike the column's first formula; neither the loss nor a gradient reads that column`);
  }
  for (const [col, failRows] of formulaFails) {
    columns.push({
      kind: 'formula', weight: null, column: cellName(at(top, col)), letter: columnName(col), status: 'fail', rowsChecked: rows.length,
      numericRows: failRows, failingRows: failRows, firstFailingRow: failRows[0],
    });
  }

  // Inputs and targets typed as numbers that drift from the first row's (a fill series of 0.99 gives 0.989999999999999).
  for (const c of forward) {
    if (sheet.rows[top]?.[c]?.formula !== undefined || typeof sheet.rows[top]?.[c]?.value !== 'number') continue;
    const v0 = sheet.rows[top]![c]!.value as number;
    const drift = rows.find((r) => {
      const v = sheet.rows[r]?.[c]?.value;
      return typeof v === 'number' && v !== v0 && Math.abs(v - v0) <= 1e-9 * Math.abs(v0);
    });
    if (drift !== undefined) {
      findings.push(`${cellName(at(top, c))} drifts: ${a1(at(drift, c))} holds ${String(sheet.rows[drift]![c]!.value)} where row ${top + 1} holds ${v0} ` +
        '(a fill-series artefact); every row is checked with its own values');
    }
  }

  // The correct formula for each failing gradient column, when the network is the classic one.
  const fixes: FixFormula[] = [];
  const failingCols = columns.filter((c) => c.kind === 'gradient' && c.status === 'fail');
  if (failingCols.length > 0) {
    const firstResults = failingCols.map((c) => firstStatus.get(columnIndex(c.letter))).filter((g): g is GradientResult => !!g && g.numeric !== null);
    const roots = plan0.steps.flatMap((st) => [st.loss, ...st.params.map((p) => p.gradient)]);
    const engine = scratchEngine(full, { roots, weights: params0.map((p) => p.weight), sheet: sheet.name, rows: [top] }, pool);
    try {
      // A gradient that fails only in later rows has its first row's (right) value as the numerical one there.
      const wanted = failingCols.map((c) => firstResults.find((g) => g.weight === c.weight)).filter((g): g is GradientResult => !!g);
      const formulas = fixFormulas(engine, plan0, wanted);
      for (const c of failingCols) {
        const f = formulas.get(c.weight!);
        const p = params0.find((q) => q.name === c.weight)!;
        if (!f) continue;
        fixes.push({ weight: c.weight!, column: c.column, address: a1(p.gradient), formula: f, rows: rows.map((r) => r + 1) });
        // What the correct formula reads that this one does not, or that it reads the same cells differently.
        const g = firstStatus.get(columnIndex(c.letter));
        const own = sheet.rows[top]?.[p.gradient.col]?.formula;
        if (g && g.status === 'fail' && own !== undefined && !g.hints.length) {
          const mine = new Set(rowClosure(full, p.gradient, weightKeys).keys());
          const needed = cellsRead(f, sheet.name).filter((q) => !mine.has(cellKey(q)));
          g.hints.push(needed.length
            ? `does not read ${[...new Map(needed.map((q) => [cellKey(q), q])).values()].map((q) => `${cellName(q)} (${a1(q)})`).join(', ')}, which the chain rule needs (see the fix)`
            : 'reads the cells the chain rule needs but combines them differently: check the parentheses and the operators (+, −, ×) against the fix');
        }
      }
    } finally {
      engine.destroy();
    }
  }

  const verdict = wrongCells.length > 0 ? 'fail' : 'pass';
  const found = [
    ...plan0.found.filter((l) => !l.startsWith('update checked against')).map((l) => l.replace(/, checked row \d+.*$/, '')),
    `iterations: rows ${top + 1}–${bottom + 1} (${rows.length}); row ${top + 1} checked numerically, every later row compared with it formula by formula, the update rule in every row` +
      `${deviating.size ? `, and ${deviating.size} row(s) whose gradient formulas differ checked numerically` : ''}`,
  ];
  // In the report every result is pass or fail: a valid subgradient at a kink passes (its note says so), a cell
  // that could not be computed fails (its note says why).
  const settle = <T extends { status: string; note?: string }>(x: T): T =>
    x.status === 'kink' ? { ...x, status: 'pass' } : x.status === 'skipped' ? { ...x, status: 'fail' } : x;
  return {
    sheet: sheet.name, verdict, message: [], found, headerRow: header.row + 1, firstRow: top + 1, lastRow: bottom + 1,
    gradients: gradients.map(settle), updates: updates.map(settle), columns, wrongCells, findings, fixes, notes: [...new Set(notes)], looksLikeNetwork: true,
  };
}
