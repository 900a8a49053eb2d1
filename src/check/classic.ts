import { a1, cellsRead, columnName, parseCellRef } from './address';
import type { CellData, CellRef, CheckPlan, ParamPlan, Setting, SheetData, StepPlan, WorkbookData } from './types';

/**
 * Automatic mapping for sheets in the course's classic layout: a header row naming the weights (`w1`, `w_1`,
 * `w1_1_1`, biases `b1`), the loss (`E_total`, `E_Total`, `E_tot`, `E`, `Loss`, `L`) and the gradients (`∂E/∂w1`,
 * `dE/dw1`, `δE_t/δw1`, `E∂w1`, `∂L/∂w1_1_1`…, matched to a weight by its index), one iteration per row.
 * Single-sample sheets with several steps a row (headers suffixed `[1]`, `[2]`…) check each step: the first
 * against the row's weights, a later one against the new weights of the step before (`new w1[1]`).
 * Nothing here knows gradsheet's own layout: it reads headers as a learner would write them.
 */

export class MappingError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'MappingError';
  }
}

export type HeaderRole =
  | { role: 'param'; key: string; step: number | null }
  | { role: 'grad'; key: string; step: number | null }
  | { role: 'loss'; step: number | null; rank: number }
  | { role: 'new-param'; key: string; step: number | null }
  | { role: 'velocity'; key: string; step: number | null }
  | { role: 'new-velocity'; key: string; step: number | null }
  | { role: 'lr' }
  | { role: 'momentum' }
  | { role: 'iteration' };

const PARAM = '([wb])_?(\\d+(?:_\\d+)*)';
/**
 * Labels of a learning-rate cell, normalised (normalizeHeader, trailing ":" or "=" dropped): η (and ͷ, U+0377, which
 * looks like it), eta, n, α, alpha, h, lr, learning rate, learningRate, learning rate(theta), step size.
 */
export const LR_LABEL = /^(?:η|ͷ|eta|n|h|lr|α|alpha|learning_?rate(?:\(.*\))?|stepsize|step_size)$/;
const LOSS = '(?:e(?:_?t(?:ot(?:al)?)?)?|l(?:_?tot(?:al)?)?|loss|cost|error|total_?(?:error|loss))';
const RE = {
  param: new RegExp(`^${PARAM}$`),
  grad: new RegExp(`^(?:d?${LOSS}?/?d|grad(?:ient)?_?(?:of_?)?|g_)${PARAM}$`),
  loss: new RegExp(`^${LOSS}$`),
  newParam: new RegExp(`^(?:new|updated|next)_?${PARAM}$|^${PARAM}(?:_?(?:new|next|updated)|'|\\+|_?\\(t\\+1\\))$`),
  velocity: new RegExp(`^(?:v|vel|velocity)_?${PARAM}$`),
  newVelocity: new RegExp(`^(?:new|next|updated)_?(?:v|vel|velocity)_?${PARAM}$`),
  lr: /^(?:η|ͷ|eta|lr|learningrate|learning_rate|alpha|α|stepsize)$/,
  momentum: /^(?:μ|µ|mu|momentum|β|beta)$/,
  iteration: /^(?:epoch|iteration|iter|it|step|#|n|no\.?)$/,
};

/** Lower case, no spaces, ∂ / δ / 𝜕 written d, subscripts as digits. */
export function normalizeHeader(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\u00a0]+/g, '').replace(/[∂δ]/g, 'd').replace(/[−–]/g, '-');
}

function paramKey(m: RegExpExecArray, from: number): string {
  const letter = m[from] ?? m[from + 2];
  const index = m[from + 1] ?? m[from + 3];
  return `${letter}${index}`;
}

