import { ACTIVATION_REGISTRY } from '../model/activations';
import { LOSS_REGISTRY } from '../model/losses';
import { OPTIMIZER_REGISTRY, settingsOf, type HyperName, type Ref } from '../model/optimizers';
import type { ActivationName, LossName, Spec } from '../spec/types';
import { namesFor } from './names';

/**
 * The sheet layout: a pure description of which column holds which named quantity and which formula.
 * One row per epoch. This module is the one place that knows names like `a_h1` or `∂E/∂w5`;
 * the workbook, the views and the exports read them from here.
 */

export type ColumnKind =
  | 'epoch' | 'lr' | 'momentum' | 'hyper' | 'weight' | 'velocity'
  | 'sample' | 'input' | 'target' | 'pre' | 'act' | 'softmax' | 'loss-term' | 'loss' | 'epoch-loss'
  | 'delta' | 'grad' | 'optimizer' | 'new-velocity' | 'new-weight';
// `velocity` and `new-velocity` are every optimizer state carried to the next row (SGD's velocity, Adam's m and v,
// Adagrad's G …; Column.state names which); `optimizer` an update's other cells (t, m̂, v̂); `hyper` a setting
// other than η and μ (β1, β2, ε, λ, α); `softmax` cross-entropy's log-sum-exp and class probabilities.

/** How a formula names the cells it reads; rendered once as A1 addresses and once as names. */
export interface RefStyle {
  /** A column of this sheet, in this row or (rowOffset -1) the row above. */
  cell(name: string, rowOffset?: 0 | -1): string;
  /** One value of the Data sheet: sample s (0-based), field such as `i1` or `t1`. */
  data(sample: number, field: string): string;
  /** A whole column of the Data sheet, for INDEX. */
  dataColumn(field: string): string;
}

/** A formula without its leading `=`. */
export type Formula = (ref: RefStyle) => string;

/**
 * One factor of a column's chain-rule form: a cell of the row (by name), a slope that a cell's formula computes
 * inline (f'(z) of an activation, ∂loss/∂y of the loss), a nested sum, or a minus sign. A column's `chain` is a sum
 * of products of these, the same arithmetic as its formula, so the breakdown needs no formula parsing.
 */
export type ChainFactor =
  | { cell: string }
  | { slope: 'activation'; activation: ActivationName; pre: string; act: string; label: string }
  | { slope: 'loss'; loss: LossName; y: string; t: string; n: number; label: string }
  | { sum: ChainFactor[][] }
  | { minus: true };

export interface Column {
  index: number;
  letter: string;
  name: string;
  kind: ColumnKind;
  /** Header group: "weights", "forward · step 2", ... */
  group: string;
  /** Sample (full batch) or step (sample mode) this column belongs to, 0-based; null for whole-row columns. */
  step: number | null;
  /** Flat parameter index (run-file order) for weight, velocity, grad, optimizer, new-velocity and new-weight columns. */
  param: number | null;
  /** Weight layer (0-based) for pre, act and delta columns. */
  layer: number | null;
  /** Unit within the layer for pre, act and delta; input/target/output index for input, target and loss-term. */
  unit: number | null;
  /** Null for a cell that holds a plain number (weights, velocities, the sample drawn, epoch). */
  formula: Formula | null;
  /** η, μ and the other settings: a plain number at epoch 0 (the one place to edit), the formula in later rows. */
  numberAtEpoch0?: boolean;
  /** A setting's PyTorch hyper-parameter (lr, momentum, betas[0] …). */
  hyper?: HyperName;
  /**
   * velocity and new-velocity: the optimizer state this column holds (`v`, `m`, `G` …, see src/model/optimizers.ts);
   * optimizer: the update cell's key (`t`, `m̂`, `v̂`).
   */
  state?: string;
  /** The optimizer registry's plain-language explanation, for its state and update cells. */
  explain?: string;
  /** Pre-activations, deltas, gradients and updates: the formula as a sum of products (see ChainFactor). */
  chain?: ChainFactor[][];
}

