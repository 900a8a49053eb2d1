import { DATASETS, type DatasetName } from '../data/datasets';
import { hyperValue, optimizerCatalog, type HyperName } from '../model/optimizers';
import { initialParams } from '../spec/resolve';
import type { ActivationName, BatchMode, InitKind, LossName, OptimizerKind, OptimizerSpec, Spec } from '../spec/types';
import { cellsPerRow, LIMITS, parseOptimizer, parseSpec, SpecError, toSpecJson } from '../spec/validate';

/**
 * The network editor's draft: what its controls hold, as typed (numbers stay text until the spec validator judges
 * them, so its own messages are the ones shown). `toSpec` turns a draft into a spec through parseSpec; every refusal
 * is a SpecError naming the field, which the editor shows beside its control.
 */

export interface DraftLayer {
  units: string;
  activation: ActivationName;
}

export interface Draft {
  /** Hidden layers, first to last; the input and output sizes follow from the data. */
  hidden: DraftLayer[];
  outputActivation: ActivationName;
  bias: boolean;
  loss: LossName;
  /** A way to draw the weights, or `explicit`: the current sheet's starting weights (the spec's `initial`). */
  init: InitKind | 'explicit';
  /** The optimizer's kind, and its hyper-parameters (optimizerCatalog's, in its order): numbers as typed, flags. */
  optimizer: OptimizerKind;
  hyper: DraftHyper[];
  batch: BatchMode;
  epochs: string;
  seed: string;
  /** A data set of the registry, or `current`: the current sheet's data. */
  dataset: DatasetName | 'current';
  samples: string;
}

export interface DraftHyper {
  name: HyperName;
  value: string | boolean;
}

/**
 * A kind's hyper-parameters for the draft: the sheet's values when it is the sheet's kind, PyTorch's defaults
 * otherwise (where PyTorch has none, SGD's lr, the learning rate the draft had).
 */
export function draftHyper(kind: OptimizerKind, sheet: OptimizerSpec, lr: string): DraftHyper[] {
  const entry = optimizerCatalog().find((c) => c.kind === kind)!;
  return entry.hyper.map((p) => {
    const v = kind === sheet.kind ? hyperValue(sheet, p.name) : p.default;
    return { name: p.name, value: v === null ? (p.name === 'lr' ? lr : '') : typeof v === 'boolean' ? v : String(v) };
  });
}

/** The most samples drawn for a draft; the validator's limit (LIMITS.maxSamples) is far below and says so. */
const MAX_DRAWN = 100_000;

/** Text to the number it says, or the text itself (so the validator names what was typed). */
function numeric(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** What the editor starts from: the current sheet, as it is. */
export function draftOf(spec: Spec): Draft {
  const { layers, activations } = spec.model;
  return {
    hidden: layers.slice(1, -1).map((n, i) => ({ units: String(n), activation: activations[i] })),
    outputActivation: activations[activations.length - 1],
    bias: spec.model.bias,
    loss: spec.model.loss,
    init: spec.initial ? 'explicit' : spec.init.weights,
    optimizer: spec.optimizer.kind,
    hyper: draftHyper(spec.optimizer.kind, spec.optimizer, String(spec.optimizer.lr)),
    batch: spec.batch,
    epochs: String(spec.epochs),
    seed: String(spec.seed),
    dataset: datasetOf(spec),
    samples: String(spec.data.inputs.length),
  };
}

/** The registry's fixed table a spec's data is, or `current`. */
function datasetOf(spec: Spec): Draft['dataset'] {
  for (const [name, entry] of Object.entries(DATASETS)) {
    if (!entry.generated && JSON.stringify(entry.make(0, 0)) === JSON.stringify(spec.data)) return name as DatasetName;
  }
  return 'current';
}

/** The draft's data: the chosen set (drawn from the seed with the chosen number of samples), or the current data. */
function draftData(d: Draft, current: Spec): Spec['data'] {
  if (d.dataset === 'current') return current.data;
  const entry = DATASETS[d.dataset];
  if (!entry.generated) return entry.make(0, 0);
  const n = numeric(d.samples);
  const seed = numeric(d.seed);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new SpecError('data.inputs', `the number of samples must be a whole number from 1 to ${LIMITS.maxSamples}, got ${JSON.stringify(d.samples)}`);
  if (n > MAX_DRAWN) throw new SpecError('data.inputs', `must have 1 to ${LIMITS.maxSamples} entries, got ${n}`);
  return entry.make(n, typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 ? seed : 0);
}

/** The draft's optimizer as a spec file writes it: `kind` and every hyper-parameter, the pair betas as an array. */
function draftOptimizer(d: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: d.optimizer };
  for (const h of d.hyper) {
    const v = typeof h.value === 'boolean' ? h.value : numeric(h.value);
    const pair = /^betas\[(\d)\]$/.exec(h.name);
    if (pair) ((out.betas ??= []) as unknown[])[Number(pair[1])] = v;
    else out[h.name] = v;
  }
  return out;
}

/** The spec-file object a draft stands for (before validation). */
export function draftJson(d: Draft, current: Spec): Record<string, unknown> {
  const data = draftData(d, current);
  const layers = [data.inputs[0]?.length ?? 0, ...d.hidden.map((h) => numeric(h.units)), data.targets[0]?.length ?? 0];
  const model = { layers, bias: d.bias, activations: [...d.hidden.map((h) => h.activation), d.outputActivation], loss: d.loss };
  const dataName = d.dataset === 'current' ? 'data' : d.dataset;
  const shape = layers.join('-');
  // An unchanged draft is the current sheet: it keeps its name and description.
  const same = JSON.stringify(d) === JSON.stringify(draftOf(current));
  const out: Record<string, unknown> = {
    name: same ? current.name : `${dataName}-${shape}`,
    description: same ? current.description : `Built in the page's network editor: ${shape} on ${d.dataset === 'current' ? `${current.name}'s data` : DATASETS[d.dataset].label}` +
      `${d.dataset !== 'current' && DATASETS[d.dataset].generated ? ` (${data.inputs.length} samples, seed ${d.seed})` : ''}.`,
    model,
    data,
    optimizer: draftOptimizer(d),
    batch: d.batch,
    epochs: numeric(d.epochs),
    seed: numeric(d.seed),
  };
  if (d.init === 'explicit') out.initial = initialParams(current);
  else out.init = { weights: d.init, biases: d.init };
  return out;
}

/** The validated spec of a draft; throws the validator's SpecError. */
export function draftSpec(d: Draft, current: Spec): Spec {
  return parseSpec(draftJson(d, current));
}

/** The cells the draft's sheet would have, when its shape can be counted: a row's and the whole sheet's. */
export function draftCells(d: Draft, current: Spec): { row: number; total: number } | null {
  try {
    const raw = draftJson(d, current) as { model: Spec['model']; data: Spec['data']; optimizer: unknown; batch: BatchMode; epochs: unknown };
    const { layers } = raw.model;
    if (!layers.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= LIMITS.maxUnits)) return null;
    const row = cellsPerRow({ model: raw.model, batch: raw.batch, stepsPerEpoch: raw.data.inputs.length, data: raw.data, optimizer: parseOptimizer(raw.optimizer) });
    const epochs = typeof raw.epochs === 'number' ? raw.epochs : 0;
    return { row, total: row * epochs };
  } catch {
    return null;
  }
}

export { toSpecJson };