export function classifyHeader(text: string): HeaderRole | null {
  let h = normalizeHeader(text);
  let step: number | null = null;
  const suffix = /\[(\d+)\]$/.exec(h);
  if (suffix) {
    step = Number(suffix[1]);
    h = h.slice(0, suffix.index);
  }
  let m: RegExpExecArray | null;
  if ((m = RE.param.exec(h))) return { role: 'param', key: `${m[1]}${m[2]}`, step };
  if ((m = RE.newVelocity.exec(h))) return { role: 'new-velocity', key: `${m[1]}${m[2]}`, step };
  if ((m = RE.velocity.exec(h))) return { role: 'velocity', key: `${m[1]}${m[2]}`, step };
  if ((m = RE.newParam.exec(h))) return { role: 'new-param', key: paramKey(m, 1), step };
  if ((m = RE.grad.exec(h))) return { role: 'grad', key: `${m[1]}${m[2]}`, step };
  if (RE.loss.test(h)) return { role: 'loss', step, rank: h.includes('tot') ? 2 : 1 };
  if (step !== null) return null;
  if (RE.lr.test(h)) return { role: 'lr' };
  if (RE.momentum.test(h)) return { role: 'momentum' };
  if (RE.iteration.test(h)) return { role: 'iteration' };
  return null;
}

/** Rows searched for the header: real sheets put a derivation, images and notes above the table. */
const HEADER_SEARCH_ROWS = 2000;

export interface HeaderRow {
  row: number;
  texts: Map<number, string>;
  params: Map<string, number>;
  grads: Map<string, number>;
  losses: { step: number | null; rank: number; col: number }[];
  newParams: Map<string, number>;
  velocities: Map<string, number>;
  newVelocities: Map<string, number>;
  lr: number | null;
  momentum: number | null;
  iteration: number | null;
  score: number;
  matched: number;
}

const stepKey = (step: number | null, key: string) => `${step ?? ''}|${key}`;

function text(cell: CellData | undefined): string | null {
  return cell && typeof cell.value === 'string' && cell.formula === undefined && cell.value.trim() !== '' ? cell.value.trim() : null;
}

function readHeaderRow(sheet: SheetData, row: number): HeaderRow {
  const h: HeaderRow = {
    row, texts: new Map(), params: new Map(), grads: new Map(), losses: [], newParams: new Map(), velocities: new Map(),
    newVelocities: new Map(), lr: null, momentum: null, iteration: null, score: 0, matched: 0,
  };
  const bareGrads = new Set<string>();
  (sheet.rows[row] ?? []).forEach((cell, col) => {
    const t = text(cell);
    if (t === null) return;
    h.texts.set(col, t);
    const role = classifyHeader(t);
    if (!role) return;
    const first = <K>(map: Map<K, number>, key: K) => {
      if (!map.has(key)) map.set(key, col);
    };
    switch (role.role) {
      case 'param': if (role.step === null) first(h.params, role.key); break;
      case 'grad': {
        // A bare "dw1" (or "Δw1", the change of w1, which lower-cases to δw1) yields to a header naming the loss.
        const k = stepKey(role.step, role.key);
        const bare = /^(?:d|δ|∂)[wb]/i.test(t.normalize('NFKC').replace(/\s+/g, '')) || /^Δ/.test(t.trim());
        if (!h.grads.has(k) || (bareGrads.has(k) && !bare)) {
          h.grads.set(k, col);
          if (bare) bareGrads.add(k);
          else bareGrads.delete(k);
        }
        break;
      }
      case 'loss': h.losses.push({ step: role.step, rank: role.rank, col }); break;
      case 'new-param': first(h.newParams, stepKey(role.step, role.key)); break;
      case 'velocity': if (role.step === null) first(h.velocities, role.key); break;
      case 'new-velocity': first(h.newVelocities, stepKey(role.step, role.key)); break;
      case 'lr': h.lr ??= col; break;
      case 'momentum': h.momentum ??= col; break;
      case 'iteration': h.iteration ??= col; break;
    }
  });
  h.matched = [...h.grads.keys()].filter((k) => h.params.has(k.split('|')[1])).length;
  h.score = h.params.size + h.matched + (h.losses.length > 0 ? 1 : 0);
  return h;
}

const usable = (h: HeaderRow) => h.params.size > 0 && h.matched > 0 && h.losses.length > 0;

