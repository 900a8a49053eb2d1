import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, loadPreset } from '../src/spec/presets';
import { Random, STREAMS } from '../src/spec/random';
import { flattenParams, initialParams, parameterCount, sampleOrder } from '../src/spec/resolve';
import type { LayerParams, Spec } from '../src/spec/types';
import { SpecError, parseSpec, parseSpecText, toSpecJson, withOverrides } from '../src/spec/validate';
import { thrown } from './support/specErrors';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A valid spec: 2-3-1 with biases, XOR data, single-sample steps. Every bad case below breaks one field of it. */
function base(): Json {
  return {
    name: 'test',
    model: { layers: [2, 3, 1], bias: true, activations: ['tanh', 'sigmoid'], loss: 'mse' },
    data: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
    optimizer: { lr: 0.1, momentum: 0.5 },
    batch: 'sample',
    epochs: 3,
    seed: 7,
  };
}

/** Valid explicit weights for base()'s 2-3-1 network. */
function baseInitial(): LayerParams[] {
  return [
    { weight: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], bias: [0.01, 0.02, 0.03] },
    { weight: [[0.7, 0.8, 0.9]], bias: [0.04] },
  ];
}


interface BadCase {
  what: string;
  edit: (s: Json) => void;
  field: string;
  reason: RegExp;
}