export interface Param {
  index: number;
  name: string;
  layer: number;
  to: number;
  /** Null for a bias. */
  from: number | null;
}

export interface Layout {
  spec: Spec;
  columns: Column[];
  params: Param[];
  /** Sheet rows before epoch 0 (the header row). */
  headerRows: number;
  epochColumn: Column;
  lrColumn: Column;
  momentumColumn: Column | null;
  /** Every per-row setting (η, μ, β1, β2, ε, λ …) with its value at epoch 0. */
  settingColumns: Array<{ column: Column; value: number }>;
  weightColumns: Column[];
  /**
   * Every optimizer state carried from row to row, state by state (SGD: the velocities; Adam: all m, then all v),
   * adjacent after the weights; null when the optimizer keeps none (plain SGD).
   */
  velocityColumns: Column[] | null;
  /** Each state column's value at epoch 0 (0, or Adagrad's initial_accumulator_value). */
  initialState: number[] | null;
  /** The weights (and optimizer states) the row ends with, which the driver copies into the next row. */
  nextWeightColumns: Column[];
  nextVelocityColumns: Column[] | null;
  /** Sample mode: the cell per step holding the drawn sample (1-based, as INDEX wants). */
  sampleColumns: Column[];
  /** The row's loss: full batch, the loss of the row's weights; sample mode, the loss of the last step (as the notebook prints). */
  lossColumn: Column;
  /** Each update's loss: sample mode one per step (the last is lossColumn), full batch just lossColumn. */
  stepLossColumns: Column[];
  /**
   * The epoch's loss: sample mode with several steps, the mean of the step losses (the row's last column, so no
   * other column moves); otherwise lossColumn, which already is the epoch's loss.
   */
  epochLossColumn: Column;
  column(name: string): Column;
  /** 0-based sheet row of an epoch. */
  rowOf(epoch: number): number;
}

/** The cells a user may type into: weights, optimizer states, η, μ and the other settings; every other cell is a formula. */
export function isEditableColumn(col: Column): boolean {
  return col.kind === 'weight' || col.kind === 'velocity' || col.kind === 'lr' || col.kind === 'momentum' || col.kind === 'hyper';
}

export const TRAIN_SHEET = 'Train';
export const DATA_SHEET = 'Data';

export function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** Data sheet: header row, then one row per sample: sample number, inputs i1.., targets t1... */
export function dataFields(spec: Spec): string[] {
  const names = namesFor(spec.model);
  const { layers } = spec.model;
  return [
    ...Array.from({ length: layers[0] }, (_, i) => names.input(i)),
    ...Array.from({ length: layers[layers.length - 1] }, (_, k) => names.target(k)),
  ];
}

