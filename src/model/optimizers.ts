import type { OptimizerKind, OptimizerSpec } from '../spec/types';

/**
 * The optimizers, each as the cells of one update: its hyper-parameters (PyTorch's names and defaults, the ones with
 * a symbol shown as editable per-row settings), its per-weight state carried from row to row, and the formulas of
 * the update's cells, written over symbolic keys the layout resolves to cells (see UpdateKey). Each follows the
 * single-tensor code of torch.optim in torch 1.13 (the formula's order of operations is PyTorch's where that is
 * readable). Adding an optimizer means adding one entry here (and its tests); the reference trainer implements the
 * same rules on its own (src/reference/optimizers.ts).
 */

export type HyperName =
  | 'lr' | 'momentum' | 'nesterov' | 'weight_decay' | 'betas[0]' | 'betas[1]' | 'eps' | 'alpha' | 'centered'
  | 'lr_decay' | 'initial_accumulator_value';

export interface HyperParam {
  /** PyTorch's argument name; the pair `betas` is two entries, betas[0] and betas[1]. */
  name: HyperName;
  type: 'number' | 'boolean';
  /** PyTorch's default; null where PyTorch has none (SGD's lr is required). */
  default: number | boolean | null;
  /** Allowed numbers: from min (inclusive unless minExclusive) up to max (exclusive unless maxInclusive). */
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxInclusive?: boolean;
  /**
   * The per-row setting cell's name (η, μ, β1 …), or null for a flag or a start value. A setting with `whenZero`
   * 'absent' has no cell (and no term in the formulas) when it is 0, as momentum always had.
   */
  symbol: string | null;
  whenZero?: 'absent';
  explain: string;
}

/** A per-weight state the optimizer carries into the next row (SGD's velocity, Adam's m and v). */
export interface StateDef {
  key: string;
  /** `v_w5`: the state at the start of the update; the new one is `new v_w5`. */
  name: (weight: string) => string;
  group: string;
  /** Its value at epoch 0. */
  initial: (o: OptimizerSpec) => number;
  /** PyTorch's name for it in optimizer.state[p] (torch 1.13), for the notebook export. */
  torch: string;
  explain: string;
  newExplain: string;
}

/**
 * What a formula of an update may read, resolved by the layout for each weight and step: `w` the weight the update
 * starts from, `g` its gradient, `g'` the gradient with the L2 term (g + λ·w when weight_decay is not 0, else g),
 * `t` the update's number (1, 2, …), a setting by its symbol (`η`, `β1` …), `state:m` a state at the start, `new:m`
 * the new state, and any earlier cell of the update by its key (`m̂`).
 */
export type Ref = (key: string) => string;

export interface UpdateCell {
  key: string;
  /** new-velocity: a new state (carried to the next row); optimizer: an intermediate; new-weight: the update itself. */
  kind: 'new-velocity' | 'optimizer' | 'new-weight';
  name: (weight: string) => string;
  group: string;
  formula: (x: Ref) => string;
  /** The formula as a sum of products of cells, where it is one (SGD); names resolved by `x`. */
  chain?: (x: Ref) => Array<Array<{ cell: string } | { minus: true }>>;
  explain: string;
}

export interface Optimizer {
  kind: OptimizerKind;
  label: string;
  /** The PyTorch constructor this entry reproduces, with the spec's values (for the notebook export and docs). */
  torch: (o: OptimizerSpec) => string;
  hyper: HyperName[];
  /** Whether the gradient gets an L2 term λ·w (PyTorch's weight_decay for all but AdamW). */
  l2: boolean;
  /** Whether the formulas read `t`, the update's number. */
  needsStep: (o: OptimizerSpec) => boolean;
  state: (o: OptimizerSpec) => StateDef[];
  update: (o: OptimizerSpec) => UpdateCell[];
  explain: string;
}