/** "w1..w8" for a run of names, else the names listed. */
function listNames(names: string[], max = 12): string {
  if (names.length === 0) return 'none';
  if (names.length > max) return `${names.slice(0, max).join(', ')}, … (${names.length})`;
  return names.join(', ');
}

function describeBest(sheet: SheetData, h: HeaderRow): string[] {
  const name = (col: number) => h.texts.get(col) ?? columnName(col);
  const params = [...h.params.entries()];
  const gradKeys = new Set([...h.grads.keys()].map((k) => k.split('|')[1]));
  const lacking = params.filter(([k]) => !gradKeys.has(k)).map(([, c]) => name(c));
  const lines = [
    `sheet "${sheet.name}", best header row ${h.row + 1}: weights: ${listNames(params.map(([, c]) => name(c)))}; ` +
      `loss: ${listNames(h.losses.map((l) => name(l.col)))}; gradients: ${listNames([...h.grads.values()].map(name))}`,
  ];
  if (params.length > 0 && lacking.length > 0) lines.push(`  weights without a gradient column: ${listNames(lacking)}`);
  if (h.losses.length === 0) lines.push('  no loss column (a header such as E_total, E_Total, E_tot, E, Loss or L)');
  if (params.length === 0) lines.push('  no weight columns (headers such as w1, w_1, w1_1_1, b1)');
  if (h.grads.size === 0) lines.push('  no gradient columns (headers such as ∂E/∂w1, dE/dw1, δE_t/δw1, E∂w1, ∂E_total/∂w1)');
  lines.push(`  headers seen: ${listNames([...h.texts.values()], 30)}`);
  return lines;
}

export interface AutoMapOptions {
  sheet?: string;
  /** 1-based sheet row to check; default the first row under the header with numbers in the weight columns. */
  row?: number;
}

function isNumberish(cell: CellData | undefined): boolean {
  return !!cell && (typeof cell.value === 'number' || cell.formula !== undefined);
}

/**
 * A text label for a setting anywhere in the sheet ("η", "learning rate:", "LR=") with a number right of it (next
 * to it or one empty cell away, as beside a merged label) or below it ("Learning Rate" above its cell).
 */
function labelledSetting(sheet: SheetData, test: RegExp, skipRow: number): CellRef | null {
  for (let r = 0; r < Math.min(sheet.rows.length, HEADER_SEARCH_ROWS); r++) {
    if (r === skipRow) continue;
    const cells = sheet.rows[r] ?? [];
    for (let c = 0; c < cells.length; c++) {
      const t = text(cells[c]);
      if (t === null || !test.test(normalizeHeader(t).replace(/[:=]+$/, ''))) continue;
      if (isNumberish(cells[c + 1])) return { sheet: sheet.name, row: r, col: c + 1 };
      if (!cells[c + 1] && isNumberish(cells[c + 2])) return { sheet: sheet.name, row: r, col: c + 2 };
      if (isNumberish(sheet.rows[r + 1]?.[c])) return { sheet: sheet.name, row: r + 1, col: c };
    }
  }
  return null;
}

/** The label a learner gave a single cell: short text left of it (or one empty cell further), else above it. */
export function cellLabel(sheet: SheetData | undefined, ref: CellRef): string | null {
  if (!sheet) return null;
  const label = (c: CellData | undefined) => {
    const t = text(c);
    return t !== null && t.length <= 30 && !/^[-+0-9.]/.test(t) ? t.replace(/\s*[:=]$/, '').trim() : null;
  };
  const row = sheet.rows[ref.row] ?? [];
  return label(row[ref.col - 1]) ?? (!row[ref.col - 1] ? label(row[ref.col - 2]) : null) ?? label(sheet.rows[ref.row - 1]?.[ref.col]);
}

function definedSetting(data: WorkbookData, test: RegExp, sheet: string): CellRef | null {
  for (const n of data.names) {
    if (!test.test(normalizeHeader(n.name))) continue;
    const ref = parseCellRef(n.ref, sheet);
    if (ref) return ref;
  }
  return null;
}

