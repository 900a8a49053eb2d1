import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainReference } from '../src/reference/trainer';
import { PRESET_NAMES } from '../src/spec/presets';
import { flattenParams, initialParams } from '../src/spec/resolve';
import type { LayerParams } from '../src/spec/types';
import { parseSpec } from '../src/spec/validate';
import { referenceLosses } from './support/referenceLosses';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = 'node_modules/.bin/tsx';
const SMALL = 60_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradsheet-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function train(...args: string[]): Result {
  const r = spawnSync(TSX, ['src/cli/train.ts', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RunJson = Record<string, any>;

function readRun(path: string): RunJson {
  return JSON.parse(readFileSync(path, 'utf8')) as RunJson;
}

function logLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('Epoch:'));
}

function relErr(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/** Every number anywhere in a JSON value. */
function numbersIn(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) for (const x of v) numbersIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) numbersIn(x, out);
  return out;
}

const RUN_KEYS_FULL = ['format', 'preset', 'model', 'data', 'optimizer', 'batch', 'epochs', 'initial', 'gradients0', 'epochLoss', 'final'];
const RUN_KEYS_SAMPLE = ['format', 'preset', 'model', 'data', 'optimizer', 'batch', 'epochs', 'order', 'initial', 'gradients0', 'epochLoss', 'final'];

/** The documented layout of initial / gradients0 / final: per weight layer {weight[out][in], bias[out] | null}. */
function expectLayout(params: LayerParams[], layers: number[], bias: boolean): void {
  expect(params).toHaveLength(layers.length - 1);
  params.forEach((p, l) => {
    expect(Object.keys(p)).toEqual(['weight', 'bias']);
    expect(p.weight).toHaveLength(layers[l + 1]);
    for (const row of p.weight) expect(row).toHaveLength(layers[l]);
    if (bias) expect(p.bias).toHaveLength(layers[l + 1]);
    else expect(p.bias).toBeNull();
  });
}