export function buildLayout(spec: Spec): Layout {
  const { layers, bias } = spec.model;
  const names = namesFor(spec.model);
  const loss = LOSS_REGISTRY[spec.model.loss];
  const sym = loss.symbol;
  const last = layers.length - 2;
  const nOut = layers[last + 1];
  const optimizer = OPTIMIZER_REGISTRY[spec.optimizer.kind];
  const states = optimizer.state(spec.optimizer);
  const updateCells = optimizer.update(spec.optimizer);
  const sampleMode = spec.batch === 'sample';
  const nSamples = spec.data.inputs.length;
  const nSteps = sampleMode ? spec.stepsPerEpoch : nSamples;
  const multi = nSteps > 1;
  const sfx = (s: number) => (multi ? `[${s + 1}]` : '');
  const stepGroup = (base: string, s: number) => (sampleMode && multi ? `${base} · step ${s + 1}` : base);

  const params: Param[] = [];
  for (let l = 0; l <= last; l++) {
    for (let to = 0; to < layers[l + 1]; to++) {
      for (let from = 0; from < layers[l]; from++) params.push({ index: params.length, name: names.weight(l, to, from), layer: l, to, from });
    }
    if (bias) for (let to = 0; to < layers[l + 1]; to++) params.push({ index: params.length, name: names.bias(l, to), layer: l, to, from: null });
  }
  const paramOf = (l: number, to: number, from: number | null) =>
    params.find((p) => p.layer === l && p.to === to && p.from === from)!;
  const gradName = (p: Param, s: number | null) => `∂${sym}/∂${p.name}${s === null ? '' : sfx(s)}`;

  const columns: Column[] = [];
  const add = (c: Omit<Column, 'index' | 'letter' | 'step' | 'param' | 'layer' | 'unit'> & Partial<Column>): Column => {
    const col: Column = { step: null, param: null, layer: null, unit: null, ...c, index: columns.length, letter: columnLetter(columns.length) };
    columns.push(col);
    return col;
  };

  const epochColumn = add({ name: 'epoch', kind: 'epoch', group: 'epoch', formula: null });
  // η, μ and the other settings are per row, each reading the row above: one editable source (epoch 0) without a
  // cell read by every row.
  const settingColumns = settingsOf(spec.optimizer).map(({ param, value }) => {
    const name = param.symbol!;
    const kind = param.name === 'lr' ? 'lr' : param.name === 'momentum' ? 'momentum' : 'hyper';
    return { column: add({ name, kind, group: 'settings', hyper: param.name, numberAtEpoch0: true, formula: (r) => r.cell(name, -1) }), value };
  });
  const lrColumn = settingColumns.find((s) => s.column.kind === 'lr')!.column;
  const momentumColumn = settingColumns.find((s) => s.column.kind === 'momentum')?.column ?? null;
  const weightColumns = params.map((p) => add({ name: p.name, kind: 'weight', group: 'weights', param: p.index, formula: null }));
  const stateColumns = states.flatMap((st) => params.map((p) => add({
    name: st.name(p.name), kind: 'velocity', group: st.group, param: p.index, state: st.key, explain: st.explain, formula: null,
  })));
  const velocityColumns = states.length ? stateColumns : null;

  const sampleColumns: Column[] = [];
  let weightNames = params.map((p) => p.name);
  let stateNames: Record<string, string[]> = Object.fromEntries(states.map((st) => [st.key, params.map((p) => st.name(p.name))]));
  let stepLoss: Column | null = null;
  const fields = dataFields(spec);

  // One block per sample (full batch: all samples share the row's weights) or per step (sample mode: each step
  // starts from the weights the previous step left).
  for (let s = 0; s < nSteps; s++) {
    const g = (base: string) => stepGroup(base, s);
    const inW = [...weightNames];
    const w = (l: number, to: number, from: number | null) => inW[paramOf(l, to, from).index];

    // Data: the sample's inputs and targets.
    const dataRef = (field: string) => (r: RefStyle) =>
      sampleMode ? `INDEX(${r.dataColumn(field)},${r.cell(`sample${sfx(s)}`)})` : r.data(s, field);
    if (sampleMode) {
      sampleColumns.push(add({ name: `sample${sfx(s)}`, kind: 'sample', group: g('data'), step: s, formula: null }));
    }
    for (let i = 0; i < layers[0]; i++) {
      add({ name: `${names.input(i)}${sfx(s)}`, kind: 'input', group: g('data'), step: s, unit: i, formula: dataRef(fields[i]) });
    }
    for (let k = 0; k < nOut; k++) {
      add({ name: `${names.target(k)}${sfx(s)}`, kind: 'target', group: g('data'), step: s, unit: k, formula: dataRef(names.target(k)) });
    }

    // Forward: z = Σ w·a_prev (+ b), a = f(z).
    const actName = (l: number, j: number) => (l < 0 ? names.input(j) : names.act(l, j)) + sfx(s);
    for (let l = 0; l <= last; l++) {
      const act = ACTIVATION_REGISTRY[spec.model.activations[l]];
      for (let j = 0; j < layers[l + 1]; j++) {
        const preName = `${names.pre(l, j)}${sfx(s)}`;
        add({
          name: preName, kind: 'pre', group: g('forward'), step: s, layer: l, unit: j,
          chain: [
            ...Array.from({ length: layers[l] }, (_, i) => [{ cell: w(l, j, i) }, { cell: actName(l - 1, i) }]),
            ...(bias ? [[{ cell: w(l, j, null) }]] : []),
          ],
          formula: (r) => {
            const terms = Array.from({ length: layers[l] }, (_, i) => `${r.cell(w(l, j, i))}*${r.cell(actName(l - 1, i))}`);
            if (bias) terms.push(r.cell(w(l, j, null)));
            return terms.join('+');
          },
        });
        const f = act.formula;
        if (f) add({ name: actName(l, j), kind: 'act', group: g('forward'), step: s, layer: l, unit: j, formula: (r) => f(r.cell(preName)) });
      }
    }
    // Cross-entropy: the softmax over the output sums, p_k = e^(z_k − lse) with lse = ln Σ e^z computed from the
    // largest z (m + ln Σ e^(z − m)), so EXP never overflows.
    const lseName = `lse${sfx(s)}`;
    const probName = (k: number) => `p_${names.pre(last, k)}${sfx(s)}`;
    if (loss.softmax) {
      const zs = Array.from({ length: nOut }, (_, k) => `${names.pre(last, k)}${sfx(s)}`);
      add({
        name: lseName, kind: 'softmax', group: g('softmax'), step: s, layer: last,
        formula: (r) => {
          const max = `MAX(${zs.map((z) => r.cell(z)).join(',')})`;
          return `${max}+LN(${zs.map((z) => `EXP(${r.cell(z)}-${max})`).join('+')})`;
        },
      });
      zs.forEach((z, k) => add({ name: probName(k), kind: 'softmax', group: g('softmax'), step: s, layer: last, unit: k, formula: (r) => `EXP(${r.cell(z)}-${r.cell(lseName)})` }));
    }

    // Loss: one term per output; in full batch the total runs over every sample's terms (below).
    const lossN = loss.divisor(nOut, sampleMode ? 1 : nSamples);
    const y = (k: number) => (loss.softmax ? probName(k) : actName(last, k));
    const t = (k: number) => `${names.target(k)}${sfx(s)}`;
    const term = (r: RefStyle, k: number) =>
      loss.term({ y: r.cell(y(k)), t: r.cell(t(k)), z: r.cell(`${names.pre(last, k)}${sfx(s)}`), lse: loss.softmax ? r.cell(lseName) : '' });
    const termNames: string[] = [];
    const singleTerm = sampleMode ? nOut === 1 : nOut * nSamples === 1;
    if (!singleTerm) {
      for (let k = 0; k < nOut; k++) {
        const name = `${sym}${k + 1}${sfx(s)}`;
        termNames.push(name);
        add({ name, kind: 'loss-term', group: g('loss'), step: s, unit: k, formula: (r) => term(r, k) });
      }
    }
    if (sampleMode) {
      stepLoss = add({
        name: `${sym}${sfx(s)}`, kind: 'loss', group: g('loss'), step: s,
        formula: singleTerm ? (r) => term(r, 0) : (r) => loss.total(termNames.map((n) => r.cell(n)), lossN),
      });
    } else if (s === nSteps - 1) {
      // Full batch: the total after the last sample's terms.
      const allTerms = Array.from({ length: nSamples }, (_, ss) => Array.from({ length: nOut }, (_, k) => `${sym}${k + 1}${sfx(ss)}`)).flat();
      stepLoss = add({
        name: sym === 'E' ? 'E_total' : 'L', kind: 'loss', group: 'loss',
        formula: singleTerm ? (r) => term(r, 0) : (r) => loss.total(allTerms.map((n) => r.cell(n)), lossN),
      });
    }

    // Backprop deltas δ = ∂loss/∂z, output layer first.
    const deltaName = (l: number, j: number) => `∂${sym}/∂${names.pre(l, j)}${sfx(s)}`;
    for (let l = last; l >= 0; l--) {
      const act = ACTIVATION_REGISTRY[spec.model.activations[l]];
      for (let j = 0; j < layers[l + 1]; j++) {
        const pre = `${names.pre(l, j)}${sfx(s)}`;
        const a = actName(l, j);
        // A loss written from the logits (bce, cross-entropy) gives ∂loss/∂z at once: (a − t)/n, no slope factor.
        const logits = l === last && loss.outputActivation !== undefined;
        const actSlope: ChainFactor[] = act.derivative && !logits
          ? [{ slope: 'activation', activation: act.name, pre, act: a, label: `∂${a}/∂${pre}` }]
          : [];
        const upstream: ChainFactor = l === last
          ? { slope: 'loss', loss: loss.name, y: y(j), t: t(j), n: lossN, label: logits ? `∂${sym}/∂${pre}` : `∂${sym}/∂${a}` }
          : { sum: Array.from({ length: layers[l + 2] }, (_, k) => [{ cell: deltaName(l + 1, k) }, { cell: w(l + 1, k, j) }]) };
        add({
          name: deltaName(l, j), kind: 'delta', group: g('deltas'), step: s, layer: l, unit: j,
          chain: [[upstream, ...actSlope]],
          formula: (r) => {
            // Output: ∂loss/∂y · f'(z). Hidden: (Σ_k w_kj · δ_k) · f'(z).
            let upstream: string;
            if (l === last) {
              upstream = loss.gradient(r.cell(y(j)), r.cell(t(j)), lossN);
              if (logits) return upstream;
            } else {
              const terms = Array.from({ length: layers[l + 2] }, (_, k) => `${r.cell(w(l + 1, k, j))}*${r.cell(deltaName(l + 1, k))}`);
              upstream = terms.length > 1 ? `(${terms.join('+')})` : terms[0];
            }
            return act.derivative ? `${upstream}*${act.derivative(r.cell(pre), r.cell(a))}` : upstream;
          },
        });
      }
    }

    // Gradients: ∂loss/∂w = δ_to · a_from (∂loss/∂b = δ_to); in full batch summed over the samples below.
    const gradTerm = (p: Param) => (r: RefStyle) =>
      p.from === null ? r.cell(deltaName(p.layer, p.to)) : `${r.cell(deltaName(p.layer, p.to))}*${r.cell(actName(p.layer - 1, p.from))}`;
    if (!sampleMode) continue;
    const gradChain = (p: Param): ChainFactor[] =>
      p.from === null ? [{ cell: deltaName(p.layer, p.to) }] : [{ cell: deltaName(p.layer, p.to) }, { cell: actName(p.layer - 1, p.from) }];
    for (const p of params) {
      add({ name: gradName(p, s), kind: 'grad', group: g('gradients'), step: s, param: p.index, chain: [gradChain(p)], formula: gradTerm(p) });
    }
    ({ weightNames, stateNames } = addUpdate(s, params.map((p) => gradName(p, s)), inW, stateNames));
  }

  if (!sampleMode) {
    // Full batch: ∂loss/∂w = Σ over samples of δ_to[s] · a_from[s].
    const actOf = (l: number, j: number, s: number) => (l < 0 ? names.input(j) : names.act(l, j)) + sfx(s);
    const deltaOf = (l: number, j: number, s: number) => `∂${sym}/∂${names.pre(l, j)}${sfx(s)}`;
    for (const p of params) {
      add({
        name: gradName(p, null), kind: 'grad', group: 'gradients', param: p.index,
        chain: Array.from({ length: nSamples }, (_, s) =>
          p.from === null ? [{ cell: deltaOf(p.layer, p.to, s) }] : [{ cell: deltaOf(p.layer, p.to, s) }, { cell: actOf(p.layer - 1, p.from, s) }]),
        formula: (r) => Array.from({ length: nSamples }, (_, s) =>
          p.from === null ? r.cell(deltaOf(p.layer, p.to, s)) : `${r.cell(deltaOf(p.layer, p.to, s))}*${r.cell(actOf(p.layer - 1, p.from, s))}`,
        ).join('+'),
      });
    }
    ({ weightNames, stateNames } = addUpdate(null, params.map((p) => gradName(p, null)), weightNames, stateNames));
  }

  /**
   * The optimizer's cells of one update (src/model/optimizers.ts), operation by operation over all weights: the new
   * states, intermediates such as m̂ and v̂, the new weights; `t` (the update's number) first when it reads it.
   */
  function addUpdate(s: number | null, grads: string[], inW: string[], inState: Record<string, string[]>) {
    const g = (base: string) => (s === null ? base : stepGroup(base, s));
    const suffix = s === null ? '' : sfx(s);
    const o = spec.optimizer;
    const tName = `t${suffix}`;
    if (optimizer.needsStep(o)) {
      // Update number t = 1, 2, …: epoch·steps + step + 1.
      const before = s === null ? '' : `*${nSteps}`;
      const plus = (s ?? 0) + 1;
      add({ name: tName, kind: 'optimizer', state: 't', group: g('update number'), step: s, formula: (r) => `${r.cell('epoch')}${before}+${plus}`,
        explain: `The update's number t (1 for the first update), ${s === null ? 'epoch + 1' : `epoch × ${nSteps} + ${s + 1}`}: Adam's bias corrections 1 − β^t need it.` });
    }
    const made: Record<string, string[]> = {};
    const settingNames = new Set(settingColumns.map((c) => c.column.name));
    const decay = optimizer.l2 && o.weight_decay !== 0;
    for (const cell of updateCells) {
      const names = params.map((p) => {
        const resolve = (key: string): string => {
          if (key === 'w') return inW[p.index];
          if (key === 'g') return grads[p.index];
          if (key === 't') return tName;
          if (key.startsWith('state:')) return inState[key.slice(6)][p.index];
          if (made[key]) return made[key][p.index];
          if (settingNames.has(key)) return key;
          throw new Error(`layout: optimizer ${o.kind} reads "${key}", which this update does not have`);
        };
        const render = (r: RefStyle): Ref => (key) => {
          if (key === "g'") return decay ? `(${r.cell(grads[p.index])}+${r.cell('λ')}*${r.cell(inW[p.index])})` : r.cell(grads[p.index]);
          return r.cell(resolve(key));
        };
        const chain = cell.chain?.(resolve);
        return add({
          name: `${cell.name(p.name)}${suffix}`, kind: cell.kind, group: g(cell.group), step: s, param: p.index,
          state: cell.kind === 'new-velocity' ? cell.key.slice(4) : cell.key,
          explain: cell.explain,
          ...(chain ? { chain } : {}),
          formula: (r) => cell.formula(render(r)),
        }).name;
      });
      made[cell.key] = names;
    }
    const outState = Object.fromEntries(states.map((st) => [st.key, made[`new:${st.key}`]]));
    return { weightNames: made['new:w'], stateNames: outState };
  }

  const stepLossColumns = columns.filter((c) => c.kind === 'loss');
  // One step's loss is one sample's, at the weights that step started from: a noisy curve (an L1 step on a sample
  // the network fits exactly is 0). Their mean is the epoch's loss.
  const epochLossColumn = sampleMode && multi
    ? add({
      // L̄ (Ē): the loss symbol and a combining macron.
      name: `${sym}\u0304`, kind: 'epoch-loss', group: 'epoch loss',
      formula: (r) => `AVERAGE(${stepLossColumns.map((c) => r.cell(c.name)).join(',')})`,
    })
    : stepLoss!;

  const byName = new Map(columns.map((c) => [c.name, c]));
  if (byName.size !== columns.length) throw new Error('layout: duplicate column names');
  const column = (name: string) => {
    const c = byName.get(name);
    if (!c) throw new Error(`layout: no column named "${name}"`);
    return c;
  };
  const headerRows = 1;
  return {
    spec, columns, params, headerRows,
    epochColumn, lrColumn, momentumColumn, settingColumns, weightColumns, velocityColumns,
    initialState: velocityColumns ? states.flatMap((st) => params.map(() => st.initial(spec.optimizer))) : null,
    nextWeightColumns: weightNames.map(column),
    nextVelocityColumns: velocityColumns ? states.flatMap((st) => stateNames[st.key].map(column)) : null,
    sampleColumns,
    lossColumn: stepLoss!,
    stepLossColumns,
    epochLossColumn,
    column,
    rowOf: (epoch) => headerRows + epoch,
  };
}