/** The header row a learner would read as the table's: the best-scoring row anywhere in the sheet. */
export function findHeader(sheet: SheetData, fromRow = 0): { header: HeaderRow | null; best: HeaderRow | null } {
  let best: HeaderRow | null = null;
  for (let r = fromRow; r < Math.min(fromRow + HEADER_SEARCH_ROWS, sheet.rows.length); r++) {
    if (!sheet.rows[r]?.some((c) => text(c) !== null)) continue;
    const h = readHeaderRow(sheet, r);
    if (!best || (usable(h) && !usable(best)) || (usable(h) === usable(best) && h.score > best.score)) best = h;
  }
  return { header: best && usable(best) ? best : null, best };
}

/** What a sheet without a usable header row shows, for the message (null when it has no text at all). */
export function describeSheet(sheet: SheetData, best: HeaderRow | null): string[] {
  if (!best || best.texts.size === 0) return [`sheet "${sheet.name}": no text anywhere, so no header row naming weights, a loss and gradients`];
  return describeBest(sheet, best);
}

export function autoMap(data: WorkbookData, options: AutoMapOptions = {}): CheckPlan {
  const sheets = options.sheet === undefined ? data.sheets : data.sheets.filter((s) => s.name === options.sheet);
  if (options.sheet !== undefined && sheets.length === 0) {
    throw new MappingError([`no sheet named "${options.sheet}" (sheets: ${data.sheets.map((s) => s.name).join(', ')})`]);
  }
  let best: { sheet: SheetData; header: HeaderRow } | null = null;
  const failures: string[] = [];
  for (const sheet of sheets) {
    const found = findHeader(sheet);
    if (found.header) {
      if (!best || found.header.score > best.header.score) best = { sheet, header: found.header };
    } else {
      failures.push(...describeSheet(sheet, found.best));
    }
  }
  if (!best) {
    throw new MappingError([
      'could not find the classic layout (a header row naming weights, a loss and gradients, one iteration per row):',
      ...failures,
      'Give a map file (--map) saying which cells are the weights, the loss and the gradients; see sheets/maps/example-check-map.json.',
    ]);
  }
  return planFor(data, best.sheet, best.header, options.row);
}

/**
 * The plan for one row. `known` carries the learning rate and momentum found for the table's first row: later rows
 * use those cells (a reference that slid is then a wrong update, not another learning rate), unless η and μ are
 * columns of the table.
 */