export const HYPER_PARAMS: Record<HyperName, HyperParam> = {
  lr: { name: 'lr', type: 'number', default: null, min: 0, minExclusive: true, symbol: 'η', explain: 'The learning rate η: how far each update moves a weight.' },
  momentum: { name: 'momentum', type: 'number', default: 0, min: 0, max: 1, symbol: 'μ', whenZero: 'absent', explain: 'The momentum μ: how much of the previous step carries into this one.' },
  nesterov: { name: 'nesterov', type: 'boolean', default: false, symbol: null, explain: 'Nesterov momentum: step along g + μ·v (a look ahead) instead of v. Needs a momentum.' },
  weight_decay: { name: 'weight_decay', type: 'number', default: 0, min: 0, symbol: 'λ', whenZero: 'absent', explain: 'Weight decay λ: adds λ·w to the gradient (an L2 penalty), pulling every weight towards 0.' },
  'betas[0]': { name: 'betas[0]', type: 'number', default: 0.9, min: 0, max: 1, symbol: 'β1', explain: 'β1: how slowly the running mean of the gradients (the first moment m) forgets.' },
  'betas[1]': { name: 'betas[1]', type: 'number', default: 0.999, min: 0, max: 1, symbol: 'β2', explain: 'β2: how slowly the running mean of the squared gradients (the second moment v) forgets.' },
  eps: { name: 'eps', type: 'number', default: 1e-8, min: 0, minExclusive: true, symbol: 'ε', explain: 'ε: a tiny number added to the divisor so a zero gradient history never divides by zero.' },
  alpha: { name: 'alpha', type: 'number', default: 0.99, min: 0, max: 1, maxInclusive: true, symbol: 'α', explain: 'α: the smoothing constant of the running mean of squared gradients.' },
  centered: { name: 'centered', type: 'boolean', default: false, symbol: null, explain: 'Centered RMSprop: divide by the running variance of the gradient (its mean of squares minus its squared mean).' },
  lr_decay: { name: 'lr_decay', type: 'number', default: 0, min: 0, symbol: 'η decay', whenZero: 'absent', explain: 'Learning-rate decay: update t uses η/(1 + (t − 1)·decay).' },
  initial_accumulator_value: { name: 'initial_accumulator_value', type: 'number', default: 0, min: 0, symbol: null, explain: 'The starting value of every sum of squared gradients G.' },
};

/** Per-kind defaults where they differ from HYPER_PARAMS (PyTorch's signatures). */
const KIND_DEFAULTS: Partial<Record<OptimizerKind, Partial<Record<HyperName, number>>>> = {
  adagrad: { lr: 0.01, eps: 1e-10 },
  rmsprop: { lr: 0.01, eps: 1e-8 },
  adam: { lr: 0.001 },
  adamw: { lr: 0.001, weight_decay: 0.01 },
};

/** A hyper-parameter's default for one kind (null: required). */
export function hyperDefault(kind: OptimizerKind, name: HyperName): number | boolean | null {
  return KIND_DEFAULTS[kind]?.[name] ?? HYPER_PARAMS[name].default;
}

export function hyperValue(o: OptimizerSpec, name: HyperName): number | boolean {
  if (name === 'betas[0]') return o.betas[0];
  if (name === 'betas[1]') return o.betas[1];
  return o[name];
}

/** The per-row setting cells an optimizer's update reads, in sheet order, with their epoch-0 values. */
export function settingsOf(o: OptimizerSpec): Array<{ param: HyperParam; value: number }> {
  return OPTIMIZER_REGISTRY[o.kind].hyper
    .map((name) => HYPER_PARAMS[name])
    .filter((p) => p.symbol !== null && p.type === 'number')
    .map((param) => ({ param, value: hyperValue(o, param.name) as number }))
    .filter(({ param, value }) => !(param.whenZero === 'absent' && value === 0));
}

/** For a user interface: every kind with its hyper-parameters, their PyTorch defaults and ranges. */
export function optimizerCatalog(): Array<{ kind: OptimizerKind; label: string; explain: string; hyper: Array<HyperParam & { default: number | boolean | null }> }> {
  return Object.values(OPTIMIZER_REGISTRY).map((opt) => ({
    kind: opt.kind, label: opt.label, explain: opt.explain,
    hyper: opt.hyper.map((name) => ({ ...HYPER_PARAMS[name], default: hyperDefault(opt.kind, name) })),
  }));
}

