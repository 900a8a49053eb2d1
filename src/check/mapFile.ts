import { a1, columnIndex, parseCellRef } from './address';
import { cellKey, type CellRef, type CheckPlan, type ParamPlan, type Setting, type StepPlan, type WorkbookData } from './types';

/**
 * A map file says which cells of a workbook are the weights, the loss, the claimed gradients and the updates, for
 * sheets not in the classic layout. JSON:
 *
 *   {
 *     "format": "gradsheet.check-map/1",            optional
 *     "description": "…",                            optional
 *     "sheet": "Backprop",                           the sheet the addresses are on (default: the first sheet)
 *     "row": 5,                                      optional: the row that column-only addresses mean (--row overrides)
 *     "loss": "C20",
 *     "learningRate": "B2" or 0.5,                   optional: without it the update rule is not checked
 *     "momentum": "B3" or 0.9,                       optional: SGD with momentum (weights then give "velocity")
 *     "weights": [
 *       { "name": "w1", "cell": "B5", "gradient": "F9", "next": "B25", "velocity": "…", "nextVelocity": "…" }
 *     ],
 *     "names": { "E9": "a_h1" },                     optional: names for cells in the report
 *     "steps": [ { "label": "…", "loss": "…", "learningRate": …, "momentum": …, "weights": [ … ] } ]
 *                                                    instead of loss/weights: several losses, each with its gradients
 *   }
 *
 * Addresses: "B5", "Data!B5", "'My sheet'!B5"; "B" is column B in the checked row and "B+1" column B in the row after
 * it, for maps of sheets with one iteration per row.
 */

export const MAP_FORMAT = 'gradsheet.check-map/1';

export class MapError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'MapError';
  }
}

const TOP_KEYS = ['format', 'description', 'sheet', 'row', 'loss', 'learningRate', 'momentum', 'weights', 'names', 'steps'];
const STEP_KEYS = ['label', 'loss', 'learningRate', 'momentum', 'weights'];
const WEIGHT_KEYS = ['name', 'cell', 'gradient', 'next', 'velocity', 'nextVelocity'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(obj: Record<string, unknown>, allowed: string[], field: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new MapError(field ? `${field}.${k}` : k, `unknown field (expected one of: ${allowed.join(', ')})`);
  }
}

export interface MapOptions {
  /** 1-based row for column-only addresses (overrides the map's "row"). */
  row?: number;
}

export function parseMapText(text: string, source = 'map'): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MapError(source, `not valid JSON (${(err as Error).message})`);
  }
}

