import { explainColumn } from '../explain/explain';
import type { ColumnKind, Layout } from '../layout/layout';
import { buildLayout } from '../layout/layout';
import { ACTIVATION_REGISTRY } from '../model/activations';
import { LOSS_REGISTRY } from '../model/losses';
import { HYPER_PARAMS, OPTIMIZER_REGISTRY, hyperValue, type HyperName } from '../model/optimizers';
import { flattenParams, initialParams, parameterCount } from '../spec/resolve';
import type { Spec } from '../spec/types';
import type { NotebookRun, RunSettings } from './notebookRun';
import { groupAssign, torchActivation, torchEntry, torchLoss, torchStepStart } from './notebookTorch';

/**
 * The sheet as the course's PyTorch notebook (nbformat 4) and the same code as a .py: generated here from the
 * spec and the sheet's numbers, no Python needed. The notebook starts from the sheet's epoch-0 weights, draws the
 * sheet's samples in the sheet's order, replays the user's edits, logs as the CLI does and ends by comparing its
 * losses and final weights with the sheet's. The PyTorch text of each activation and loss is in notebookTorch.ts, the
 * optimizer's constructor and state keys in its registry entry (src/model/optimizers.ts). The .py is the code cells
 * joined by a blank line (scriptOf).
 */

export interface NotebookCell {
  kind: 'markdown' | 'code';
  source: string;
}

export interface NotebookFiles {
  ipynb: string;
  py: string;
}

/**
 * A float64 as a Python literal that reads back as the same number: JavaScript's shortest round-tripping form
 * (String), which Python's float() parses exactly; whole numbers get `.0` so torch.tensor makes floats.
 */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`${x} is not a finite number`);
  if (Object.is(x, -0)) return '-0.0';
  const s = String(x);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** A Python list of the items, `perLine` to a line, indented. */
function pyList(items: string[], perLine: number, indent: string): string {
  if (items.length <= perLine) return `[${items.join(', ')}]`;
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(`${indent}    ${items.slice(i, i + perLine).join(', ')},`);
  return `[\n${lines.join('\n')}\n${indent}]`;
}

const floats = (xs: readonly number[]) => xs.map(pyFloat);

