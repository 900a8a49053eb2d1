import { ACTIVATION_REGISTRY } from '../model/activations';
import { LOSS_REGISTRY } from '../model/losses';
import { HYPER_PARAMS, OPTIMIZER_REGISTRY, hyperDefault, settingsOf, type HyperName } from '../model/optimizers';
import { sampleOrder } from './resolve';
import {
  ACTIVATIONS, BATCH_MODES, INIT_KINDS, LOSSES, OPTIMIZER_KINDS,
  type InitSpec, type LayerParams, type LossName, type OptimizerSpec, type Spec,
} from './types';

/** A spec that cannot be used; `field` is a path such as `model.layers[2]`. */
export class SpecError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'SpecError';
  }
}

export const LIMITS = {
  maxLayers: 8,
  maxUnits: 64,
  maxEpochs: 100_000,
  maxSamples: 1000,
  maxStepsPerEpoch: 1000,
  /** Cells in one row (one epoch): the most columns an XLSX sheet can have (XFD), below HyperFormula's 18,278. */
  maxCellsPerRow: 16_384,
  /**
   * Cells in the whole Train sheet (cells a row × epochs; end2-xor-44 is 1.58 M). Measured at the limit,
   * end2-xor-44 for 6321 epochs (5.0 M cells) peaked at 1.7 GB resident, training in 161 s on a shared 2-core machine.
   */
  maxCells: 5_000_000,
} as const;

const SPEC_KEYS = [
  'name', 'description', 'model', 'data', 'optimizer', 'batch', 'stepsPerEpoch', 'epochs', 'seed', 'init', 'initial', 'order',
];
/** Keys a run file carries besides the spec: results, accepted and ignored so a run file replays as a spec. */
const RUN_RESULT_KEYS = ['format', 'preset', 'gradients0', 'epochLoss', 'final'];
/** The `format` of a run file (src/run/runFile.ts writes it). */
const RUN_FORMAT = 'gradsheet.run/1';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, field: string): Obj {
  if (!isObj(v)) throw new SpecError(field, `must be an object, got ${describe(v)}`);
  return v;
}

function arr(v: unknown, field: string, min: number, max: number): unknown[] {
  if (!Array.isArray(v)) throw new SpecError(field, `must be an array, got ${describe(v)}`);
  if (v.length < min || v.length > max) {
    throw new SpecError(field, `must have ${min === max ? min : `${min} to ${max}`} entries, got ${v.length}`);
  }
  return v;
}

function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpecError(field, `must be a finite number, got ${describe(v)}`);
  return v;
}