const state = (key: string, torch: string, group: string, explain: string, newExplain: string, initial: (o: OptimizerSpec) => number = () => 0): StateDef => ({
  key, name: (w) => `${key}_${w}`, group, initial, torch, explain, newExplain,
});
const newState = (s: StateDef, formula: (x: Ref) => string, chain?: UpdateCell['chain']): UpdateCell => ({
  key: `new:${s.key}`, kind: 'new-velocity', name: (w) => `new ${s.name(w)}`, group: `new ${s.group}`, formula, chain, explain: s.newExplain,
});
const newWeight = (formula: (x: Ref) => string, explain: string, chain?: UpdateCell['chain']): UpdateCell => ({
  key: 'new:w', kind: 'new-weight', name: (w) => `new ${w}`, group: 'new weights', formula, chain, explain,
});
const num = (v: number) => String(v);
const hasDecay = (o: OptimizerSpec) => o.weight_decay !== 0;

const VELOCITY = state('v', 'momentum_buffer', 'velocities', 'The velocity of momentum SGD: a running sum of past gradients, decayed by μ each step.',
  'The new velocity: μ times the old velocity plus this step\'s gradient (v ← μ·v + g).');
const G_SUM = state('G', 'sum', 'sums of squared gradients', 'Adagrad\'s sum G of every squared gradient so far: it only grows, so a weight with large gradients gets ever smaller steps.',
  'The new sum of squared gradients: G ← G + g².', (o) => o.initial_accumulator_value);
const M_ADAM = state('m', 'exp_avg', 'first moments', 'Adam\'s first moment m: a running average of the gradients (momentum), decayed by β1 each step.',
  'The new first moment: m ← β1·m + (1 − β1)·g, a running average of the gradients.');
const V_ADAM = state('v', 'exp_avg_sq', 'second moments', 'Adam\'s second moment v: a running average of the squared gradients, decayed by β2 each step.',
  'The new second moment: v ← β2·v + (1 − β2)·g², a running average of the squared gradients.');
const V_RMS = state('v', 'square_avg', 'mean squared gradients', 'RMSprop\'s running average v of the squared gradients (square_avg in PyTorch), decayed by α each step.',
  'The new mean squared gradient: v ← α·v + (1 − α)·g².');
const M_RMS = state('m', 'grad_avg', 'mean gradients', 'Centered RMSprop\'s running average m of the gradients (grad_avg in PyTorch).',
  'The new mean gradient: m ← α·m + (1 − α)·g.');
const B_RMS = state('b', 'momentum_buffer', 'momentum buffers', 'RMSprop\'s momentum buffer b: a running sum of past scaled steps, decayed by μ.',
  'The new momentum buffer: b ← μ·b + g/(√v + ε).');

const ADAM_MOMENTS = (): UpdateCell[] => [
  newState(M_ADAM, (x) => `${x('β1')}*${x('state:m')}+(1-${x('β1')})*${x("g'")}`),
  newState(V_ADAM, (x) => `${x('β2')}*${x('state:v')}+(1-${x('β2')})*${x("g'")}*${x("g'")}`),
  {
    key: 'm̂', kind: 'optimizer', name: (w) => `m̂_${w}`, group: 'bias-corrected moments',
    formula: (x) => `${x('new:m')}/(1-${x('β1')}^${x('t')})`,
    explain: 'The bias-corrected first moment m̂ = m/(1 − β1^t): m starts at 0, so early on it underestimates the gradients; dividing by 1 − β1^t (small for small t) corrects that.',
  },
  {
    key: 'v̂', kind: 'optimizer', name: (w) => `v̂_${w}`, group: 'bias-corrected moments',
    formula: (x) => `${x('new:v')}/(1-${x('β2')}^${x('t')})`,
    explain: 'The bias-corrected second moment v̂ = v/(1 − β2^t), for the same reason as m̂.',
  },
];
const ADAM_STEP = (x: Ref) => `${x('η')}*${x('m̂')}/(SQRT(${x('v̂')})+${x('ε')})`;