/** Text for a markdown cell: no HTML, no markdown syntax from a spec's name or description. */
function mdText(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/[\\`*_[\]#|~<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

/** A page text (src/explain) without its sentences about the sheet's rows and cells, which a notebook has not. */
function explainText(layout: Layout, kind: ColumnKind): string {
  const col = layout.columns.find((c) => c.kind === kind);
  if (!col) return '';
  return explainColumn(layout, col)
    .split(/(?<=[.)])\s+(?=[A-Z])/)
    .filter((s) => !/\b(row|rows|cell|cells|Edit|edit)\b/.test(s))
    .join(' ');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function notebookCells(run: NotebookRun, version: string): NotebookCell[] {
  const { spec, epochs } = run;
  const { layers, bias, activations, loss } = spec.model;
  checkNotebookSpec(spec);
  const layout = buildLayout(spec);
  const optimizer = OPTIMIZER_REGISTRY[spec.optimizer.kind];
  const states = optimizer.state(spec.optimizer);
  const lossCode = torchEntry(torchLoss, 'loss', loss);
  const acts = activations.map((a) => torchEntry(torchActivation, 'activation', a));
  const nLayers = layers.length - 1;
  const params = parameterCount(layers, bias);
  const perLayer = Array.from({ length: nLayers }, (_, l) => layers[l + 1] * (layers[l] + (bias ? 1 : 0)));
  const sampleMode = spec.batch === 'sample';
  const steps = sampleMode ? spec.stepsPerEpoch : 1;
  const lossInfo = LOSS_REGISTRY[loss];
  const cells: NotebookCell[] = [];
  const md = (...lines: string[]) => cells.push({ kind: 'markdown', source: lines.join('\n') });
  const code = (...lines: string[]) => cells.push({ kind: 'code', source: lines.join('\n') });

  const settingNames = layout.settingColumns.map((s) => s.column.hyper!);
  const symbolOf = (h: HyperName) => HYPER_PARAMS[h].symbol!;
  const settings = settingNames.map((h) => `${symbolOf(h)} = ${run.settings[h]}`).join(', ');
  const batching = sampleMode
    ? `${plural(epochs, 'epoch')} of ${plural(steps, 'single-sample step')} (one update per sample drawn)`
    : `${plural(epochs, 'epoch')} of one full-batch update (all ${spec.data.inputs.length} samples)`;
  md(
    `# ${mdText(spec.name)} in PyTorch`,
    '',
    ...(spec.description ? [mdText(spec.description), ''] : []),
    `gradsheet ${mdText(version)} wrote this notebook from its sheet: a ${layers.join('-')} network with ${params} parameters, ` +
      `${LOSS_LABEL[loss]} loss, ${optimizer.label} with ${settings}, ${batching}. ` +
      'It starts from the sheet\'s epoch-0 weights' + (sampleMode ? ' and draws the sheet\'s samples in the sheet\'s order' : '') +
      ', so each epoch\'s loss should be the sheet\'s: the last cell checks. Everything is float64, as in the sheet. ' +
      'Run the cells in order; the same code is the exported `.py` (`python3 FILE.py`). It needs PyTorch only.',
  );
  code(
    `# gradsheet ${version}: the sheet ${asciiQuoted(spec.name)} as PyTorch (every number below is the sheet's).`,
    'import torch',
    'import torch.nn as nn',
    'import torch.optim as optim',
    '',
    'torch.set_default_dtype(torch.float64)  # float64 throughout, as the sheet computes',
  );

  // The data.
  const nIn = layers[0];
  const nOut = layers[nLayers];
  md(
    '## The data',
    '',
    `${plural(spec.data.inputs.length, 'sample')}: each row of \`X\` is one input (${plural(nIn, 'value')}), the same row of \`Y\` its target ` +
      `(${plural(nOut, 'value')}), as in the sheet's Data sheet.`,
  );
  const perLine = Math.max(1, Math.floor(8 / Math.max(nIn, nOut)));
  code(
    `X = torch.tensor(${pyList(spec.data.inputs.map((r) => `[${floats(r).join(', ')}]`), perLine, '')})`,
    `Y = torch.tensor(${pyList(spec.data.targets.map((r) => `[${floats(r).join(', ')}]`), perLine, '')})`,
  );

  // The network.
  const usedActs = [...new Set(activations)].filter((a) => a !== 'identity');
  const lastIdentity = activations[nLayers - 1] === 'identity';
  md(
    '## What is a neuron? The network',
    '',
    `${explainText(layout, 'pre')} \`nn.Linear\` computes that sum for every unit of a layer at once` +
      `${bias ? ' (its bias is the b)' : ' (`bias=False`: this network has no biases)'}; the activation applied to it is the non-linear half of the neuron.`,
    '',
    ...usedActs.map((a) => `- **${a}**: ${ACTIVATION_REGISTRY[a].explain}`),
    ...(lastIdentity ? [`- **the output**: ${ACTIVATION_REGISTRY.identity.explain}`] : []),
    '',
    `Parameters: ${perLayer.join(' + ')} = **${params}** (each layer's inputs × units${bias ? ', plus one bias per unit' : ''}).`,
  );
  const forward: string[] = [];
  for (let l = 0; l < nLayers; l++) {
    const f = acts[l];
    forward.push(`        x = self.lin${l + 1}(x)${f ? '' : l === nLayers - 1 ? '  # no activation on the output' : '  # no activation'}`);
    if (l === nLayers - 1 && lossCode.input === 'logits') forward.push('        self.logits = x  # the output\'s weighted sums z, which the loss reads');
    if (f) forward.push(`        x = ${f('x')}`);
  }
  code(
    'class Net(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    ...Array.from({ length: nLayers }, (_, l) => `        self.lin${l + 1} = nn.Linear(${layers[l]}, ${layers[l + 1]}, bias=${bias ? 'True' : 'False'})`),
    '',
    '    def forward(self, x):',
    ...forward,
    '        return x',
    '',
    '',
    'model = Net()',
    'print(model)',
    `print('parameters:', sum(p.numel() for p in model.parameters()))  # the sheet has ${params}`,
  );

  // Initialisation.
  const startEdited = !sameNumbers(flattenParams(run.initial), flattenParams(initialParams(spec)));
  const drawn = spec.initial
    ? 'given in the spec'
    : spec.init.weights === 'normal'
      ? `drawn from the normal distribution N(0, 1) by gradsheet's seeded generator (seed ${spec.seed}), as the course notebook's \`m.weight.data.normal_(0, 1)\` does`
      : spec.init.weights === 'pytorch-uniform'
        ? `drawn as PyTorch's \`nn.Linear\` does by default, U(−1/√fan_in, 1/√fan_in), by gradsheet's seeded generator (seed ${spec.seed})`
        : 'all zeros';
  const names = layout.params;
  const nameRange = (l: number, j: number | null) => {
    const ns = names.filter((p) => p.layer === l && (j === null ? p.from === null : p.to === j && p.from !== null)).map((p) => p.name);
    return ns.length <= 4 ? ns.join(' ') : `${ns[0]} … ${ns[ns.length - 1]}`;
  };
  md(
    '## How are the weights initialised?',
    '',
    `The notebook draws no random numbers: it copies the sheet's epoch-0 weights as literal float64 numbers, so it starts exactly where the sheet starts. ` +
      `In the sheet they were ${drawn}${startEdited ? ', then edited by you in the sheet: these are your weights' : ''}. ` +
      '`nn.Linear` keeps `weight[out][in]`: row j holds the weights into unit j. ' +
      'Random starting weights matter because of symmetry: two units that start equal get equal gradients at every step and stay one unit copied twice.',
  );
  const weightLines: string[] = ['with torch.no_grad():'];
  run.initial.forEach((p, l) => {
    weightLines.push(`    model.lin${l + 1}.weight.copy_(torch.tensor([`);
    p.weight.forEach((row, j) => weightLines.push(`        [${floats(row).join(', ')}],  # ${nameRange(l, j)}`));
    weightLines.push('    ]))');
    if (p.bias) weightLines.push(`    model.lin${l + 1}.bias.copy_(torch.tensor([${floats(p.bias).join(', ')}]))  # ${nameRange(l, null)}`);
  });
  code('# The sheet\'s epoch 0.', ...weightLines);

  // Loss.
  md(
    '## What is loss?',
    '',
    `One number for how wrong the outputs are, which training pushes down. ${lossInfo.explain} ${lossDivisorText(spec)}` +
      (lossCode.input === 'logits' ? ' The network\'s forward keeps the output layer\'s weighted sums (`model.logits`) for it; its output is still the sigmoid\'s.' : ''),
  );
  code(...lossCode.lines);

  // Learning rate and the optimizer.
  const helpers = run.initialVelocities !== null || run.changes.some((c) => c.weights || c.velocities);
  const edited = settingNames
    .filter((h) => run.settings[h] !== hyperValue(spec.optimizer, h))
    .map((h) => `${symbolOf(h)} from the spec's ${hyperValue(spec.optimizer, h)}`);
  const stateKeys = states.map((st) => `\`${st.torch}\``).join(', ');
  md(
    '## What does the learning rate do? The optimizer',
    '',
    `${optimizer.explain} \`${optimizer.torch(spec.optimizer).replace(/\(.*/, '')}\` makes the same update as the sheet's formulas.`,
    '',
    ...settingNames.map((h) => `- \`${h.replace(/\[(\d)\]$/, '')}\`${h.endsWith(']') ? ` (${h.endsWith('[0]') ? 'the first' : 'the second'} of the pair)` : ''}: ${HYPER_PARAMS[h].explain}`),
    ...states.map((st) => `- \`optimizer.state[p]['${st.torch}']\`, the sheet's ${st.name(layout.params[0].name)} …: ${st.explain}`),
    '',
    `${explainText(layout, 'new-weight')} \`optimizer.step()\` makes that update for every parameter; ` +
      `the values are the sheet's epoch 0: ${settings}${edited.length ? ` (you changed ${edited.join(' and ')})` : ''}.`,
    ...(run.initialVelocities ? ['', `The sheet's starting ${states.map((st) => st.group).join(' and ')} are not the optimizer's own start (you set them), so they become its ${stateKeys}.`] : []),
  );
  const optimizerLines = [`optimizer = ${optimizer.torch(constructedWith(spec, run.settings))}`];
  if (nesterovWithoutMomentum(spec, run.settings)) {
    optimizerLines.push(
      '# You set μ = 0 at epoch 0: PyTorch\'s SGD refuses nesterov=True without a momentum when it is made, not when it steps.',
      `optimizer.param_groups[0]['momentum'] = ${pyFloat(run.settings.momentum!)}`,
    );
  }
  if (helpers) {
    const step = torchStepStart[spec.optimizer.kind];
    optimizerLines.push(
      '',
      '',
      'def from_flat(flat):',
      '    """The sheet\'s order (layer by layer: weight[out][in] row by row, then the bias) as tensors shaped like the parameters."""',
      '    out, i = [], 0',
      '    for p in model.parameters():',
      '        out.append(torch.tensor(flat[i:i + p.numel()]).view_as(p))',
      '        i += p.numel()',
      '    return out',
      '',
      '',
      'def set_states(flat):',
      `    """The sheet's ${states.map((st) => st.name('…')).join(', ')} (in that order, each in the sheet's weight order) as PyTorch's optimizer state."""`,
      `    n = ${params}`,
      `    for k, key in enumerate([${states.map((st) => `'${st.torch}'`).join(', ')}]):`,
      '        for p, v in zip(model.parameters(), from_flat(flat[k * n:(k + 1) * n])):',
      ...(step ? [`            optimizer.state[p].setdefault('step', ${step})  # PyTorch makes its state on the first step only when there is none`] : []),
      '            optimizer.state[p][key] = v',
    );
  }
  if (run.initialVelocities) {
    optimizerLines.push('', '', `set_states(${pyList(floats(run.initialVelocities), 4, '')})  # the sheet's epoch 0`);
  }
  code(...optimizerLines);

  // Training.
  md(
    '## What does the chain rule do? Training',
    '',
    `\`loss.backward()\` computes every gradient by the chain rule, the sheet's delta and gradient columns. ${explainText(layout, 'delta')}`,
    '',
    explainText(layout, 'grad'),
    '',
    sampleMode
      ? `Each epoch makes ${plural(steps, 'step')}; each step takes one sample, computes its loss and updates the weights. ` +
        'The sheet drew the samples from its seeded generator; `order` below holds them, so the notebook draws the same ones (the course notebook used `np.random.randint`). ' +
        'The log prints the loss of the epoch\'s last step, as the course notebook does, every 50 epochs and at the last.'
      : 'Each epoch makes one update from all samples at once. The log prints the loss of the weights the epoch starts from, every 50 epochs and at the last.',
    ...(run.changes.length
      ? ['', `You edited the sheet after epoch 0 (${run.changes.map(describeChange).join('; ')}): \`sheet_edits\` sets the same values at the start of those epochs, as the sheet's rows do ` +
        `(a setting in every \`optimizer.param_groups\` entry${settingNames.some((h) => h.startsWith('betas')) ? '; `betas` is one pair there' : ''}).`]
      : []),
  );
  if (sampleMode) {
    code(
      '# The sheet\'s sample of every step (rows of X, 0-based), one list per epoch.',
      `order = ${pyList(run.order!.map((e) => `[${e.join(', ')}]`), Math.max(1, Math.floor(32 / steps)), '')}`,
    );
  }
  if (run.changes.length) {
    const edits = [...new Set(run.changes.flatMap((c) => Object.keys(c.settings ?? {}) as HyperName[]))];
    code(
      '# What you edited in the sheet after epoch 0, by epoch: set before that epoch trains.',
      'sheet_edits = {',
      ...run.changes.map((c) => `    ${c.epoch}: ${changeDict(c)},`),
      '}',
      '',
      '',
      'def apply_sheet_edits(epoch):',
      '    edit = sheet_edits.get(epoch, {})',
      ...(edits.length ? ['    for group in optimizer.param_groups:'] : []),
      ...edits.flatMap((h) => [`        if '${h}' in edit:`, `            ${groupAssign(h, `edit['${h}']`)}`]),
      `    if 'weights' in edit:`,
      '        with torch.no_grad():',
      '            for p, w in zip(model.parameters(), from_flat(edit[\'weights\'])):',
      '                p.copy_(w)',
      `    if 'velocities' in edit:`,
      `        set_states(edit['velocities'])`,
    );
  }
  const xb = sampleMode ? 'X[data_point]' : 'X';
  const yb = sampleMode ? 'Y[data_point]' : 'Y';
  const stepLines = [
    'optimizer.zero_grad()',
    `y_hat = model(${xb})`,
    `loss = loss_func(${lossCode.input === 'logits' ? 'model.logits' : 'y_hat'}, ${yb})`,
    'loss.backward()',
    'optimizer.step()',
  ];
  code(
    `epochs = ${epochs}`,
    ...(sampleMode ? [`steps = ${steps}`] : []),
    `losses = []  # the loss the log prints, every epoch${sampleMode ? ' (its last step\'s)' : ''}`,
    'for i in range(epochs):',
    ...(run.changes.length ? ['    apply_sheet_edits(i)'] : []),
    ...(sampleMode
      ? ['    for j in range(steps):', '        data_point = order[i][j]', ...stepLines.map((s) => `        ${s}`)]
      : stepLines.map((s) => `    ${s}`)),
    '    losses.append(loss.item())',
    '    if i % 50 == 0 or i == epochs - 1:',
    '        print(f\'Epoch: {i}\\tLoss: {loss.item():.10f}\')',
  );

  // The comparison.
  const chaotic = sampleMode && loss === 'l1';
  md(
    '## Does the notebook compute what the sheet computes?',
    '',
    'Below are the sheet\'s loss of every epoch and its weights after the last update, as gradsheet\'s formula engine computed them. ' +
      'The cell prints the largest difference from this run\'s, and the first epoch where the two differ by more than 1e-9.',
    '',
    chaotic
      ? 'Single-sample L1 runs are chaotic at the last bit. The L1 gradient is sign(ŷ − y), which flips on a difference of 1e-17, ' +
        'and PyTorch adds its sums in another order than the sheet, so the two agree to about 1e-12 for the first epochs and may then part ' +
        'at the epoch the cell prints: after a flip they train different networks, both correct. ' +
        '(gradsheet\'s tests hold every preset\'s first 20 epochs to 1e-9.)'
      : sampleMode
        ? 'PyTorch adds its sums in another order than the sheet, so the last bits differ; single-sample steps can let such differences grow over many epochs, and the cell says where they pass 1e-9.'
        : 'Full-batch training is smooth: PyTorch adds its sums in another order than the sheet, so the last bits differ, but every epoch agrees to 1e-9.',
  );
  code(
    `sheet_losses = ${pyList(floats(run.losses), 4, '')}`,
    `sheet_final = ${pyList(floats(run.final), 4, '')}  # model.parameters() order`,
    '',
    'diffs = [abs(a - b) for a, b in zip(losses, sheet_losses)]',
    'worst = max(range(len(diffs)), key=lambda e: diffs[e])',
    'print(f\'largest loss difference: {diffs[worst]:.3e} at epoch {worst}\')',
    'parted = next((e for e, d in enumerate(diffs) if d > 1e-9), None)',
    'if parted is None:',
    '    print(f\'the notebook and the sheet agree on all {len(diffs)} epochs to 1e-9\')',
    'else:',
    '    print(f\'the notebook and the sheet part at epoch {parted} (first difference over 1e-9: {diffs[parted]:.3e})\')',
    'final = torch.cat([p.detach().flatten() for p in model.parameters()]).tolist()',
    'print(f\'largest final weight difference: {max(abs(a - b) for a, b in zip(final, sheet_final)):.3e}\')',
  );
  return cells;
}