const BAD: BadCase[] = [
  // wrong types
  { what: 'spec is not an object', edit: () => {}, field: 'spec', reason: /must be an object/ },
  { what: 'model is a string', edit: (s) => { s.model = 'mlp'; }, field: 'model', reason: /must be an object, got "mlp"/ },
  { what: 'model.layers is a string', edit: (s) => { s.model.layers = '2,3,1'; }, field: 'model.layers', reason: /must be an array/ },
  { what: 'model.layers entry is a string', edit: (s) => { s.model.layers[1] = '3'; }, field: 'model.layers[1]', reason: /must be a finite number, got "3"/ },
  { what: 'model.bias is a string', edit: (s) => { s.model.bias = 'yes'; }, field: 'model.bias', reason: /must be true or false/ },
  { what: 'data is missing', edit: (s) => { delete s.data; }, field: 'data', reason: /must be an object, got nothing/ },
  { what: 'data.inputs value is a string', edit: (s) => { s.data.inputs[3][1] = '1'; }, field: 'data.inputs[3][1]', reason: /must be a finite number/ },
  { what: 'data.targets value is null', edit: (s) => { s.data.targets[0][0] = null; }, field: 'data.targets[0][0]', reason: /must be a finite number, got null/ },
  { what: 'optimizer is an array', edit: (s) => { s.optimizer = [0.1, 0.5]; }, field: 'optimizer', reason: /must be an object/ },
  { what: 'name is a number', edit: (s) => { s.name = 5; }, field: 'name', reason: /must be a string/ },
  { what: 'seed is negative', edit: (s) => { s.seed = -1; }, field: 'seed', reason: /whole number/ },
  { what: 'seed is fractional', edit: (s) => { s.seed = 1.5; }, field: 'seed', reason: /whole number/ },
  { what: 'epochs is a string', edit: (s) => { s.epochs = '3'; }, field: 'epochs', reason: /must be a finite number/ },
  // model
  { what: 'missing model.loss', edit: (s) => { delete s.model.loss; }, field: 'model.loss', reason: /must be one of .*got nothing/ },
  { what: 'unknown loss', edit: (s) => { s.model.loss = 'huber'; }, field: 'model.loss', reason: /must be one of "half-sse", "mse", "l1", "bce", "cross-entropy", got "huber"/ },
  { what: 'unknown activation', edit: (s) => { s.model.activations[1] = 'softmax'; }, field: 'model.activations[1]', reason: /must be one of "sigmoid", "tanh", "relu", "identity", got "softmax"/ },
  { what: 'too few activations', edit: (s) => { s.model.activations = ['tanh']; }, field: 'model.activations', reason: /must have 2 entries, got 1/ },
  { what: 'too many activations', edit: (s) => { s.model.activations = ['tanh', 'tanh', 'tanh']; }, field: 'model.activations', reason: /must have 2 entries, got 3/ },
  { what: 'layer size 0', edit: (s) => { s.model.layers[1] = 0; }, field: 'model.layers[1]', reason: /whole number from 1 to 64, got 0/ },
  { what: 'layer size 65', edit: (s) => { s.model.layers[1] = 65; }, field: 'model.layers[1]', reason: /whole number from 1 to 64, got 65/ },
  { what: 'layer size 2.5', edit: (s) => { s.model.layers[1] = 2.5; }, field: 'model.layers[1]', reason: /whole number from 1 to 64, got 2.5/ },
  { what: 'only one layer', edit: (s) => { s.model.layers = [2]; }, field: 'model.layers', reason: /must have 2 to 8 entries, got 1/ },
  { what: 'unknown model key', edit: (s) => { s.model.dropout = 0.5; }, field: 'model.dropout', reason: /unknown field/ },
  // data
  { what: 'input row of the wrong width', edit: (s) => { s.data.inputs[2] = [1, 0, 1]; }, field: 'data.inputs[2]', reason: /must have 2 entries, got 3/ },
  { what: 'fewer targets than inputs', edit: (s) => { s.data.targets.pop(); }, field: 'data.targets', reason: /must have 4 entries, got 3/ },
  { what: 'more targets than inputs', edit: (s) => { s.data.targets.push([1]); }, field: 'data.targets', reason: /must have 4 entries, got 5/ },
  { what: 'target row of the wrong width', edit: (s) => { s.data.targets[1] = [1, 0]; }, field: 'data.targets[1]', reason: /must have 1 entries, got 2/ },
  { what: 'no samples', edit: (s) => { s.data.inputs = []; s.data.targets = []; }, field: 'data.inputs', reason: /must have 1 to 1000 entries, got 0/ },
  // optimizer
  { what: 'lr 0', edit: (s) => { s.optimizer.lr = 0; }, field: 'optimizer.lr', reason: /must be greater than 0, got 0/ },
  { what: 'lr negative', edit: (s) => { s.optimizer.lr = -0.1; }, field: 'optimizer.lr', reason: /must be greater than 0, got -0.1/ },
  { what: 'lr as a string', edit: (s) => { s.optimizer.lr = '0.1'; }, field: 'optimizer.lr', reason: /must be a finite number, got "0.1"/ },
  { what: 'lr missing', edit: (s) => { delete s.optimizer.lr; }, field: 'optimizer.lr', reason: /must be a finite number, got nothing/ },
  { what: 'momentum 1', edit: (s) => { s.optimizer.momentum = 1; }, field: 'optimizer.momentum', reason: /from 0 up to \(not including\) 1, got 1/ },
  { what: 'momentum negative', edit: (s) => { s.optimizer.momentum = -0.5; }, field: 'optimizer.momentum', reason: /from 0 up to/ },
  { what: 'momentum as a string', edit: (s) => { s.optimizer.momentum = '0.9'; }, field: 'optimizer.momentum', reason: /must be a finite number, got "0.9"/ },
  // batch, epochs, unknown keys
  { what: 'batch "mini"', edit: (s) => { s.batch = 'mini'; }, field: 'batch', reason: /must be one of "full", "sample", got "mini"/ },
  { what: 'batch missing', edit: (s) => { delete s.batch; }, field: 'batch', reason: /must be one of/ },
  { what: 'epochs 0', edit: (s) => { s.epochs = 0; }, field: 'epochs', reason: /whole number from 1 to 100000, got 0/ },
  { what: 'epochs 100001', edit: (s) => { s.epochs = 100001; }, field: 'epochs', reason: /whole number from 1 to 100000, got 100001/ },
  { what: 'epochs 2.5', edit: (s) => { s.epochs = 2.5; }, field: 'epochs', reason: /whole number/ },
  { what: 'typo "epoch" for "epochs"', edit: (s) => { s.epoch = s.epochs; delete s.epochs; }, field: 'epoch', reason: /unknown field \(allowed: .*epochs/ },
  { what: 'unknown optimizer key', edit: (s) => { s.optimizer.dampening = 0.1; }, field: 'optimizer.dampening', reason: /unknown field/ },
  // init / initial
  { what: 'init and initial both given', edit: (s) => { s.init = 'normal'; s.initial = baseInitial(); }, field: 'init', reason: /either init .* or initial .*not both/ },
  { what: 'unknown init kind', edit: (s) => { s.init = 'glorot'; }, field: 'init', reason: /must be one of "normal", "pytorch-uniform", "xavier", "kaiming", "zeros"/ },
  { what: 'unknown init.weights kind', edit: (s) => { s.init = { weights: 'he' }; }, field: 'init.weights', reason: /must be one of/ },
  { what: 'initial with too few layers', edit: (s) => { s.initial = baseInitial().slice(0, 1); }, field: 'initial', reason: /must have 2 entries, got 1/ },
  { what: 'initial weight row of the wrong width', edit: (s) => { s.initial = baseInitial(); s.initial[1].weight[0] = [0.7, 0.8]; }, field: 'initial[1].weight[0]', reason: /must have 3 entries, got 2/ },
  { what: 'initial weight with the wrong number of rows', edit: (s) => { s.initial = baseInitial(); s.initial[0].weight.pop(); }, field: 'initial[0].weight', reason: /must have 3 entries, got 2/ },
  { what: 'initial weight transposed', edit: (s) => { s.initial = baseInitial(); s.initial[1].weight = [[0.7], [0.8], [0.9]]; }, field: 'initial[1].weight', reason: /must have 1 entries, got 3/ },
  { what: 'initial bias of the wrong length', edit: (s) => { s.initial = baseInitial(); s.initial[0].bias = [0, 0]; }, field: 'initial[0].bias', reason: /must have 3 entries, got 2/ },
  { what: 'initial bias missing when model.bias is true', edit: (s) => { s.initial = baseInitial(); s.initial[1].bias = null; }, field: 'initial[1].bias', reason: /must be an array, got null/ },
  { what: 'initial weight value not a number', edit: (s) => { s.initial = baseInitial(); s.initial[0].weight[2][1] = 'x'; }, field: 'initial[0].weight[2][1]', reason: /must be a finite number/ },
  {
    what: 'bias given when model.bias is false',
    edit: (s) => { s.model.bias = false; s.initial = baseInitial(); },
    field: 'initial[0].bias', reason: /must be null because model.bias is false/,
  },
  // order / stepsPerEpoch
  { what: 'order in full mode', edit: (s) => { s.batch = 'full'; s.order = [[0], [1], [2]]; }, field: 'order', reason: /applies only to batch "sample"/ },
  { what: 'stepsPerEpoch in full mode', edit: (s) => { s.batch = 'full'; s.stepsPerEpoch = 4; }, field: 'stepsPerEpoch', reason: /applies only to batch "sample"/ },
  { what: 'order entry out of range', edit: (s) => { s.order = [[0, 1, 2, 3], [0, 4, 1, 2], [3, 2, 1, 0]]; }, field: 'order[1][1]', reason: /whole number from 0 to 3, got 4/ },
  { what: 'order entry negative', edit: (s) => { s.order = [[0, 1, 2, -1], [0, 1, 1, 2], [3, 2, 1, 0]]; }, field: 'order[0][3]', reason: /whole number from 0 to 3, got -1/ },
  { what: 'order shorter than epochs', edit: (s) => { s.order = [[0, 1, 2, 3]]; }, field: 'order', reason: /must have 3 to 100000 entries, got 1/ },
  { what: 'order epoch of the wrong length', edit: (s) => { s.order = [[0, 1, 2, 3], [0, 1], [3, 2, 1, 0]]; }, field: 'order[1]', reason: /must have 4 entries, got 2/ },
  { what: 'stepsPerEpoch 0', edit: (s) => { s.stepsPerEpoch = 0; }, field: 'stepsPerEpoch', reason: /whole number from 1 to 1000, got 0/ },
];

describe('parseSpec refuses a bad spec, naming the field and the reason', () => {
  it('accepts the base spec used by the table', () => {
    const spec = parseSpec(base());
    expect(spec.stepsPerEpoch).toBe(4);
    expect(parseSpec({ ...base(), initial: baseInitial() }).initial).toEqual(baseInitial());
  });

  it.each(BAD)('$what → $field', ({ what, edit, field, reason }) => {
    let raw: unknown = base();
    if (what === 'spec is not an object') raw = [base()];
    else edit(raw as Json);
    const err = thrown(() => parseSpec(raw));
    expect(err.field).toBe(field);
    expect(err.reason).toMatch(reason);
    expect(err.message).toBe(`${field}: ${err.reason}`);
  });

  it('parseSpecText prefixes the source to the field', () => {
    const raw = base();
    raw.model.activations[1] = 'softmax';
    const err = thrown(() => parseSpecText(JSON.stringify(raw), 'my.json'));
    expect(err.field).toBe('my.json: model.activations[1]');
    expect(err.message).toContain('model.activations[1]');
    expect(err.message).toContain('softmax');
  });
});

describe('parseSpecText reports the line and column of broken JSON', () => {
  const good = JSON.stringify(base(), null, 2).split('\n');
  const cases: { what: string; text: string; line: number; column: number }[] = [
    { what: 'trailing comma', text: '{\n  "name": "x",\n}', line: 3, column: 1 },
    { what: 'missing comma', text: '{\n  "name": "x"\n  "epochs": 3\n}', line: 3, column: 3 },
    { what: 'trailing bracket', text: '{"name": "x"}\n]', line: 2, column: 1 },
    {
      what: 'missing comma deep in a real spec',
      // good[8] is `    "bias": true,`; without its comma the error is at `"activations"` on the next line.
      text: [...good.slice(0, 8), good[8].replace(/,$/, ''), ...good.slice(9)].join('\n'),
      line: 10, column: good[9].indexOf('"') + 1,
    },
    // A bare word where a value belongs (a typo such as `ture` or an unquoted string).
    { what: 'bare word as a value', text: '{\n  "batch": sample\n}', line: 2, column: 12 },
    { what: 'NaN as a value', text: '{\n  "optimizer": {\n    "lr": NaN\n  }\n}', line: 3, column: 11 },
  ];
  it.each(cases)('$what', ({ text, line, column }) => {
    expect(() => JSON.parse(text)).toThrow();
    const err = thrown(() => parseSpecText(text, 'broken.json'));
    expect(err.field).toBe('broken.json');
    expect(err.reason).toMatch(/not valid JSON/);
    expect(err.reason).toContain(`line ${line}, column ${column}`);
  });

  it('a file cut off in the middle names the line where it ends', () => {
    const err = thrown(() => parseSpecText('{\n  "name": "x",\n  "epochs": ', 'cut.json'));
    expect(err.field).toBe('cut.json');
    expect(err.reason).toMatch(/not valid JSON/);
    expect(err.reason).toMatch(/line 3, column \d+/);
  });
});

describe('presets', () => {
  const counts: Record<string, number> = {
    'end2-xor-44': 44,
    'end2-backprop-2-2-2': 8,
    'end2-xor-9': 9,
    'end2-course-xor-2-2-1': 9,
    'end2-xor-44-adam': 44,
    // 2·4 + 4 + 4·2 + 2
    'end2-xor-softmax-2-4-2': 22,
  };

  it('has exactly the four END2 presets and the two optimizer/classification ones', () => {
    expect([...PRESET_NAMES].sort()).toEqual(Object.keys(counts).sort());
  });

  it.each(Object.entries(counts))('%s parses and has %i parameters', (name, count) => {
    const spec = loadPreset(name);
    expect(spec.name).toBe(name);
    expect(parameterCount(spec.model.layers, spec.model.bias)).toBe(count);
    expect(flattenParams(initialParams(spec))).toHaveLength(count);
    const order = sampleOrder(spec);
    if (spec.batch === 'sample') {
      expect(order).toHaveLength(spec.epochs);
      for (const e of order!) {
        expect(e).toHaveLength(spec.stepsPerEpoch);
        for (const k of e) expect(Number.isInteger(k) && k >= 0 && k < spec.data.inputs.length).toBe(true);
      }
    } else {
      expect(order).toBeNull();
    }
  });

  it('loadPreset refuses an unknown name and lists the presets', () => {
    const err = thrown(() => loadPreset('nope'));
    expect(err.field).toBe('preset');
    for (const name of PRESET_NAMES) expect(err.reason).toContain(name);
  });

  it('end2-xor-44: 2-4-4-4-1, no biases, tanh ×3 then identity, L1, SGD 0.02 / 0.9, 2001 epochs of 4 steps', () => {
    const spec = loadPreset('end2-xor-44');
    expect(spec.model).toEqual({ layers: [2, 4, 4, 4, 1], bias: false, activations: ['tanh', 'tanh', 'tanh', 'identity'], loss: 'l1' });
    expect(spec.optimizer).toMatchObject({ kind: 'sgd', lr: 0.02, momentum: 0.9, nesterov: false, weight_decay: 0 });
    expect([spec.batch, spec.epochs, spec.stepsPerEpoch]).toEqual(['sample', 2001, 4]);
    expect(initialParams(spec).every((l) => l.bias === null)).toBe(true);
  });

  it("end2-course-xor-2-2-1 starts from the course sheet's weights (reference §3, in its order)", () => {
    const want = [
      '0.26048031026369978', '1.0316357155891831', '-2.0284515071626208',
      '0.57339204236089003', '-0.029821706493988777', '-1.4150667378982897',
      '0.78371075111019117', '0.15401283058319371', '0.24528352313470519',
    ].map(Number);
    // The sheet's order: for each neuron, its weights then its bias (h1←x1, h1←x2, h1 bias, h2←…, out←h1, out←h2, out bias).
    const got = initialParams(loadPreset('end2-course-xor-2-2-1'))
      .flatMap((l) => l.weight.flatMap((row, j) => [...row, l.bias![j]]));
    expect(got).toEqual(want);
  });
});

describe('seeds', () => {
  it('the same seed gives the same starting weights and sample order; different seeds differ', () => {
    for (const name of ['end2-xor-44', 'end2-xor-9']) {
      const spec = loadPreset(name);
      const again = withOverrides(loadPreset(name), { seed: spec.seed });
      expect(initialParams(again)).toEqual(initialParams(spec));
      expect(sampleOrder(again)).toEqual(sampleOrder(spec));
      const other = withOverrides(spec, { seed: spec.seed + 1 });
      expect(flattenParams(initialParams(other))).not.toEqual(flattenParams(initialParams(spec)));
      expect(sampleOrder(other)).not.toEqual(sampleOrder(spec));
      // Not merely shifted or partly equal: every weight differs.
      const a = flattenParams(initialParams(spec));
      const b = flattenParams(initialParams(other));
      expect(a.filter((x, i) => x === b[i])).toHaveLength(0);
    }
  });

  it('drawing twice from one spec gives the same values', () => {
    const spec = loadPreset('end2-xor-9');
    expect(initialParams(spec)).toEqual(initialParams(spec));
    expect(sampleOrder(spec)).toEqual(sampleOrder(spec));
  });

  it('changing epochs changes neither the starting weights nor the first epochs\' order', () => {
    const spec = loadPreset('end2-xor-44');
    const order = sampleOrder(spec)!;
    for (const epochs of [1, 10, 500, 3000]) {
      const s = withOverrides(spec, { epochs });
      expect(s.epochs).toBe(epochs);
      expect(initialParams(s)).toEqual(initialParams(spec));
      const o = sampleOrder(s)!;
      expect(o).toHaveLength(epochs);
      const n = Math.min(epochs, order.length);
      expect(o.slice(0, n)).toEqual(order.slice(0, n));
    }
  });

  it('changing lr or momentum changes neither the starting weights nor the order', () => {
    const spec = loadPreset('end2-xor-9');
    const s = withOverrides(spec, { lr: 0.5, momentum: 0 });
    expect(initialParams(s)).toEqual(initialParams(spec));
    expect(sampleOrder(s)).toEqual(sampleOrder(spec));
  });

  it('init kinds: zeros gives zeros, pytorch-uniform stays within ±1/sqrt(fan_in), normal biases are drawn', () => {
    const zeros = initialParams(parseSpec({ ...base(), init: 'zeros' }));
    expect(flattenParams(zeros).every((x) => x === 0)).toBe(true);
    const uni = initialParams(parseSpec({ ...base(), init: 'pytorch-uniform' }));
    const layers = [2, 3, 1];
    uni.forEach((l, i) => {
      const bound = 1 / Math.sqrt(layers[i]);
      for (const x of [...l.weight.flat(), ...l.bias!]) expect(Math.abs(x)).toBeLessThanOrEqual(bound);
    });
    const wz = initialParams(parseSpec({ ...base(), init: { weights: 'normal', biases: 'zeros' } }));
    expect(wz.every((l) => l.bias!.every((b) => b === 0))).toBe(true);
    expect(wz.some((l) => l.weight.flat().some((w) => w !== 0))).toBe(true);
  });
});

describe('withOverrides', () => {
  const withoutLr = (s: Spec) => ({ ...s, optimizer: { ...s.optimizer, lr: 0 } });

  it('no overrides is the identity, and toSpecJson → parseSpec round trips', () => {
    for (const name of PRESET_NAMES) {
      const spec = loadPreset(name);
      expect(withOverrides(spec, {})).toEqual(spec);
      expect(parseSpec(JSON.parse(JSON.stringify(toSpecJson(spec))))).toEqual(spec);
    }
  });

  it('overriding lr keeps everything else (including an explicit order and initial)', () => {
    for (const name of PRESET_NAMES) {
      const spec = loadPreset(name);
      const s = withOverrides(spec, { lr: 0.123 });
      expect(s.optimizer.lr).toBe(0.123);
      expect(withoutLr(s)).toEqual(withoutLr(spec));
    }
    const xor9 = loadPreset('end2-xor-9');
    const replay = parseSpec({ ...toSpecJson(xor9), init: undefined, initial: initialParams(xor9), order: sampleOrder(xor9) });
    const s = withOverrides(replay, { lr: 0.05 });
    expect(withoutLr(s)).toEqual(withoutLr(replay));
    expect(s.order).toEqual(sampleOrder(xor9));
    expect(s.initial).toEqual(initialParams(xor9));
  });

  it('the other overrides set just their own field', () => {
    const spec = loadPreset('end2-xor-9');
    expect(withOverrides(spec, { momentum: 0.5 })).toEqual({ ...spec, optimizer: { ...spec.optimizer, momentum: 0.5 } });
    expect(withOverrides(spec, { epochs: 7 })).toEqual({ ...spec, epochs: 7 });
    expect(withOverrides(spec, { seed: 99 })).toEqual({ ...spec, seed: 99 });
  });

  it('switching batch to full drops the order and stepsPerEpoch', () => {
    const xor9 = loadPreset('end2-xor-9');
    const withOrder = parseSpec({ ...toSpecJson(xor9), order: sampleOrder(xor9) });
    expect(withOrder.order).not.toBeNull();
    const full = withOverrides(withOrder, { batch: 'full' });
    expect(full.batch).toBe('full');
    expect(full.order).toBeNull();
    expect(full.stepsPerEpoch).toBe(1);
    expect(sampleOrder(full)).toBeNull();
    expect({ ...full, batch: 'sample', order: null, stepsPerEpoch: 4 }).toEqual({ ...withOrder, order: null });
  });

  it('switching to sample sets stepsPerEpoch to the number of samples', () => {
    const full = withOverrides(loadPreset('end2-xor-9'), { batch: 'full' });
    const sample = withOverrides(full, { batch: 'sample' });
    expect(sample.batch).toBe('sample');
    expect(sample.stepsPerEpoch).toBe(4);
    expect(sampleOrder(sample)).toEqual(sampleOrder(loadPreset('end2-xor-9')));
    const three = parseSpec({ ...base(), batch: 'full', data: { inputs: [[0, 0], [0, 1], [1, 0]], targets: [[0], [1], [1]] } });
    expect(withOverrides(three, { batch: 'sample' }).stepsPerEpoch).toBe(3);
    const bp = withOverrides(loadPreset('end2-backprop-2-2-2'), { batch: 'sample' });
    expect(bp.stepsPerEpoch).toBe(1);
    expect(sampleOrder(bp)).toEqual(Array.from({ length: 51 }, () => [0]));
  });

  it('fewer epochs than an explicit order cuts the order to a prefix', () => {
    const xor9 = loadPreset('end2-xor-9');
    const order = sampleOrder(xor9)!;
    const replay = parseSpec({ ...toSpecJson(xor9), order });
    expect(withOverrides(replay, { epochs: 10 }).order).toEqual(order.slice(0, 10));
    expect(sampleOrder(withOverrides(replay, { epochs: 10 }))).toEqual(order.slice(0, 10));
  });

  it('more epochs than an explicit order keeps that order for the first epochs', () => {
    // A run file (no seed, so seed 0) replayed with a larger --epochs: its own order must still start the run.
    const xor9 = loadPreset('end2-xor-9');
    const order = sampleOrder(withOverrides(xor9, { seed: 5 }))!;
    const replay = parseSpec({ ...toSpecJson(xor9), seed: undefined, order });
    const longer = sampleOrder(withOverrides(replay, { epochs: 400 }))!;
    expect(longer).toHaveLength(400);
    expect(longer.slice(0, 300)).toEqual(order);
  });

  it('validates the overridden values', () => {
    const spec = loadPreset('end2-xor-9');
    expect(thrown(() => withOverrides(spec, { lr: 0 })).field).toBe('optimizer.lr');
    expect(thrown(() => withOverrides(spec, { momentum: 1 })).field).toBe('optimizer.momentum');
    expect(thrown(() => withOverrides(spec, { epochs: 0 })).field).toBe('epochs');
    expect(thrown(() => withOverrides(spec, { seed: -3 })).field).toBe('seed');
  });
});

describe('a run file is a spec', () => {
  it('accepts the run-file keys and replays its initial and order', () => {
    const xor9 = loadPreset('end2-xor-9');
    const initial = initialParams(xor9);
    const order = sampleOrder(xor9)!;
    const run = {
      format: 'gradsheet.run/1', preset: 'end2-xor-9',
      model: xor9.model, data: xor9.data, optimizer: xor9.optimizer, batch: 'sample', epochs: 300,
      order, initial, gradients0: initial, epochLoss: order.map(() => 0.5), final: initial,
    };
    const spec = parseSpec(JSON.parse(JSON.stringify(run)));
    expect(spec.name).toBe('end2-xor-9');
    expect(spec.stepsPerEpoch).toBe(4);
    expect(initialParams(spec)).toEqual(initial);
    expect(sampleOrder(spec)).toEqual(order);
  });
});

describe('Random', () => {
  const N = 20000;

  it.each([[0, STREAMS.init], [2, STREAMS.init], [2, STREAMS.order], [12345, 7]])('seed %i stream %i: normal() is N(0, 1)', (seed, stream) => {
    const rng = new Random(seed, stream);
    const xs = Array.from({ length: N }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / N;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it.each([[0, STREAMS.order], [2, STREAMS.order], [99, STREAMS.init]])('seed %i stream %i: int(4) hits each of 0..3 about a quarter of the time', (seed, stream) => {
    const rng = new Random(seed, stream);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      const k = rng.int(4);
      expect(Number.isInteger(k) && k >= 0 && k < 4).toBe(true);
      counts[k]++;
    }
    for (const c of counts) expect(Math.abs(c / N - 0.25)).toBeLessThan(0.25 * 0.05);
  });

  it('uniform() is in [0, 1); the same seed and stream repeat, other seeds or streams differ', () => {
    const draw = (seed: number, stream: number) => {
      const r = new Random(seed, stream);
      return Array.from({ length: 50 }, () => r.uniform());
    };
    const a = draw(5, 1);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(draw(5, 1)).toEqual(a);
    expect(draw(6, 1)).not.toEqual(a);
    expect(draw(5, 2)).not.toEqual(a);
  });
});