export const OPTIMIZER_REGISTRY: Record<OptimizerKind, Optimizer> = {
  sgd: {
    kind: 'sgd',
    label: 'SGD (with momentum)',
    torch: (o) => `torch.optim.SGD(model.parameters(), lr=${num(o.lr)}, momentum=${num(o.momentum)}${o.nesterov ? ', nesterov=True' : ''}${hasDecay(o) ? `, weight_decay=${num(o.weight_decay)}` : ''})`,
    hyper: ['lr', 'momentum', 'nesterov', 'weight_decay'],
    l2: true,
    needsStep: () => false,
    state: (o) => (o.momentum !== 0 ? [VELOCITY] : []),
    update: (o) => {
      const plain = !hasDecay(o);
      if (o.momentum === 0) {
        return [newWeight((x) => `${x('w')}-${x('η')}*${x("g'")}`, 'The new weight: the weight minus η times its gradient. The next row starts from it.',
          plain ? (x) => [[{ cell: x('w') }], [{ minus: true }, { cell: x('η') }, { cell: x('g') }]] : undefined)];
      }
      return [
        newState(VELOCITY, (x) => `${x('μ')}*${x('state:v')}+${x("g'")}`,
          plain ? (x) => [[{ cell: x('μ') }, { cell: x('state:v') }], [{ cell: x('g') }]] : undefined),
        o.nesterov
          ? newWeight((x) => `${x('w')}-${x('η')}*(${x("g'")}+${x('μ')}*${x('new:v')})`,
            'The new weight with Nesterov momentum: the weight minus η times (the gradient plus μ times the new velocity), a step that looks ahead. The next row starts from it.')
          : newWeight((x) => `${x('w')}-${x('η')}*${x('new:v')}`, 'The new weight: the weight minus η times its new velocity. The next row starts from it.',
            (x) => [[{ cell: x('w') }], [{ minus: true }, { cell: x('η') }, { cell: x('new:v') }]]),
      ];
    },
    explain: 'Stochastic gradient descent: w ← w − η·g, with momentum v ← μ·v + g, w ← w − η·v (PyTorch\'s form, no dampening).',
  },
  adagrad: {
    kind: 'adagrad',
    label: 'Adagrad',
    torch: (o) => `torch.optim.Adagrad(model.parameters(), lr=${num(o.lr)}, lr_decay=${num(o.lr_decay)}, weight_decay=${num(o.weight_decay)}, initial_accumulator_value=${num(o.initial_accumulator_value)}, eps=${num(o.eps)})`,
    hyper: ['lr', 'lr_decay', 'weight_decay', 'initial_accumulator_value', 'eps'],
    l2: true,
    needsStep: (o) => o.lr_decay !== 0,
    state: () => [G_SUM],
    update: (o) => [
      newState(G_SUM, (x) => `${x('state:G')}+${x("g'")}*${x("g'")}`),
      newWeight((x) => {
        const lr = o.lr_decay !== 0 ? `${x('η')}/(1+(${x('t')}-1)*${x('η decay')})` : x('η');
        return `${x('w')}-${lr}*(${x("g'")}/(SQRT(${x('new:G')})+${x('ε')}))`;
      }, 'The new weight: Adagrad divides the step η·g by the root of the sum of all squared gradients so far (plus ε), so each weight gets its own, ever smaller, learning rate.'),
    ],
    explain: 'Adagrad: each weight\'s step is η·g/(√G + ε), G the sum of all its squared gradients so far.',
  },
  rmsprop: {
    kind: 'rmsprop',
    label: 'RMSprop',
    torch: (o) => `torch.optim.RMSprop(model.parameters(), lr=${num(o.lr)}, alpha=${num(o.alpha)}, eps=${num(o.eps)}, weight_decay=${num(o.weight_decay)}, momentum=${num(o.momentum)}, centered=${o.centered ? 'True' : 'False'})`,
    hyper: ['lr', 'alpha', 'eps', 'weight_decay', 'momentum', 'centered'],
    l2: true,
    needsStep: () => false,
    state: (o) => [V_RMS, ...(o.centered ? [M_RMS] : []), ...(o.momentum !== 0 ? [B_RMS] : [])],
    update: (o) => {
      const denom = (x: Ref) => (o.centered ? `(SQRT(${x('new:v')}-${x('new:m')}*${x('new:m')})+${x('ε')})` : `(SQRT(${x('new:v')})+${x('ε')})`);
      return [
        newState(V_RMS, (x) => `${x('α')}*${x('state:v')}+(1-${x('α')})*${x("g'")}*${x("g'")}`),
        ...(o.centered ? [newState(M_RMS, (x) => `${x('α')}*${x('state:m')}+(1-${x('α')})*${x("g'")}`)] : []),
        ...(o.momentum !== 0
          ? [
            newState(B_RMS, (x) => `${x('μ')}*${x('state:b')}+${x("g'")}/${denom(x)}`),
            newWeight((x) => `${x('w')}-${x('η')}*${x('new:b')}`, 'The new weight: the weight minus η times its momentum buffer. The next row starts from it.'),
          ]
          : [newWeight((x) => `${x('w')}-${x('η')}*(${x("g'")}/${denom(x)})`,
            'The new weight: RMSprop divides the step η·g by the root of a running average of squared gradients (plus ε), so steps stay about η in size whatever the scale of the gradient.')]),
      ];
    },
    explain: 'RMSprop: each weight\'s step is η·g/(√v + ε), v a running average of its squared gradients (decayed by α).',
  },
  adam: {
    kind: 'adam',
    label: 'Adam',
    torch: (o) => `torch.optim.Adam(model.parameters(), lr=${num(o.lr)}, betas=(${num(o.betas[0])}, ${num(o.betas[1])}), eps=${num(o.eps)}, weight_decay=${num(o.weight_decay)})`,
    hyper: ['lr', 'betas[0]', 'betas[1]', 'eps', 'weight_decay'],
    l2: true,
    needsStep: () => true,
    state: () => [M_ADAM, V_ADAM],
    update: () => [
      ...ADAM_MOMENTS(),
      newWeight((x) => `${x('w')}-${ADAM_STEP(x)}`,
        'The new weight: Adam moves by η·m̂/(√v̂ + ε), the running average of the gradients divided by the root of a running average of squared gradients, so every weight steps about η at most whatever the scale of its gradient. The next row starts from it.'),
    ],
    explain: 'Adam: momentum on the gradient (m) divided by the root of a running average of squared gradients (v), both bias-corrected.',
  },
  adamw: {
    kind: 'adamw',
    label: 'AdamW',
    torch: (o) => `torch.optim.AdamW(model.parameters(), lr=${num(o.lr)}, betas=(${num(o.betas[0])}, ${num(o.betas[1])}), eps=${num(o.eps)}, weight_decay=${num(o.weight_decay)})`,
    hyper: ['lr', 'betas[0]', 'betas[1]', 'eps', 'weight_decay'],
    l2: false,
    needsStep: () => true,
    state: () => [M_ADAM, V_ADAM],
    update: (o) => [
      ...ADAM_MOMENTS(),
      newWeight((x) => `${hasDecay(o) ? `${x('w')}*(1-${x('η')}*${x('λ')})` : x('w')}-${ADAM_STEP(x)}`,
        'The new weight: AdamW first shrinks the weight by the factor 1 − η·λ (decoupled weight decay), then takes Adam\'s step η·m̂/(√v̂ + ε). The next row starts from it.'),
    ],
    explain: 'AdamW: Adam with the weight decay applied to the weight itself (w ← w·(1 − η·λ)) instead of added to the gradient.',
  },
};