/** A spec's text in a Python comment: quoted and escaped, ASCII only, so no character of it can end the line. */
function asciiQuoted(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

const LOSS_LABEL: Record<Spec['model']['loss'], string> = {
  'half-sse': 'half-SSE', mse: 'MSE', l1: 'L1', bce: 'binary cross-entropy', 'cross-entropy': 'softmax cross-entropy',
};

/** What the sheet's loss divides by (LOSS_REGISTRY's divisor for one update), and that it is PyTorch's reduction. */
function lossDivisorText(spec: Spec): string {
  const { loss, layers } = spec.model;
  const nOut = layers[layers.length - 1];
  const samples = spec.batch === 'sample' ? 1 : spec.data.inputs.length;
  const n = LOSS_REGISTRY[loss].divisor(nOut, samples);
  if (loss === 'half-sse') return 'PyTorch has no loss for it (`MSELoss` takes the mean), so it is written out.';
  const update = spec.batch === 'sample' ? 'one sample' : `all ${samples} samples`;
  if (loss === 'cross-entropy') {
    return `The sheet sums over the ${nOut} classes and divides by the number of samples in the update (${n}: ${update}), which is ` +
      'PyTorch\'s mean for `CrossEntropyLoss` with class-probability targets (the batch size, not samples × classes).';
  }
  return `The sheet divides by the number of outputs in the update (${n}: ${spec.batch === 'sample' ? 'one sample' : 'every output of every sample'}), which is PyTorch's mean.`;
}

/** The spec's optimizer with the sheet's epoch-0 settings, as the constructor gets them. */
function constructedWith(spec: Spec, settings: RunSettings): Spec['optimizer'] {
  const o = { ...spec.optimizer, betas: [...spec.optimizer.betas] as [number, number] };
  for (const [h, v] of Object.entries(settings) as [HyperName, number][]) {
    if (h === 'betas[0]') o.betas[0] = v;
    else if (h === 'betas[1]') o.betas[1] = v;
    else if (h === 'momentum' && nesterovWithoutMomentum(spec, settings)) continue;
    else (o as unknown as Record<string, number>)[h] = v;
  }
  return o;
}

function nesterovWithoutMomentum(spec: Spec, settings: RunSettings): boolean {
  return spec.optimizer.kind === 'sgd' && spec.optimizer.nesterov && settings.momentum === 0;
}

function describeChange(c: NotebookRun['changes'][number]): string {
  const set = Object.entries(c.settings ?? {}) as [HyperName, number][];
  const what = [
    ...set.map(([h, v]) => `${HYPER_PARAMS[h].symbol} = ${v}`),
    c.weights && 'weights',
    c.velocities && c.settings?.momentum === undefined && 'optimizer states',
  ].filter(Boolean);
  return `epoch ${c.epoch}: ${what.join(', ')}`;
}

function changeDict(c: NotebookRun['changes'][number]): string {
  const parts: string[] = [];
  for (const [h, v] of Object.entries(c.settings ?? {})) parts.push(`'${h}': ${pyFloat(v)}`);
  if (c.weights) parts.push(`'weights': [${floats(c.weights).join(', ')}]`);
  if (c.velocities) parts.push(`'velocities': [${floats(c.velocities).join(', ')}]`);
  return `{${parts.join(', ')}}`;
}

/** The .py: the notebook's code cells, joined by a blank line. */
export function scriptOf(cells: NotebookCell[]): string {
  return `${cells.filter((c) => c.kind === 'code').map((c) => c.source).join('\n\n')}\n`;
}

/** The .ipynb: nbformat 4.5 JSON (a cell's source as its lines, each but the last ending in a newline). */
export function ipynbOf(cells: NotebookCell[]): string {
  const lines = (s: string) => s.split(/(?<=\n)/);
  const nb = {
    cells: cells.map((c, i) => (c.kind === 'markdown'
      ? { cell_type: 'markdown', id: `cell-${i + 1}`, metadata: {}, source: lines(c.source) }
      : { cell_type: 'code', execution_count: null, id: `cell-${i + 1}`, metadata: {}, outputs: [], source: lines(c.source) })),
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** The notebook and the script of a sheet's run. Throws NotebookError for a spec it cannot write. */
export function notebookFiles(run: NotebookRun, version: string): NotebookFiles {
  const cells = notebookCells(run, version);
  return { ipynb: ipynbOf(cells), py: scriptOf(cells) };
}

/** Throws NotebookError when the spec names an activation or loss the export cannot write (the CLI checks before training). */
export function checkNotebookSpec(spec: Spec): void {
  torchEntry(torchLoss, 'loss', spec.model.loss);
  for (const a of spec.model.activations) torchEntry(torchActivation, 'activation', a);
}