describe('CLI usage and errors', () => {
  it('--help exits 0 and prints the usage', () => {
    const r = train('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: npm run train --');
    for (const flag of ['--preset', '--spec', '--epochs', '--lr', '--momentum', '--seed', '--batch', '--json']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain("the log prints the last step's\nloss, as the course notebook does; --loss-csv writes each epoch's mean loss L\u0304 and the step losses");
  }, SMALL);

  it('npm run train -- --help goes through the package script', () => {
    const r = spawnSync('npm', ['run', '--silent', 'train', '--', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: npm run train --');
  }, SMALL);

  it('an unknown flag exits 2 with "unknown option" and the usage', () => {
    const r = train('--epoch', '5');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --epoch');
    expect(r.stderr).toContain('Usage: npm run train --');
    expect(r.stdout).not.toContain('Epoch:');
  }, SMALL);

  it.each([
    [['--lr', 'abc'], /--lr must be a number, got "abc"/],
    [['--epochs', '2.5'], /--epochs must be a whole number/],
    [['--epochs'], /--epochs needs a value/],
    [['--batch', 'mini'], /--batch must be full or sample, got "mini"/],
    [['--lr', '0', '--preset', 'end2-backprop-2-2-2'], /optimizer\.lr: must be greater than 0/],
    [['--momentum', '1', '--preset', 'end2-backprop-2-2-2'], /optimizer\.momentum/],
    [['--epochs', '0', '--preset', 'end2-backprop-2-2-2'], /epochs: must be a whole number from 1 to 100000, got 0/],
    [['--preset', 'end2-xor-9', '--spec', 'x.json'], /not both/],
    [['extra'], /unexpected argument "extra"/],
  ])('%j exits 2', (args, message) => {
    const r = train(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toContain('Epoch:');
  }, SMALL);

  it('--preset nope exits 2 and lists the presets', () => {
    const r = train('--preset', 'nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"nope"');
    for (const name of PRESET_NAMES) expect(r.stderr).toContain(name);
  }, SMALL);

  it('--spec of a missing file exits 4', () => {
    const r = train('--spec', join(dir, 'missing.json'));
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('missing.json');
  }, SMALL);

  it('a spec file with a bad field exits 2 and names the field and the reason', () => {
    const file = join(dir, 'bad.json');
    const spec = JSON.parse(readFileSync(join(ROOT, 'sheets/end2-xor-9.json'), 'utf8'));
    spec.model.activations[1] = 'softmax';
    writeFileSync(file, JSON.stringify(spec, null, 2));
    const r = train('--spec', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('model.activations[1]');
    expect(r.stderr).toContain('softmax');
    expect(r.stderr).toMatch(/must be one of/);
  }, SMALL);

  it('a spec file of broken JSON exits 2 and says where', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{\n  "name": "x",\n}\n');
    const r = train('--spec', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('line 3, column 1');
  }, SMALL);

  it('--json into a missing directory exits 4', () => {
    const r = train('--preset', 'end2-backprop-2-2-2', '--epochs', '2', '--json', join(dir, 'no/such/dir/run.json'));
    expect(r.status).toBe(4);
  }, SMALL);
});

describe('end2-backprop-2-2-2 (the Session 2 sheet)', () => {
  let r: Result;
  let run: RunJson;
  beforeAll(() => {
    r = train('--preset', 'end2-backprop-2-2-2', '--json', join(dir, 'bp.json'));
    run = readRun(join(dir, 'bp.json'));
  }, SMALL);

  it('prints the class values at epochs 0 and 50', () => {
    expect(r.status).toBe(0);
    expect(logLines(r.stdout)).toEqual(['Epoch: 0\tLoss: 0.2425198573', 'Epoch: 50\tLoss: 0.0633924601']);
  });

  it('writes a full-mode run file with exactly the documented keys (no order)', () => {
    expect(Object.keys(run)).toEqual(RUN_KEYS_FULL);
    expect(run.format).toBe('gradsheet.run/1');
    expect(run.preset).toBe('end2-backprop-2-2-2');
    expect(Object.keys(run.model)).toEqual(['layers', 'bias', 'activations', 'loss']);
    expect(run.model).toEqual({ layers: [2, 2, 2], bias: false, activations: ['sigmoid', 'sigmoid'], loss: 'half-sse' });
    expect(Object.keys(run.data)).toEqual(['inputs', 'targets']);
    expect(run.data).toEqual({ inputs: [[0.05, 0.1]], targets: [[0.01, 0.99]] });
    expect(Object.keys(run.optimizer)).toEqual(['lr', 'momentum']);
    expect(run.optimizer).toEqual({ lr: 0.5, momentum: 0 });
    expect(run.batch).toBe('full');
    expect(run.epochs).toBe(51);
    expect(run.epochLoss).toHaveLength(51);
    for (const k of ['initial', 'gradients0', 'final']) expectLayout(run[k], [2, 2, 2], false);
    expect(run.initial).toEqual([
      { weight: [[0.15, 0.2], [0.25, 0.3]], bias: null },
      { weight: [[0.4, 0.45], [0.5, 0.55]], bias: null },
    ]);
  });

  it("gradients0 equals the sheet's ∂E/∂w1..w8", () => {
    const want = [1.882556669e-4, 3.765113339e-4, 2.248134626e-4, 4.496269252e-4, 0.07215707291, 0.07269074519, -0.04245525009, -0.04276924828];
    const got = flattenParams(run.gradients0);
    expect(got).toHaveLength(8);
    got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(1e-9));
  });

  it('epochLoss follows the sheet’s E_total table at η = 0.5, and final matches the reference trainer', () => {
    const table: Record<number, number> = { 0: 0.2425198573, 1: 0.2354953779, 2: 0.2286202060, 5: 0.2089376727, 10: 0.1794637189, 20: 0.1330460012, 50: 0.0633924601 };
    for (const [it, want] of Object.entries(table)) expect(Math.abs(run.epochLoss[Number(it)] - want)).toBeLessThan(1e-10);
    const spec = parseSpec(run);
    const ref = trainReference(spec, run.initial, null);
    expect(flattenParams(run.final)).toEqual(flattenParams(ref.final));
    expect(run.epochLoss).toEqual(ref.epochLoss);
  });

  it('after one step at η = 0.5, final is the sheet’s updated weights', () => {
    const file = join(dir, 'bp1.json');
    const one = train('--preset', 'end2-backprop-2-2-2', '--epochs', '1', '--json', file);
    expect(one.status).toBe(0);
    expect(logLines(one.stdout)).toEqual(['Epoch: 0\tLoss: 0.2425198573']);
    const want = [0.1499058722, 0.1998117443, 0.2498875933, 0.2997751865, 0.3639214635, 0.4136546274, 0.521227625, 0.5713846241];
    flattenParams(readRun(file).final).forEach((w, i) => expect(Math.abs(w - want[i])).toBeLessThan(1e-9));
  }, SMALL);

  it('--lr 2 gives the η = 2.0 row of the table', () => {
    const file = join(dir, 'bp-lr2.json');
    const res = train('--preset', 'end2-backprop-2-2-2', '--lr', '2', '--json', file);
    expect(res.status).toBe(0);
    expect(logLines(res.stdout)).toEqual(['Epoch: 0\tLoss: 0.2425198573', 'Epoch: 50\tLoss: 0.0122261078']);
    const lossAt = readRun(file).epochLoss as number[];
    expect(Math.abs(lossAt[10] - 0.0769229800)).toBeLessThan(1e-10);
    expect(readRun(file).optimizer).toEqual({ lr: 2, momentum: 0 });
  }, SMALL);
});

describe('end2-xor-9: a run file replays exactly', () => {
  let a: RunJson;
  let first: Result;
  beforeAll(() => {
    first = train('--preset', 'end2-xor-9', '--json', join(dir, 'a.json'));
    a = readRun(join(dir, 'a.json'));
  }, SMALL);

  it('writes a sample-mode run file with the documented keys, order before initial', () => {
    expect(first.status).toBe(0);
    expect(Object.keys(a)).toEqual(RUN_KEYS_SAMPLE);
    expect(a.epochs).toBe(300);
    expect(a.order).toHaveLength(300);
    for (const e of a.order) {
      expect(e).toHaveLength(4);
      for (const k of e) expect([0, 1, 2, 3]).toContain(k);
    }
    for (const k of ['initial', 'gradients0', 'final']) expectLayout(a[k], [2, 2, 1], true);
    expect(a.epochLoss).toHaveLength(300);
    expect(numbersIn(a).every(Number.isFinite)).toBe(true);
    // The log prints the run file's own losses.
    const lines = logLines(first.stdout);
    expect(lines.map((l) => Number(l.split('\t')[0].slice(7)))).toEqual([0, 50, 100, 150, 200, 250, 299]);
    for (const l of lines) {
      const [, e, loss] = /^Epoch: (\d+)\tLoss: (\d+\.\d{10})$/.exec(l)!;
      expect(loss).toBe(a.epochLoss[Number(e)].toFixed(10));
    }
  });

  it('--spec a.json gives an identical run', () => {
    const r = train('--spec', join(dir, 'a.json'), '--json', join(dir, 'b.json'));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(first.stdout);
    const b = readRun(join(dir, 'b.json'));
    expect(b.epochLoss).toEqual(a.epochLoss);
    expect(b.final).toEqual(a.final);
    expect(b.order).toEqual(a.order);
    expect(b.initial).toEqual(a.initial);
    expect(b.gradients0).toEqual(a.gradients0);
    expect(b).toEqual(a);
  }, SMALL);

  it('--spec a.json --epochs 100 gives the prefix', () => {
    const r = train('--spec', join(dir, 'a.json'), '--epochs', '100', '--json', join(dir, 'c.json'));
    expect(r.status).toBe(0);
    const c = readRun(join(dir, 'c.json'));
    expect(c.epochs).toBe(100);
    expect(c.initial).toEqual(a.initial);
    expect(c.gradients0).toEqual(a.gradients0);
    expect(c.order).toEqual(a.order.slice(0, 100));
    expect(c.epochLoss).toEqual(a.epochLoss.slice(0, 100));
    expect(logLines(r.stdout)).toEqual(logLines(first.stdout).slice(0, 2).concat(`Epoch: 99\tLoss: ${a.epochLoss[99].toFixed(10)}`));
  }, SMALL);

  it('a spec file carries the seed: the preset written as a spec file gives the same run', () => {
    const file = join(dir, 'xor9-spec.json');
    writeFileSync(file, readFileSync(join(ROOT, 'sheets/end2-xor-9.json'), 'utf8'));
    const r = train('--spec', file, '--json', join(dir, 'd.json'));
    expect(r.status).toBe(0);
    expect(readRun(join(dir, 'd.json'))).toEqual(a);
  }, SMALL);

  it('--seed changes the starting weights and the order', () => {
    const r = train('--preset', 'end2-xor-9', '--seed', '3', '--epochs', '20', '--json', join(dir, 'e.json'));
    expect(r.status).toBe(0);
    const e = readRun(join(dir, 'e.json'));
    expect(flattenParams(e.initial)).not.toEqual(flattenParams(a.initial));
    expect(e.order).not.toEqual(a.order.slice(0, 20));
  }, SMALL);

  it('--batch full writes no order and trains one update per epoch', () => {
    const r = train('--preset', 'end2-xor-9', '--batch', 'full', '--epochs', '60', '--json', join(dir, 'f.json'));
    expect(r.status).toBe(0);
    const f = readRun(join(dir, 'f.json'));
    expect(Object.keys(f)).toEqual(RUN_KEYS_FULL);
    expect(f.batch).toBe('full');
    expect(f.initial).toEqual(a.initial);
    const ref = trainReference(parseSpec(f), f.initial, null);
    f.epochLoss.forEach((x: number, i: number) => expect(relErr(x, ref.epochLoss[i])).toBeLessThan(1e-12));
    expect(logLines(r.stdout).map((l) => l.split('\t')[0])).toEqual(['Epoch: 0', 'Epoch: 50', 'Epoch: 59']);
  }, SMALL);

  it("epochLoss equals the reference trainer's, run from the file's own initial and order", () => {
    const spec = parseSpec(a);
    expect(spec.order).toEqual(a.order);
    // Also the starting weights the preset's seed draws, independently of the CLI.
    expect(a.initial).toEqual(initialParams(parseSpec(JSON.parse(readFileSync(join(ROOT, 'sheets/end2-xor-9.json'), 'utf8')))));
    const ref = trainReference(spec, a.initial, a.order);
    expect(ref.epochLoss).toHaveLength(a.epochLoss.length);
    const worst = Math.max(...a.epochLoss.map((x: number, i: number) => relErr(x, ref.epochLoss[i])));
    expect(worst).toBeLessThan(1e-12);
    const fw = flattenParams(ref.final);
    flattenParams(a.final).forEach((x, i) => expect(relErr(x, fw[i])).toBeLessThan(1e-12));
    const g0 = flattenParams(ref.gradients0);
    flattenParams(a.gradients0).forEach((x, i) => expect(relErr(x, g0[i])).toBeLessThan(1e-12));
  });
});

describe('acceptance: npm run train -- --preset end2-xor-44 --json run.json', () => {
  let r: Result;
  let run: RunJson;
  beforeAll(() => {
    r = train('--preset', 'end2-xor-44', '--json', join(dir, 'run.json'), '--loss-csv', join(dir, 'loss.csv'));
    if (existsSync(join(dir, 'run.json'))) run = readRun(join(dir, 'run.json'));
  }, 240_000);

  it('exits 0 and writes run.json', () => {
    expect(r.stderr).not.toMatch(/Error|heap/i);
    expect(r.status).toBe(0);
    expect(run).toBeDefined();
  });

  it('has the documented keys and the preset’s settings', () => {
    expect(Object.keys(run)).toEqual(RUN_KEYS_SAMPLE);
    expect(run.format).toBe('gradsheet.run/1');
    expect(run.preset).toBe('end2-xor-44');
    expect(run.model).toEqual({ layers: [2, 4, 4, 4, 1], bias: false, activations: ['tanh', 'tanh', 'tanh', 'identity'], loss: 'l1' });
    expect(run.data).toEqual({ inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] });
    expect(run.optimizer).toEqual({ lr: 0.02, momentum: 0.9 });
    expect(run.batch).toBe('sample');
    expect(run.epochs).toBe(2001);
  });

  it('has 44 parameters in initial, gradients0 and final', () => {
    for (const k of ['initial', 'gradients0', 'final']) {
      expectLayout(run[k], [2, 4, 4, 4, 1], false);
      expect(flattenParams(run[k])).toHaveLength(44);
    }
  });

  it('has 2001 epochLoss entries and an order of 2001 × 4 sample indices 0..3', () => {
    expect(run.epochLoss).toHaveLength(2001);
    expect(run.order).toHaveLength(2001);
    for (const e of run.order) {
      expect(e).toHaveLength(4);
      for (const k of e) expect(Number.isInteger(k) && k >= 0 && k <= 3).toBe(true);
    }
    // All four samples are drawn, roughly evenly (8004 draws).
    const counts = [0, 1, 2, 3].map((k) => run.order.flat().filter((x: number) => x === k).length);
    for (const c of counts) expect(Math.abs(c / 8004 - 0.25)).toBeLessThan(0.03);
  });

  it('every number is finite', () => {
    const nums = numbersIn(run);
    expect(nums.length).toBeGreaterThan(2001 + 8004 + 3 * 44);
    expect(nums.every(Number.isFinite)).toBe(true);
  });

  it('logs epochs 0, 50, …, 2000 in the notebook format, from the run file’s losses', () => {
    // 0, 50, …, 2000 is 41 lines; the last epoch (2000) is one of them, so it is not printed twice.
    const lines = logLines(r.stdout);
    expect(lines.map((l) => Number(/^Epoch: (\d+)\t/.exec(l)![1]))).toEqual(Array.from({ length: 41 }, (_, i) => i * 50));
    for (const l of lines) {
      const m = /^Epoch: (\d+)\tLoss: (\d+\.\d{10})$/.exec(l);
      expect(m).not.toBeNull();
      expect(m![2]).toBe(run.epochLoss[Number(m![1])].toFixed(10));
    }
  });

  it("the log prints the last step's loss (as the notebook does); --loss-csv holds each epoch's mean L̄ and the step losses", () => {
    const spec = parseSpec({ ...run, epochs: 2001 });
    const ref = referenceLosses(spec, run.initial, run.order);
    for (const l of logLines(r.stdout)) {
      const [, e, loss] = /^Epoch: (\d+)\tLoss: (\d+\.\d{10})$/.exec(l)!;
      expect(loss).toBe(ref.last[Number(e)].toFixed(10));
    }
    const [header, ...lines] = readFileSync(join(dir, 'loss.csv'), 'utf8').trimEnd().split('\n');
    expect(header).toBe('epoch,L\u0304,L[1],L[2],L[3],L[4]');
    expect(lines).toHaveLength(2001);
    lines.forEach((line, e) => {
      const [epoch, mean, ...steps] = line.split(',').map(Number);
      expect(epoch).toBe(e);
      expect(relErr(mean, ref.mean[e])).toBeLessThan(1e-12);
      steps.forEach((l, s) => expect(relErr(l, ref.steps[e][s])).toBeLessThan(1e-12));
    });
  });

  it('gradients0 is the reference trainer’s first gradient from the file’s initial and order', () => {
    const spec = parseSpec({ ...run, epochs: 1 });
    const ref = trainReference(spec, run.initial, run.order);
    const want = flattenParams(ref.gradients0);
    flattenParams(run.gradients0).forEach((g, i) => expect(relErr(g, want[i])).toBeLessThan(1e-12));
    expect(relErr(run.epochLoss[0], ref.epochLoss[0])).toBeLessThan(1e-12);
  });
});

/** Issue 7: every class of bad input exits with its code and says what is wrong; nothing is trained. */
describe('bad input: each class exits with its code and message', () => {
  const usage = 'Usage: npm run train --';

  it.each([
    ['an unknown flag', ['--epoch', '5'], 'gradsheet: unknown option --epoch (did you mean --epochs?)'],
    ['an unknown flag far from any', ['--verbose'], 'gradsheet: unknown option --verbose\n'],
    ['a flag missing its value', ['--lr'], 'gradsheet: --lr needs a value'],
    ['a flag whose value is the next flag', ['--lr', '--epochs', '5'], 'gradsheet: --lr needs a value'],
    ['a value that is not a number', ['--lr', 'fast'], 'gradsheet: --lr must be a number, got "fast"'],
    ['a fractional whole-number flag', ['--seed', '1.5'], 'gradsheet: --seed must be a whole number, got "1.5"'],
    ['a value given to a switch', ['--quiet=yes'], 'gradsheet: --quiet takes no value'],
    ['a bare word', ['xor'], 'gradsheet: unexpected argument "xor"'],
    ['a bad --batch', ['--batch', 'mini'], 'gradsheet: --batch must be full or sample, got "mini"'],
    ['a bad --flavour', ['--flavour', 'pdf', '--out', 'x.xlsx'], 'gradsheet: --flavour must be values or live, got "pdf"'],
    ['--epochs 0', ['--epochs', '0'], 'gradsheet: --epochs 0: epochs: must be a whole number from 1 to 100000, got 0'],
    ['--epochs over the bound', ['--epochs', '100001'], 'gradsheet: --epochs 100001: epochs: must be a whole number from 1 to 100000, got 100001'],
    ['--epochs too many for the cell limit', ['--epochs', '10000'],
      'gradsheet: --epochs 10000: epochs: the workbook would have 792 cells a row × 10,000 epochs = 7,920,000 cells, ' +
      'over the limit of 5,000,000 cells; at most 6,313 epochs fit this network, or use a smaller network or fewer steps an epoch'],
    ['a negative --lr', ['--preset', 'end2-backprop-2-2-2', '--lr', '-1'], 'gradsheet: --lr -1: optimizer.lr: must be greater than 0, got -1'],
    ['--momentum 1', ['--preset', 'end2-backprop-2-2-2', '--momentum', '1'], 'gradsheet: --momentum 1: optimizer.momentum: must be from 0 up to (not including) 1, got 1'],
  ])('%s exits 2 with the message and the usage', (_what, args, message) => {
    const r = train(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(usage);
    expect(r.stdout).toBe('');
  }, SMALL);

  const bad = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const xor44 = () => JSON.parse(readFileSync(join(ROOT, 'sheets/end2-xor-44.json'), 'utf8'));

  it.each([
    ['bad JSON: a trailing comma', 'comma.json', '{\n  "name": "x",\n}\n',
      'comma.json: not valid JSON (line 3, column 1: expected a field name in double quotes, got \'}\' (a comma after the last field?))'],
    ['bad JSON: a bare word', 'word.json', '{\n  "batch": sample\n}\n',
      'word.json: not valid JSON (line 2, column 12: expected a value (a number, "text", true, false, null, {…} or […]), got "sample")'],
    ['bad JSON: a missing comma', 'missing.json', '{\n  "name": "x"\n  "epochs": 3\n}\n',
      'missing.json: not valid JSON (line 3, column 3: expected \',\' or \'}\' after a value, got \'"\' (a missing comma?))'],
    ['an empty file', 'empty.json', '', 'empty.json: not valid JSON (line 1, column 1: the text ends where a value should be)'],
    ['not an object', 'array.json', '[1, 2]', 'array.json: spec: must be an object, got an array of 2'],
    ['an unknown key', 'typo.json', JSON.stringify({ ...xor44(), epoch: 5 }),
      'typo.json: epoch: unknown field (allowed: name, description, model, data, optimizer, batch, stepsPerEpoch, epochs, seed, init, initial, order,'],
    ['a bad value deep inside', 'act.json', JSON.stringify({ ...xor44(), model: { ...xor44().model, activations: ['tanh', 'tanh', 'softmax', 'identity'] } }),
      'act.json: model.activations[2]: must be one of "sigmoid", "tanh", "relu", "identity", got "softmax"'],
    ['too large (cells × epochs)', 'huge.json', JSON.stringify({ ...xor44(), epochs: 100_000 }),
      'huge.json: epochs: the workbook would have 792 cells a row × 100,000 epochs = 79,200,000 cells, over the limit of 5,000,000 cells; at most 6,313 epochs fit'],
    ['a row too wide', 'wide.json', JSON.stringify({ ...xor44(), model: { layers: [2, 64, 64, 1], bias: true, activations: ['tanh', 'tanh', 'identity'], loss: 'l1' } }),
      'wide.json: model.layers: a row would have 63,406 cells (network 2-64-64-1, 4 steps an epoch), over the limit of 16,384 cells a row'],
  ])('a spec file with %s exits 2, names the file and the place', (_what, name, text, message) => {
    const r = train('--spec', bad(name, text));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`gradsheet: ${join(dir, message)}`);
    // A spec's fault, not the command line's: no usage; refused before anything was built.
    expect(r.stderr).not.toContain(usage);
    expect(r.stderr).not.toContain('cells a row\n');
    expect(r.stdout).toBe('');
  }, SMALL);

  it('a missing spec file exits 4 and names it', () => {
    const r = train('--spec', join(dir, 'nowhere.json'));
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(`cannot read spec file ${join(dir, 'nowhere.json')}: no such file`);
  }, SMALL);
});

describe('divergence: exit 3, the epoch and the first bad cell; the good epochs are logged', () => {
  const identity241 = {
    name: 'identity-2-4-1',
    model: { layers: [2, 4, 1], bias: true, activations: ['identity', 'identity'], loss: 'mse' },
    data: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
    optimizer: { lr: 1000 },
    batch: 'full',
    epochs: 100,
    seed: 1,
  };

  it('2-4-1, identity activations, MSE, η = 1000', () => {
    const file = join(dir, 'identity241.json');
    writeFileSync(file, JSON.stringify(identity241));
    const r = train('--spec', file, '--json', join(dir, 'never.json'));
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('gradsheet: training diverged at epoch 4: the first bad cell is o1[1] (Train!AA6) = #NUM!. ' +
      'o1[1] = w9*h1[1]+w10*h2[1]+w11*h3[1]+w12*h4[1]+b5 with h1[1] = ');
    expect(r.stderr).toMatch(/: the result is beyond the largest number a cell holds \(1\.8e308\)\. The values grew too large for a cell: try a smaller learning rate η \(now 1000\)\. Set the learning rate with --lr\. Epochs 0 to 3 trained normally \(--epochs 4 keeps just them\)\.\n$/);
    expect(logLines(r.stdout).map((l) => l.split('\t')[0])).toEqual(['Epoch: 0', 'Epoch: 3']);
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
    // The suggested --epochs 4 trains those epochs and writes the run.
    const kept = train('--spec', file, '--epochs', '4', '--json', join(dir, 'kept.json'));
    expect(kept.status).toBe(0);
    expect(logLines(kept.stdout)).toEqual(logLines(r.stdout));
  }, SMALL);

  it("a sigmoid network whose EXP overflows: end2-backprop-2-2-2 at η = 1e12", () => {
    const r = train('--preset', 'end2-backprop-2-2-2', '--lr', '1e12');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(new RegExp(
      '^gradsheet: training diverged at epoch 1: the first bad cell is a_h1 \\(Train!P3\\) = #NUM!\\. ' +
      'EXP overflowed in a_h1 = 1/\\(1\\+EXP\\(-h1\\)\\) with h1 = -4\\.7064e\\+7: EXP\\(4\\.7064e\\+7\\) is beyond the largest number a cell holds ' +
      "\\(1\\.8e308; EXP\\(x\\) overflows above x = 709\\.78\\)\\. The weights grew so large that the sigmoid's EXP overflowed: " +
      'try a smaller learning rate η \\(now 1e\\+12\\)\\. Set the learning rate with --lr\\. Epoch 0 trained normally \\(--epochs 1 keeps just it\\)\\.$', 'm'));
    expect(logLines(r.stdout)).toEqual(['Epoch: 0\tLoss: 0.2425198573']);
  }, SMALL);
});