export function planFor(data: WorkbookData, sheet: SheetData, h: HeaderRow, rowOption: number | undefined, known?: { lr?: Setting; mu?: Setting }): CheckPlan {
  const notes: string[] = [];
  const at = (row: number, col: number): CellRef => ({ sheet: sheet.name, row, col });
  const cell = (row: number, col: number) => sheet.rows[row]?.[col];
  const header = (col: number) => h.texts.get(col) ?? columnName(col);
  const keys = [...h.params.keys()];

  let row: number;
  if (rowOption !== undefined) {
    row = rowOption - 1;
    if (row <= h.row) throw new MappingError([`--row ${rowOption} is not below the header row (${h.row + 1}) of sheet "${sheet.name}"`]);
    const missing = keys.filter((k) => !isNumberish(cell(row, h.params.get(k)!)));
    if (missing.length === keys.length) throw new MappingError([`row ${rowOption} of sheet "${sheet.name}" has no weights under ${listNames(keys.map((k) => header(h.params.get(k)!)))}`]);
  } else {
    row = -1;
    for (let r = h.row + 1; r < sheet.rows.length; r++) {
      if (keys.every((k) => isNumberish(cell(r, h.params.get(k)!)))) {
        row = r;
        break;
      }
    }
    if (row < 0) throw new MappingError([`sheet "${sheet.name}": no row under the header (row ${h.row + 1}) holds numbers in every weight column`]);
  }

  const gradSteps = [...new Set([...h.grads.keys()].filter((k) => h.params.has(k.split('|')[1])).map((k) => k.split('|')[0]))]
    .map((s) => (s === '' ? null : Number(s)))
    .sort((a, b) => (a ?? 0) - (b ?? 0));
  const hasNextRow = (col: number) => {
    const c = cell(row + 1, col);
    return !!c && (c.formula !== undefined || typeof c.value === 'number');
  };

  const lossFor = (step: number | null) => {
    let candidates = h.losses.filter((l) => l.step === step);
    if (candidates.length === 0 && gradSteps.length === 1) candidates = h.losses;
    if (candidates.length === 0) return null;
    const top = Math.max(...candidates.map((c) => c.rank));
    const chosen = candidates.filter((c) => c.rank === top);
    if (chosen.length > 1) notes.push(`several loss columns (${chosen.map((c) => header(c.col)).join(', ')}): used ${header(chosen[0].col)}`);
    return chosen[0];
  };

  const steps: StepPlan[] = [];
  const found: string[] = [];
  gradSteps.forEach((step, i) => {
    const last = i === gradSteps.length - 1;
    const prev = i > 0 ? gradSteps[i - 1] : null;
    const label = step === null ? `row ${row + 1}` : `row ${row + 1}, step ${step}`;
    const loss = lossFor(step);
    if (!loss) {
      notes.push(`${label}: no loss column for this step; its gradients were not checked`);
      return;
    }
    const params: ParamPlan[] = [];
    const noWeight: string[] = [];
    for (const key of keys) {
      const g = h.grads.get(stepKey(step, key));
      if (g === undefined) continue;
      const weightCol = i === 0 ? h.params.get(key) : h.newParams.get(stepKey(prev, key));
      if (weightCol === undefined) {
        noWeight.push(header(h.params.get(key)!));
        continue;
      }
      const p: ParamPlan = { name: header(h.params.get(key)!), weight: at(row, weightCol), gradient: at(row, g) };
      const newCol = h.newParams.get(stepKey(step, key));
      const paramCol = h.params.get(key)!;
      if (last && hasNextRow(paramCol)) {
        p.next = at(row + 1, paramCol);
        if (newCol !== undefined) p.newWeight = at(row, newCol);
      } else if (newCol !== undefined) {
        p.next = at(row, newCol);
      }
      const vCol = i === 0 ? h.velocities.get(key) : h.newVelocities.get(stepKey(prev, key));
      if (vCol !== undefined) {
        p.velocity = at(row, vCol);
        const nv = h.newVelocities.get(stepKey(step, key));
        const vHere = h.velocities.get(key);
        if (last && vHere !== undefined && hasNextRow(vHere)) {
          p.nextVelocity = at(row + 1, vHere);
          if (nv !== undefined) p.newVelocity = at(row, nv);
        } else if (nv !== undefined) {
          p.nextVelocity = at(row, nv);
        }
      }
      params.push(p);
    }
    if (noWeight.length > 0) notes.push(`${label}: no column for the weights this step starts from (new … of the step before) for ${listNames(noWeight)}`);
    const unmatched = [...h.grads.entries()].filter(([k]) => k.split('|')[0] === String(step ?? '') && !h.params.has(k.split('|')[1]));
    if (unmatched.length > 0) notes.push(`${label}: gradient columns without a weight column: ${listNames(unmatched.map(([, c]) => header(c)))}`);
    if (params.length > 0) steps.push({ label, loss: at(row, loss.col), params });
  });
  if (steps.length === 0) throw new MappingError([`sheet "${sheet.name}": found the header row ${h.row + 1} but no step with a loss, weights and gradients`, ...notes]);

  // Learning rate and momentum: a column, else the cell the update formula reads besides the weight and gradient,
  // else a labelled cell, else a defined name.
  const lrRe = LR_LABEL;
  let lr: Setting | null = h.lr !== null ? at(row, h.lr) : known ? known.lr ?? null : null;
  let lrHow = h.lr !== null ? `column ${header(h.lr)}` : 'as in the first row';
  if (!lr && !known) {
    const p = steps[0].params.find((q) => q.next && cell(q.next.row, q.next.col)?.formula !== undefined);
    if (p?.next) {
      const own = new Set([p.weight, p.gradient, p.velocity, p.nextVelocity].filter(Boolean).map((r) => `${r!.sheet}!${r!.row},${r!.col}`));
      const f = cell(p.next.row, p.next.col)!.formula!;
      const others = cellsRead(f, sheet.name).filter((r) => !own.has(`${r.sheet}!${r.row},${r.col}`));
      const named = data.names.filter((n) => new RegExp(`(^|[^A-Za-z0-9_.])${n.name.replace(/[.]/g, '\\.')}($|[^A-Za-z0-9_.(])`, 'i').test(f));
      if (others.length === 1 && named.length === 0) {
        lr = others[0];
        const tag = cellLabel(sheet, lr);
        lrHow = `the cell ${tag ? `${tag} (${a1(lr, sheet.name)})` : a1(lr, sheet.name)} that ${p.name}'s update ${a1(p.next, sheet.name)} reads`;
      } else if (others.length === 0 && named.length === 1) {
        lr = parseCellRef(named[0].ref, sheet.name);
        if (lr) lrHow = `the name ${named[0].name} that ${p.name}'s update reads`;
      }
    }
  }
  if (!lr && !known) {
    lr = labelledSetting(sheet, lrRe, h.row) ?? definedSetting(data, lrRe, sheet.name);
    if (lr) lrHow = `the labelled cell ${a1(lr, sheet.name)}`;
  }
  const usesMomentum = steps.some((s) => s.params.some((p) => p.velocity));
  const muRe = /^(?:μ|µ|mu|momentum|β|beta)$/;
  let mu: Setting | null = h.momentum === null && known ? known.mu ?? null : null;
  let muHow = '';
  if (usesMomentum && !(h.momentum === null && known)) {
    mu = h.momentum !== null ? at(row, h.momentum) : labelledSetting(sheet, muRe, h.row) ?? definedSetting(data, muRe, sheet.name);
    if (mu) muHow = h.momentum !== null ? `column ${header(h.momentum)}` : `the cell ${a1(mu, sheet.name)}`;
  }
  for (const s of steps) {
    if (lr) s.learningRate = lr;
    if (mu) s.momentum = mu;
  }

  const p0 = steps[0].params;
  const iteration = h.iteration !== null && typeof cell(row, h.iteration)?.value === 'number' ? ` (${header(h.iteration)} ${cell(row, h.iteration)!.value})` : '';
  found.push(`sheet "${sheet.name}", header row ${h.row + 1}, checked row ${row + 1}${iteration}`);
  found.push(`weights: ${listNames(p0.map((p) => p.name))}; loss: ${steps.map((s) => header(s.loss.col)).join(', ')}`);
  found.push(`gradients: ${listNames(steps.flatMap((s) => s.params.map((p) => header(p.gradient.col))), 16)}`);
  if (steps.length > 1) found.push(`${steps.length} steps in the row: step 1 from the row's weights, each later step from the new weights of the step before`);
  const settingText = (x: Setting) => (typeof x === 'number' ? String(x) : String(cell(x.row, x.col)?.value ?? '?'));
  found.push(lr ? `learning rate: ${lrHow} = ${settingText(lr)}` : 'learning rate: not found (no η/lr column or label, and the update formula reads no other single cell)');
  if (usesMomentum) found.push(mu ? `momentum: ${muHow} = ${settingText(mu)}; velocities ${listNames(p0.filter((p) => p.velocity).map((p) => header(p.velocity!.col)))}` : 'momentum: velocity columns but no μ/momentum cell found');
  const nexts = steps[steps.length - 1].params.filter((p) => p.next);
  if (nexts.length > 0) {
    const p = nexts[0];
    found.push(`update checked against ${p.next!.row === row ? `the new weights of row ${row + 1}` : `row ${row + 2}${p.newWeight ? ` and the new weights of row ${row + 1}` : ''}`}`);
  }
  else notes.push('no next row and no new-weight columns: the update rule was not checked');

  const nameOf = (ref: CellRef): string | null => {
    if (ref.sheet !== sheet.name || ref.row <= h.row) return null;
    return h.texts.get(ref.col) ?? null;
  };
  return { source: 'auto', sheet: sheet.name, row: row + 1, steps, nameOf, found, notes };
}
