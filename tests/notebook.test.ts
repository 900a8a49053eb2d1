import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { notebookCells, notebookFiles, pyFloat, scriptOf } from '../src/export/notebook';
import type { NotebookRun } from '../src/export/notebookRun';
import { NotebookError } from '../src/export/notebookTorch';
import { settingsOf } from '../src/model/optimizers';
import { trainReference } from '../src/reference/trainer';
import { loadPreset } from '../src/spec/presets';
import { flattenParams, initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { parseSpec } from '../src/spec/validate';

/**
 * Issue 16 without Python: the notebook's text for specs it cannot write (a clear message), text from a spec that
 * must not become code or HTML, float literals, and the CLI's flags. tests/notebookTorch.test.ts runs the scripts.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A run as the sheet would hold it, here from the reference trainer (the generator reads only these numbers). */
function runOf(spec: Spec): NotebookRun {
  const initial = initialParams(spec);
  const order = sampleOrder(spec);
  const ref = trainReference(spec, initial, order);
  return {
    spec, epochs: spec.epochs, settings: Object.fromEntries(settingsOf(spec.optimizer).map(({ param, value }) => [param.name, value])), initial, initialVelocities: null,
    order, changes: [], losses: ref.epochLoss, final: flattenParams(ref.final),
  };
}

describe('float literals', () => {
  it('read back as the same float64 (JavaScript parses Python float syntax the same way)', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const s = pyFloat(x);
      expect(s).toMatch(/^-?(\d+\.\d+|\d+(\.\d+)?e[+-]\d+|\d\.?\d*e[+-]\d+)$/);
      expect(Object.is(Number(s), x)).toBe(true);
    }), { numRuns: 2000 });
    expect(pyFloat(1)).toBe('1.0');
    expect(pyFloat(-0)).toBe('-0.0');
    expect(pyFloat(1e21)).toBe('1e+21');
    expect(() => pyFloat(Number.NaN)).toThrow();
  });
});

describe('what the notebook export cannot write gets a clear message', () => {
  const base = loadPreset('end2-backprop-2-2-2');
  it.each([
    ['loss', { ...base, model: { ...base.model, loss: 'hinge' } }, 'the notebook export does not know loss "hinge" yet'],
    ['activation', { ...base, model: { ...base.model, activations: ['sigmoid', 'softplus'] } }, 'the notebook export does not know activation "softplus" yet'],
  ])('an unknown %s', (_what, spec, message) => {
    const run = { ...runOf(base), spec: spec as unknown as Spec };
    const err = (() => {
      try {
        notebookFiles(run, 'test');
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NotebookError);
    expect((err as Error).message).toContain(message);
  });
});

describe("a spec's text stays text", () => {
  it('a name and description with newlines, code and HTML become neither code nor HTML', () => {
    const spec = parseSpec({
      ...JSON.parse(JSON.stringify(loadPreset('end2-backprop-2-2-2'))),
      init: undefined, initial: loadPreset('end2-backprop-2-2-2').initial,
      name: 'evil\nimport os; os.system("rm -rf /")\r\n# "quoted" \\ back\u2028import sys',
      description: '<script>alert(1)</script> *bold* [link](javascript:alert(1)) & more',
      epochs: 3,
    });
    const cells = notebookCells(runOf(spec), '0.0.0');
    const py = scriptOf(cells);
    expect(py.split(/\r\n|[\n\r\u2028\u2029]/).some((l) => /^\s*import (os|sys)/.test(l))).toBe(false);
    expect(py).toContain('# gradsheet 0.0.0: the sheet "evil\\nimport os; os.system(\\"rm -rf /\\")\\r\\n# \\"quoted\\" \\\\ back\\u2028import sys" as PyTorch');
    const markdown = cells.filter((c) => c.kind === 'markdown').map((c) => c.source).join('\n');
    expect(markdown).not.toMatch(/<script|(?<!\\)\]\(/);
    expect(markdown).toContain('&lt;script&gt;alert(1)&lt;/script&gt; \\*bold\\* \\[link\\](javascript:alert(1)) &amp; more');
  });
});

describe('the course notebook, cell by cell (end2-xor-44, 3 epochs)', () => {
  const spec = { ...loadPreset('end2-xor-44'), epochs: 3 };
  const cells = notebookCells(runOf(spec), '9.9.9');
  const md = cells.filter((c) => c.kind === 'markdown').map((c) => c.source);
  const py = scriptOf(cells);

  it("explains each part in the course's words, with the parameter count", () => {
    for (const heading of ['What is a neuron?', 'How are the weights initialised?', 'What is loss?', 'What does the learning rate do?', 'What does the chain rule do?']) {
      expect(md.some((m) => m.includes(`## ${heading}`)), heading).toBe(true);
    }
    expect(md.join('\n')).toContain('Parameters: 8 + 16 + 16 + 4 = **44**');
    expect(md.join('\n')).toContain('Single-sample L1 runs are chaotic at the last bit');
  });

  it('builds the network, loss and optimizer in PyTorch from the spec', () => {
    expect(py).toContain('torch.set_default_dtype(torch.float64)');
    for (let l = 1; l <= 4; l++) expect(py).toContain(`self.lin${l} = nn.Linear(`);
    expect(py).toContain('self.lin1 = nn.Linear(2, 4, bias=False)');
    expect(py).toContain('self.lin4 = nn.Linear(4, 1, bias=False)');
    expect(py.match(/x = torch\.tanh\(x\)/g)).toHaveLength(3);
    expect(py).toContain('x = self.lin4(x)  # no activation on the output');
    expect(py).toContain('loss_func = nn.L1Loss()');
    expect(py).toContain('optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)');
    expect(py).toContain("print(f'Epoch: {i}\\tLoss: {loss.item():.10f}')");
    expect(py).not.toMatch(/random|manual_seed/);
  });

  it('holds the starting weights and the sample order as literals', () => {
    const w = flattenParams(initialParams(spec));
    expect(py).toContain(`[${w.slice(0, 2).map(pyFloat).join(', ')}],  # w1_1_1 w1_1_2`);
    const order = sampleOrder(spec)!;
    expect(py).toContain(`order = [${order.map((e) => `[${e.join(', ')}]`).join(', ')}]`);
  });
});

describe('the CLI flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradsheet-notebook-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const train = (...args: string[]) => spawnSync('node_modules/.bin/tsx', ['src/cli/train.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

  it('--notebook needs .ipynb and --script .py; neither goes with --lanes', () => {
    const a = train('--preset', 'end2-backprop-2-2-2', '--notebook', join(dir, 'x.txt'));
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('--notebook writes a .ipynb file; name it .ipynb');
    const b = train('--preset', 'end2-backprop-2-2-2', '--script', join(dir, 'x.ipynb'));
    expect(b.status).toBe(2);
    expect(b.stderr).toContain('--script writes a .py file; name it .py');
    const c = train('--preset', 'end2-backprop-2-2-2', '--lanes', '0.1,0.5', '--notebook', join(dir, 'x.ipynb'));
    expect(c.status).toBe(2);
    expect(c.stderr).toContain('--notebook, --script and --gradcheck work on one run');
    expect(existsSync(join(dir, 'x.ipynb'))).toBe(false);
  });

  it('a folder that does not exist: exit 4 and the file named', () => {
    const r = train('--preset', 'end2-backprop-2-2-2', '--epochs', '3', '--quiet', '--script', join(dir, 'no/such/dir/x.py'));
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(`cannot write ${join(dir, 'no/such/dir/x.py')}`);
  });
});