function int(v: unknown, field: string, min: number, max: number): number {
  const n = num(v, field);
  if (!Number.isInteger(n) || n < min || n > max) throw new SpecError(field, `must be a whole number from ${min} to ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(v: unknown, field: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) {
    throw new SpecError(field, `must be one of ${options.map((o) => `"${o}"`).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

function str(v: unknown, field: string, max = 200): string {
  if (typeof v !== 'string') throw new SpecError(field, `must be a string, got ${describe(v)}`);
  if (v.length > max) throw new SpecError(field, `must be at most ${max} characters, got ${v.length}`);
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `${v} (a number beyond ±1.8e308, such as 1e400, is too large for a float64)`;
  return typeof v;
}

function noUnknownKeys(o: Obj, field: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      // A key that is not a plain name (empty, spaces, very long) is quoted, so the field is never blank.
      const plain = /^[A-Za-z_$][\w$]{0,39}$/.test(key);
      const quoted = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
      const where = plain ? (field ? `${field}.${key}` : key) : field ? `${field}[${quoted}]` : quoted;
      throw new SpecError(where, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
}

function matrix(v: unknown, field: string, rows: number, cols: number): number[][] {
  return arr(v, field, rows, rows).map((row, r) =>
    arr(row, `${field}[${r}]`, cols, cols).map((x, c) => num(x, `${field}[${r}][${c}]`)));
}

function parseInit(v: unknown): InitSpec {
  if (typeof v === 'string') {
    const kind = oneOf(v, 'init', INIT_KINDS);
    return { weights: kind, biases: kind };
  }
  const o = obj(v, 'init');
  noUnknownKeys(o, 'init', ['weights', 'biases']);
  return {
    weights: oneOf(o.weights, 'init.weights', INIT_KINDS),
    biases: o.biases === undefined ? 'zeros' : oneOf(o.biases, 'init.biases', INIT_KINDS),
  };
}

function parseInitial(v: unknown, layers: number[], bias: boolean): LayerParams[] {
  return arr(v, 'initial', layers.length - 1, layers.length - 1).map((entry, l) => {
    const field = `initial[${l}]`;
    const o = obj(entry, field);
    noUnknownKeys(o, field, ['weight', 'bias']);
    const [fanIn, fanOut] = [layers[l], layers[l + 1]];
    const weight = matrix(o.weight, `${field}.weight`, fanOut, fanIn);
    if (!bias) {
      if (o.bias !== null && o.bias !== undefined) throw new SpecError(`${field}.bias`, 'must be null because model.bias is false');
      return { weight, bias: null };
    }
    const b = arr(o.bias, `${field}.bias`, fanOut, fanOut).map((x, j) => num(x, `${field}.bias[${j}]`));
    return { weight, bias: b };
  });
}

/** bce targets are probabilities; cross-entropy targets are a distribution over the classes per sample (one-hot or soft). */
function checkTargets(loss: LossName, targets: number[][]): void {
  if (loss !== 'bce' && loss !== 'cross-entropy') return;
  targets.forEach((row, s) => row.forEach((t, k) => {
    if (t < 0 || t > 1) throw new SpecError(`data.targets[${s}][${k}]`, `must be from 0 to 1 for loss "${loss}" (a probability), got ${t}`);
  }));
  if (loss === 'cross-entropy') {
    targets.forEach((row, s) => {
      const sum = row.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-9) throw new SpecError(`data.targets[${s}]`, `must add up to 1 for loss "cross-entropy" (one probability per class, e.g. [0, 1]), got a sum of ${sum}`);
    });
  }
}

/** The values of the fields a kind does not read (OptimizerSpec holds every field). */
const UNUSED = {
  momentum: 0, nesterov: false, weight_decay: 0, betas: [0.9, 0.999], eps: 1e-8, alpha: 0.99, centered: false, lr_decay: 0, initial_accumulator_value: 0,
} as const;

/** The optimizer object: `kind` (default "sgd") and that kind's hyper-parameters, PyTorch's names and defaults. */
export function parseOptimizer(v: unknown): OptimizerSpec {
  const opt = obj(v, 'optimizer');
  const kind = opt.kind === undefined ? 'sgd' : oneOf(opt.kind, 'optimizer.kind', OPTIMIZER_KINDS);
  const entry = OPTIMIZER_REGISTRY[kind];
  const allowed = ['kind', ...new Set(entry.hyper.map((h) => h.replace(/\[\d\]$/, '')))];
  // A field only other kinds read is accepted at its neutral value (an in-memory spec holds every field).
  const neutral = Object.fromEntries(Object.entries(UNUSED).filter(([k, x]) => !allowed.includes(k) && JSON.stringify(opt[k]) === JSON.stringify(x)));
  noUnknownKeys(opt, 'optimizer', [...allowed, ...Object.keys(neutral)]);
  const value = (name: HyperName): number | boolean => {
    const p = HYPER_PARAMS[name];
    const field = `optimizer.${name}`;
    const raw = name.startsWith('betas') ? betas?.[Number(name[6])] : opt[name];
    const dflt = hyperDefault(kind, name);
    if (raw === undefined) {
      if (dflt === null) throw new SpecError(field, 'must be a finite number, got nothing');
      return dflt;
    }
    if (p.type === 'boolean') {
      if (typeof raw !== 'boolean') throw new SpecError(field, `must be true or false, got ${describe(raw)}`);
      return raw;
    }
    const x = num(raw, field);
    const low = p.min === undefined || (p.minExclusive ? x > p.min : x >= p.min);
    const high = p.max === undefined || (p.maxInclusive ? x <= p.max : x < p.max);
    if (!low || !high) {
      const from = p.min === undefined ? '' : p.minExclusive ? `greater than ${p.min}` : `from ${p.min}`;
      const to = p.max === undefined ? '' : p.maxInclusive ? ` to ${p.max}` : ` up to (not including) ${p.max}`;
      throw new SpecError(field, `must be ${p.max === undefined && !p.minExclusive ? `at least ${p.min}` : `${from}${to}`}, got ${x}`);
    }
    return x;
  };
  const betas = opt.betas === undefined ? undefined : arr(opt.betas, 'optimizer.betas', 2, 2);
  const has = (name: HyperName) => entry.hyper.includes(name);
  const get = <T extends number | boolean>(name: HyperName, fallback: T): T => (has(name) ? value(name) as T : fallback);
  const o: OptimizerSpec = {
    kind,
    lr: value('lr') as number,
    momentum: get('momentum', UNUSED.momentum),
    nesterov: get('nesterov', UNUSED.nesterov),
    weight_decay: get('weight_decay', UNUSED.weight_decay),
    betas: [get('betas[0]', UNUSED.betas[0]), get('betas[1]', UNUSED.betas[1])],
    eps: get('eps', UNUSED.eps),
    alpha: get('alpha', UNUSED.alpha),
    centered: get('centered', UNUSED.centered),
    lr_decay: get('lr_decay', UNUSED.lr_decay),
    initial_accumulator_value: get('initial_accumulator_value', UNUSED.initial_accumulator_value),
  };
  if (o.nesterov && o.momentum === 0) throw new SpecError('optimizer.nesterov', 'needs a momentum greater than 0 (as in PyTorch)');
  return o;
}

/** The optimizer as a spec file holds it: SGD as before ({lr, momentum}, plus any other field not at its default), other kinds with every hyper-parameter. */
export function optimizerJson(o: OptimizerSpec): Obj {
  const entry = OPTIMIZER_REGISTRY[o.kind];
  const out: Obj = o.kind === 'sgd' ? {} : { kind: o.kind };
  for (const name of entry.hyper) {
    const v = name.startsWith('betas') ? o.betas : (o as unknown as Obj)[name];
    const key = name.replace(/\[\d\]$/, '');
    if (key in out) continue;
    const isDefault = name.startsWith('betas')
      ? o.betas[0] === hyperDefault(o.kind, 'betas[0]') && o.betas[1] === hyperDefault(o.kind, 'betas[1]')
      : v === hyperDefault(o.kind, name);
    if (o.kind !== 'sgd' || name === 'lr' || name === 'momentum' || !isDefault) out[key] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

/** Validates anything (parsed JSON) as a spec; throws SpecError naming the first bad field. */
export function parseSpec(raw: unknown): Spec {
  const o = obj(raw, 'spec');
  noUnknownKeys(o, '', [...SPEC_KEYS, ...RUN_RESULT_KEYS]);
  if (o.format !== undefined && o.format !== RUN_FORMAT) {
    throw new SpecError('format', `must be "${RUN_FORMAT}" (a run file gradsheet wrote), got ${describe(o.format)}`);
  }

  const nameSource = o.name ?? o.preset;
  const name = nameSource === undefined || nameSource === null ? 'custom' : str(nameSource, o.name !== undefined ? 'name' : 'preset');
  const description = o.description === undefined ? '' : str(o.description, 'description', 2000);

  const m = obj(o.model, 'model');
  noUnknownKeys(m, 'model', ['layers', 'bias', 'activations', 'loss']);
  const layers = arr(m.layers, 'model.layers', 2, LIMITS.maxLayers)
    .map((x, i) => int(x, `model.layers[${i}]`, 1, LIMITS.maxUnits));
  const bias = m.bias === undefined ? false : m.bias;
  if (typeof bias !== 'boolean') throw new SpecError('model.bias', `must be true or false, got ${describe(bias)}`);
  const activations = arr(m.activations, 'model.activations', layers.length - 1, layers.length - 1)
    .map((a, i) => oneOf(a, `model.activations[${i}]`, ACTIVATIONS));
  const loss = oneOf(m.loss, 'model.loss', LOSSES);
  const needs = LOSS_REGISTRY[loss].outputActivation;
  if (needs && activations[activations.length - 1] !== needs) {
    throw new SpecError(`model.activations[${activations.length - 1}]`, `must be "${needs}" for loss "${loss}" (${LOSS_REGISTRY[loss].outputNote}), got "${activations[activations.length - 1]}"`);
  }
  if (loss === 'cross-entropy' && layers[layers.length - 1] < 2) {
    throw new SpecError('model.layers', `loss "cross-entropy" needs at least 2 outputs (one per class), got ${layers[layers.length - 1]}`);
  }

  const d = obj(o.data, 'data');
  noUnknownKeys(d, 'data', ['inputs', 'targets']);
  const inputsRaw = arr(d.inputs, 'data.inputs', 1, LIMITS.maxSamples);
  const inputs = matrix(inputsRaw, 'data.inputs', inputsRaw.length, layers[0]);
  const targets = matrix(d.targets, 'data.targets', inputs.length, layers[layers.length - 1]);
  checkTargets(loss, targets);

  const optimizer = parseOptimizer(o.optimizer);

  const batch = oneOf(o.batch, 'batch', BATCH_MODES);
  const epochs = int(o.epochs, 'epochs', 1, LIMITS.maxEpochs);
  const seed = o.seed === undefined ? 0 : int(o.seed, 'seed', 0, 2 ** 32 - 1);

  const hasInitial = o.initial !== undefined && o.initial !== null;
  if (hasInitial && o.init !== undefined) throw new SpecError('init', 'give either init (how to draw weights) or initial (the weights), not both');
  const init = o.init === undefined ? { weights: 'normal' as const, biases: 'normal' as const } : parseInit(o.init);
  const initial = hasInitial ? parseInitial(o.initial, layers, bias) : null;

  let stepsPerEpoch = 1;
  let order: number[][] | null = null;
  if (batch === 'sample') {
    const hasOrder = o.order !== undefined && o.order !== null;
    const orderRaw = hasOrder ? arr(o.order, 'order', epochs, LIMITS.maxEpochs) : null;
    // Without stepsPerEpoch, an explicit order says how many steps an epoch has (within the same bounds).
    const defaultSteps = orderRaw && Array.isArray(orderRaw[0])
      ? arr(orderRaw[0], 'order[0]', 1, LIMITS.maxStepsPerEpoch).length
      : inputs.length;
    stepsPerEpoch = o.stepsPerEpoch === undefined ? defaultSteps : int(o.stepsPerEpoch, 'stepsPerEpoch', 1, LIMITS.maxStepsPerEpoch);
    if (orderRaw) {
      // A longer order (a run file replayed with fewer --epochs) is cut to the epochs asked for.
      order = orderRaw.slice(0, epochs).map((steps, e) =>
        arr(steps, `order[${e}]`, stepsPerEpoch, stepsPerEpoch).map((k, s) => int(k, `order[${e}][${s}]`, 0, inputs.length - 1)));
    }
  } else {
    if (o.stepsPerEpoch !== undefined && o.stepsPerEpoch !== 1) {
      throw new SpecError('stepsPerEpoch', 'applies only to batch "sample"; batch "full" makes one update per epoch');
    }
    if (o.order !== undefined && o.order !== null) throw new SpecError('order', 'applies only to batch "sample"');
  }

  const spec: Spec = {
    name, description,
    model: { layers, bias, activations, loss },
    data: { inputs, targets },
    optimizer,
    batch, stepsPerEpoch, epochs, seed, init, initial, order,
  };
  checkSize(spec, epochs);
  return spec;
}

/** The shape that decides how many cells a row holds. */
export type RowShape = Pick<Spec, 'model' | 'batch' | 'stepsPerEpoch'> & {
  data: { inputs: unknown[] };
  optimizer: OptimizerSpec;
};

/**
 * How many cells one row (one epoch) of the Train sheet holds, counted without building the layout; it must equal
 * `buildLayout(spec).columns.length` (tested). Mirrors src/layout/layout.ts column by column.
 */
export function cellsPerRow(spec: RowShape): number {
  const { layers, bias, activations } = spec.model;
  const last = layers.length - 2;
  const nOut = layers[last + 1];
  const opt = OPTIMIZER_REGISTRY[spec.optimizer.kind];
  const settings = settingsOf(spec.optimizer).length; // η, μ, β1 …
  const states = opt.state(spec.optimizer).length; // per weight: velocity, m, v …
  const updateCells = opt.update(spec.optimizer).length; // per weight: new states, m̂, v̂ …, the new weight
  const stepCell = opt.needsStep(spec.optimizer) ? 1 : 0; // t, once per update
  const loss = LOSS_REGISTRY[spec.model.loss];
  const sampleMode = spec.batch === 'sample';
  const nSamples = spec.data.inputs.length;
  const nSteps = sampleMode ? spec.stepsPerEpoch : nSamples;
  let params = 0;
  let forward = 0;
  let deltas = 0;
  for (let l = 0; l <= last; l++) {
    params += layers[l + 1] * (layers[l] + (bias ? 1 : 0));
    forward += layers[l + 1] * (ACTIVATION_REGISTRY[activations[l]].formula ? 2 : 1);
    deltas += layers[l + 1];
  }
  if (loss.softmax) forward += nOut + 1; // the log-sum-exp and one probability per class
  const update = params * (1 + updateCells) + stepCell; // gradients, the optimizer's cells, (t)
  const singleTerm = sampleMode ? nOut === 1 : nOut * nSamples === 1;
  const perStep = (sampleMode ? 1 : 0) + layers[0] + nOut + forward + (singleTerm ? 0 : nOut) + deltas;
  const head = 1 + settings + params * (1 + states); // epoch, η (μ, β1 …), weights, optimizer states
  return sampleMode
    ? head + nSteps * (perStep + 1 + update) + (nSteps > 1 ? 1 : 0) // each step: its loss and its own update; their mean
    : head + nSteps * perStep + 1 + update; // one loss and one update for the whole batch
}

const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Refuses a spec whose workbook would be too large (LIMITS.maxCellsPerRow, LIMITS.maxCells), before anything is built. */
function checkSize(spec: RowShape, epochs: number): void {
  const row = cellsPerRow(spec);
  const plural = (n: number, what: string) => `${thousands(n)} ${what}${n === 1 ? '' : 's'}`;
  const steps = spec.batch === 'sample' ? `${plural(spec.stepsPerEpoch, 'step')} an epoch` : `${plural(spec.data.inputs.length, 'sample')} a batch`;
  if (row > LIMITS.maxCellsPerRow) {
    throw new SpecError('model.layers', `a row would have ${thousands(row)} cells (network ${spec.model.layers.join('-')}, ${steps}), ` +
      `over the limit of ${thousands(LIMITS.maxCellsPerRow)} cells a row (the most columns an XLSX sheet has); ` +
      'use a smaller network, fewer samples or fewer steps an epoch');
  }
  const cells = row * epochs;
  if (cells > LIMITS.maxCells) {
    const fit = Math.floor(LIMITS.maxCells / row);
    throw new SpecError('epochs', `the workbook would have ${thousands(row)} cells a row × ${thousands(epochs)} epochs = ` +
      `${thousands(cells)} cells, over the limit of ${thousands(LIMITS.maxCells)} cells; ` +
      `at most ${thousands(fit)} epochs fit this network, or use a smaller network or fewer steps an epoch`);
  }
}

/** Parses spec text (a preset, a spec file or a run file), naming the line and column of a JSON syntax error. */
export function parseSpecText(text: string, source: string): Spec {
  // A byte-order mark (some Windows editors write one) is not part of the JSON.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // UTF-16 (Windows Notepad's "Unicode") read as UTF-8: its byte-order mark turns into U+FFFD and every other byte is 0.
  if (/^(?:\ufffd\ufffd)?[^\u0000]\u0000[^\u0000]\u0000|^(?:\ufffd\ufffd)?\u0000[^\u0000]\u0000[^\u0000]/.test(json)) {
    throw new SpecError(source, 'not valid JSON (line 1, column 1: the file is UTF-16 text, not UTF-8: save it again as UTF-8, in Notepad: Save as, Encoding UTF-8)');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new SpecError(source, `not valid JSON (${jsonErrorPlace(json, err)})`);
  }
  try {
    return parseSpec(raw);
  } catch (err) {
    if (err instanceof SpecError) throw new SpecError(`${source}: ${err.field}`, err.reason);
    throw err;
  }
}

/** `line 3, column 1: expected …`: found by scanning the text, since JSON.parse's messages often omit the place. */
function jsonErrorPlace(text: string, err: unknown): string {
  const found = jsonSyntaxError(text);
  if (found === null) {
    const message = err instanceof Error ? err.message : String(err);
    return message.split(/, "|\n| in JSON at position/)[0];
  }
  const before = text.slice(0, found.offset);
  const line = before.split('\n').length;
  const column = found.offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: ${found.reason}`;
}

class JsonSyntax {
  constructor(readonly offset: number, readonly reason: string) {}
}

/**
 * The first syntax error of a JSON text and its offset, by a small scanner of the JSON grammar (RFC 8259);
 * null when the text is valid JSON or too deeply nested to scan.
 */
function jsonSyntaxError(text: string): JsonSyntax | null {
  let i = 0;
  const end = text.length;
  const fail = (reason: string, at = i): never => {
    throw new JsonSyntax(at, reason);
  };
  const shown = (at: number): string => {
    if (at >= end) return 'the end of the text';
    const word = /[A-Za-z0-9_.+-]+/y;
    word.lastIndex = at;
    const w = word.exec(text)?.[0] ?? text[at];
    // An invisible character (a no-break space pasted from a web page, a control character) by its code.
    if (/^[\s\x00-\x1f\x7f-\xa0\u200b-\u200f\u2028\u2029\ufeff]$/.test(w)) {
      return `U+${w.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (an invisible character)`;
    }
    if (w.length === 1 && !/[A-Za-z0-9]/.test(w)) return `'${w}'`;
    return JSON.stringify(w.length > 20 ? `${w.slice(0, 20)}…` : w);
  };
  const space = () => {
    while (i < end && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail(`bad escape \\${e ?? ''} in a string (escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`);
      } else if (c < 0x20) {
        fail('a string cannot hold a line break, tab or other control character; write it as \\n or \\t');
      } else i++;
    }
    fail('the text ends inside a string (a closing " is missing)');
  };
  const number = () => {
    const re = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    re.lastIndex = i;
    const m = re.exec(text);
    const next = m ? text[i + m[0].length] : undefined;
    if (!m || (next !== undefined && /[0-9.eE+-]/.test(next))) fail(`bad number ${shown(i)}`);
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 1000) throw new RangeError('too deep');
    space();
    const c = text[i];
    if (c === undefined) return fail('the text ends where a value should be');
    if (c === '{') return members(depth, '}', true);
    if (c === '[') return members(depth, ']', false);
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i) && !/[A-Za-z0-9_]/.test(text[i + word.length] ?? '')) {
        i += word.length;
        return;
      }
    }
    fail(`expected a value (a number, "text", true, false, null, {…} or […]), got ${shown(i)}`);
  };
  const members = (depth: number, close: string, object: boolean): void => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (let first = true; ; first = false) {
      space();
      if (object) {
        if (text[i] !== '"') {
          fail(`expected a field name in double quotes, got ${shown(i)}${!first && text[i] === '}' ? ' (a comma after the last field?)' : ''}`);
        }
        string();
        space();
        if (text[i] !== ':') fail(`expected ':' after the field name, got ${shown(i)}`);
        i++;
      } else if (!first && text[i] === ']') {
        fail(`expected a value, got ${shown(i)} (a comma after the last entry?)`);
      }
      value(depth + 1);
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ',') fail(`expected ',' or '${close}' after a value, got ${shown(i)}${/^[-"{[0-9tfn]/.test(text[i] ?? '') ? ' (a missing comma?)' : ''}`);
      i++;
    }
  };
  try {
    value(0);
    space();
    if (i < end) fail(`unexpected ${shown(i)} after the end of the JSON`);
    return null;
  } catch (err) {
    if (err instanceof JsonSyntax) return err;
    return null; // nested too deeply to scan: JSON.parse's own message stands
  }
}

/** Settings a user may change on top of a spec (CLI flags, page controls). */
export interface SpecOverrides {
  epochs?: number;
  lr?: number;
  momentum?: number;
  seed?: number;
  batch?: 'full' | 'sample';
}

/** Applies overrides to a spec and validates the result as a whole. */
export function withOverrides(spec: Spec, over: SpecOverrides): Spec {
  const entry = OPTIMIZER_REGISTRY[spec.optimizer.kind];
  if (over.momentum !== undefined && over.momentum !== 0 && !entry.hyper.includes('momentum')) {
    throw new SpecError('optimizer.momentum', `optimizer "${spec.optimizer.kind}" has no momentum (its hyper-parameters: ${[...new Set(entry.hyper.map((h) => h.replace(/\[\d\]$/, '')))].join(', ')})`);
  }
  const batch = over.batch ?? spec.batch;
  const seedChanged = over.seed !== undefined && over.seed !== spec.seed;
  const keepOrder = batch === 'sample' && spec.batch === 'sample' && !seedChanged;
  if (keepOrder && spec.order && over.epochs !== undefined) {
    // Checked before extendOrder draws an order for the new epochs, which for a huge count would exhaust memory.
    checkSize({ ...spec, optimizer: { ...spec.optimizer, momentum: over.momentum ?? spec.optimizer.momentum } }, int(over.epochs, 'epochs', 1, LIMITS.maxEpochs));
  }
  return parseSpec({
    ...toSpecJson(spec),
    epochs: over.epochs ?? spec.epochs,
    optimizer: {
      ...optimizerJson(spec.optimizer),
      lr: over.lr ?? spec.optimizer.lr,
      ...(entry.hyper.includes('momentum')
        ? { momentum: over.momentum ?? spec.optimizer.momentum } : {}),
    },
    seed: over.seed ?? spec.seed,
    batch,
    stepsPerEpoch: batch === 'full' ? undefined : spec.batch === 'sample' ? spec.stepsPerEpoch : spec.data.inputs.length,
    order: keepOrder && spec.order ? extendOrder(spec, over.epochs ?? spec.epochs) : undefined,
  });
}

/** An explicit order for more epochs than it holds keeps its epochs and draws the rest from the seed. */
function extendOrder(spec: Spec, epochs: number): number[][] {
  const given = spec.order!;
  if (epochs <= given.length) return given;
  const drawn = sampleOrder({ ...spec, order: null, epochs })!;
  return [...given, ...drawn.slice(given.length)];
}

/** The spec as the JSON object a spec file holds. */
export function toSpecJson(spec: Spec): Obj {
  const out: Obj = {
    name: spec.name,
    description: spec.description,
    model: spec.model,
    data: spec.data,
    optimizer: optimizerJson(spec.optimizer),
    batch: spec.batch,
    epochs: spec.epochs,
    seed: spec.seed,
  };
  if (spec.batch === 'sample') out.stepsPerEpoch = spec.stepsPerEpoch;
  if (spec.initial) out.initial = spec.initial;
  else out.init = spec.init;
  if (spec.order) out.order = spec.order;
  return out;
}