export function planFromMap(data: WorkbookData, map: unknown, options: MapOptions = {}): CheckPlan {
  if (!isObject(map)) throw new MapError('map', 'must be a JSON object');
  checkKeys(map, TOP_KEYS, '');
  if (map.format !== undefined && map.format !== MAP_FORMAT) throw new MapError('format', `must be "${MAP_FORMAT}", got ${JSON.stringify(map.format)}`);
  if (map.description !== undefined && typeof map.description !== 'string') throw new MapError('description', 'must be text');

  let sheet: string;
  if (map.sheet === undefined) {
    if (data.sheets.length === 0) throw new MapError('sheet', 'the workbook has no sheets');
    sheet = data.sheets[0].name;
  } else {
    if (typeof map.sheet !== 'string') throw new MapError('sheet', 'must be a sheet name');
    sheet = map.sheet;
  }
  if (!data.sheets.some((s) => s.name === sheet)) {
    throw new MapError('sheet', `no sheet named "${sheet}" (sheets: ${data.sheets.map((s) => s.name).join(', ')})`);
  }

  let row: number | undefined = options.row;
  if (row === undefined && map.row !== undefined) {
    if (typeof map.row !== 'number' || !Number.isInteger(map.row) || map.row < 1) throw new MapError('row', `must be a sheet row number (1, 2, …), got ${JSON.stringify(map.row)}`);
    row = map.row;
  }
  let usesRow = false;

  const cell = (v: unknown, field: string): CellRef => {
    if (typeof v !== 'string' || v.trim() === '') throw new MapError(field, `must be a cell address such as "C7", got ${JSON.stringify(v)}`);
    const rel = /^\$?([A-Za-z]{1,3})(\+1)?$/.exec(v.trim());
    if (rel) {
      usesRow = true;
      if (row === undefined) throw new MapError(field, `"${v}" names a column only: give "row" in the map or --row`);
      return { sheet, row: row - 1 + (rel[2] ? 1 : 0), col: columnIndex(rel[1]) };
    }
    const ref = parseCellRef(v, sheet);
    if (!ref) throw new MapError(field, `"${v}" is not a cell address such as "C7", "Data!C7", "C" or "C+1"`);
    if (!data.sheets.some((s) => s.name === ref.sheet)) throw new MapError(field, `"${v}": no sheet named "${ref.sheet}"`);
    return ref;
  };
  const setting = (v: unknown, field: string): Setting | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new MapError(field, 'must be a finite number or a cell address');
      return v;
    }
    return cell(v, field);
  };

  const names = new Map<string, string>();
  if (map.names !== undefined) {
    if (!isObject(map.names)) throw new MapError('names', 'must be an object of address → name, e.g. { "E9": "a_h1" }');
    for (const [addr, name] of Object.entries(map.names)) {
      if (typeof name !== 'string' || name.trim() === '') throw new MapError(`names.${addr}`, 'must be a name (text)');
      names.set(cellKey(cell(addr, `names.${addr}`)), name);
    }
  }

  const weightsOf = (list: unknown, field: string, hasMomentum: boolean): ParamPlan[] => {
    if (!Array.isArray(list) || list.length === 0) throw new MapError(field, 'must be a non-empty list of { name, cell, gradient, next }');
    const seen = new Set<string>();
    return list.map((w, i) => {
      const f = `${field}[${i}]`;
      if (!isObject(w)) throw new MapError(f, 'must be an object { name, cell, gradient, next }');
      checkKeys(w, WEIGHT_KEYS, f);
      if (typeof w.name !== 'string' || w.name.trim() === '') throw new MapError(`${f}.name`, 'must be the weight\'s name, e.g. "w1"');
      if (seen.has(w.name)) throw new MapError(`${f}.name`, `"${w.name}" is given twice`);
      seen.add(w.name);
      if (w.cell === undefined) throw new MapError(`${f}.cell`, 'missing: the cell holding the weight');
      if (w.gradient === undefined) throw new MapError(`${f}.gradient`, 'missing: the cell claiming ∂loss/∂weight');
      const p: ParamPlan = { name: w.name, weight: cell(w.cell, `${f}.cell`), gradient: cell(w.gradient, `${f}.gradient`) };
      if (w.next !== undefined) p.next = cell(w.next, `${f}.next`);
      if (w.velocity !== undefined) p.velocity = cell(w.velocity, `${f}.velocity`);
      if (w.nextVelocity !== undefined) p.nextVelocity = cell(w.nextVelocity, `${f}.nextVelocity`);
      if (p.velocity && !hasMomentum) throw new MapError(`${f}.velocity`, 'a velocity needs "momentum" in the map');
      if (!names.has(cellKey(p.weight))) names.set(cellKey(p.weight), p.name);
      return p;
    });
  };

  const steps: StepPlan[] = [];
  if (map.steps !== undefined) {
    if (map.loss !== undefined || map.weights !== undefined) throw new MapError('steps', 'give either "steps" or "loss" and "weights", not both');
    if (!Array.isArray(map.steps) || map.steps.length === 0) throw new MapError('steps', 'must be a non-empty list of { label, loss, weights }');
    map.steps.forEach((s, i) => {
      const f = `steps[${i}]`;
      if (!isObject(s)) throw new MapError(f, 'must be an object { label, loss, weights }');
      checkKeys(s, STEP_KEYS, f);
      if (s.loss === undefined) throw new MapError(`${f}.loss`, 'missing: the cell holding the loss');
      if (s.label !== undefined && typeof s.label !== 'string') throw new MapError(`${f}.label`, 'must be text');
      const lr = setting(s.learningRate, `${f}.learningRate`) ?? setting(map.learningRate, 'learningRate');
      const mu = setting(s.momentum, `${f}.momentum`) ?? setting(map.momentum, 'momentum');
      steps.push({
        label: (s.label as string | undefined) ?? `step ${i + 1}`,
        loss: cell(s.loss, `${f}.loss`),
        params: weightsOf(s.weights, `${f}.weights`, mu !== undefined),
        ...(lr !== undefined ? { learningRate: lr } : {}),
        ...(mu !== undefined ? { momentum: mu } : {}),
      });
    });
  } else {
    if (map.loss === undefined) throw new MapError('loss', 'missing: the cell holding the loss (or give "steps")');
    if (map.weights === undefined) throw new MapError('weights', 'missing: the list of weights with their gradient cells');
    const lr = setting(map.learningRate, 'learningRate');
    const mu = setting(map.momentum, 'momentum');
    steps.push({
      label: `sheet "${sheet}"`,
      loss: cell(map.loss, 'loss'),
      params: weightsOf(map.weights, 'weights', mu !== undefined),
      ...(lr !== undefined ? { learningRate: lr } : {}),
      ...(mu !== undefined ? { momentum: mu } : {}),
    });
    if (row !== undefined && usesRow) steps[0].label = `row ${row}`;
  }

  const lossNames = steps.map((s) => names.get(cellKey(s.loss)) ?? a1(s.loss, sheet));
  const found = [
    `map${typeof map.description === 'string' ? `: ${map.description}` : ''}`,
    `sheet "${sheet}"${usesRow && row !== undefined ? `, checked row ${row}` : ''}; ${steps.reduce((n, s) => n + s.params.length, 0)} weights; loss ${lossNames.join(', ')}`,
  ];
  const lr0 = steps[0].learningRate;
  found.push(lr0 === undefined ? 'learning rate: not given (the update rule is not checked)' : `learning rate: ${typeof lr0 === 'number' ? lr0 : a1(lr0, sheet)}`);
  return {
    source: 'map',
    sheet,
    ...(usesRow && row !== undefined ? { row } : {}),
    steps,
    nameOf: (ref) => names.get(cellKey(ref)) ?? null,
    found,
    notes: [],
  };
}
