import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gradcheckRows } from '../src/cli/gradcheckReport';
import { runEpochs } from '../src/driver/driver';
import { gradCheckRow, GRADCHECK_THRESHOLD } from '../src/gradcheck/gradcheck';
import { buildLayout } from '../src/layout/layout';
import { loadPreset, PRESET_NAMES } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { parseSpec, withOverrides } from '../src/spec/validate';
import { buildWorkbook, type Workbook } from '../src/workbook/workbook';

function trained(spec: Spec): Workbook {
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  return wb;
}

describe('gradient check by central differences through the engine', () => {
  for (const name of PRESET_NAMES) {
    it(`${name}: the first and last rows pass, worst relative error under 1e-6`, () => {
      const spec = loadPreset(name);
      // Adam drives the L1 outputs of end2-xor-44-adam to within the check's step of their targets (loss 0.005 at
      // epoch 2000), where most cells sit on |y − t|'s kink and are set aside; row 300 is still judged cell by cell.
      const wb = trained(name === 'end2-xor-44-adam' ? withOverrides(spec, { epochs: 301 }) : spec);
      for (const epoch of [0, wb.rows - 1]) {
        const r = gradCheckRow(wb, epoch);
        const grads = wb.layout.columns.filter((c) => c.kind === 'grad').length;
        expect(r.cells).toHaveLength(grads);
        const failed = r.cells.filter((c) => c.status === 'fail').map((c) => `${c.column.name}: ${c.claimed} vs ${c.numeric}`);
        expect(failed, `epoch ${epoch}`).toEqual([]);
        expect(r.passed).toBe(true);
        expect(r.worst!.relError).toBeLessThan(1e-6);
        // Kinks are rare: at most a few cells of a row are set aside.
        expect(r.cells.filter((c) => c.status === 'kink').length).toBeLessThan(grads / 4);
      }
    }, 120_000);
  }

  it('with momentum and single-sample steps (each step differentiates by the weights it starts from)', () => {
    const wb = trained(withOverrides(loadPreset('end2-xor-9'), { momentum: 0.9, epochs: 30 }));
    const r = gradCheckRow(wb, 29);
    expect(r.passed).toBe(true);
    expect(r.cells.some((c) => c.weight.kind === 'new-weight')).toBe(true);
  });

  for (const optimizer of [{ kind: 'rmsprop', lr: 0.01, momentum: 0.5, centered: true }, { kind: 'adamw', lr: 0.01 }, { kind: 'adagrad', lr: 0.1, lr_decay: 0.1 }]) {
    for (const loss of ['bce', 'cross-entropy']) {
      it(`${optimizer.kind} with ${loss}, single-sample steps (each step starts from the previous step's optimizer cells)`, () => {
        const raw = {
          name: 'g', model: { layers: [2, 3, 2], bias: true, activations: ['tanh', loss === 'bce' ? 'sigmoid' : 'identity'], loss },
          data: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[1, 0], [0, 1], [0, 1], [1, 0]] },
          optimizer, batch: 'sample', stepsPerEpoch: 4, epochs: 20, seed: 4, init: 'pytorch-uniform',
        };
        const wb = trained(parseSpec(raw));
        for (const epoch of [0, 19]) {
          const r = gradCheckRow(wb, epoch);
          expect(r.cells.filter((c) => c.status === 'fail').map((c) => c.column.name)).toEqual([]);
          expect(r.passed).toBe(true);
          expect(r.worst!.relError).toBeLessThan(1e-6);
        }
      });
    }
  }

  it('a planted wrong gradient formula (reads a_h2 where the chain rule needs a_h1) fails and is named', () => {
    const wb = trained(withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 5 }));
    const { layout } = wb;
    const grad = layout.column('∂E/∂w5');
    const row = layout.rowOf(2);
    const wrong = `=${layout.column('∂E/∂o1').letter}${row + 1}*${layout.column('a_h2').letter}${row + 1}`;
    wb.hf.setCellContents({ sheet: wb.train, row, col: grad.index }, wrong);
    const r = gradCheckRow(wb, 2);
    expect(r.passed).toBe(false);
    const failed = r.cells.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.column.name)).toEqual(['∂E/∂w5']);
    expect(failed[0].relError).toBeGreaterThan(GRADCHECK_THRESHOLD);
    expect(r.worst!.column.name).toBe('∂E/∂w5');
    expect(gradCheckRow(wb, 1).passed).toBe(true); // the other rows are untouched
  });

  it('a missing σ′ factor fails too', () => {
    const wb = trained(withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 3 }));
    const { layout } = wb;
    const row = layout.rowOf(0);
    const a = layout.column('a_o1').letter;
    const t = layout.column('t1').letter;
    wb.hf.setCellContents({ sheet: wb.train, row, col: layout.column('∂E/∂o1').index }, `=(${a}${row + 1}-${t}${row + 1})`);
    const failed = gradCheckRow(wb, 0).cells.filter((c) => c.status === 'fail').map((c) => c.column.name);
    expect(failed).toEqual(['∂E/∂w1', '∂E/∂w2', '∂E/∂w3', '∂E/∂w4', '∂E/∂w5', '∂E/∂w6']);
  });

  it('L1 loss: a nudge that crosses |y − t| = 0 is set aside with a note, not failed', () => {
    const base = loadPreset('end2-backprop-2-2-2');
    const spec = withOverrides({ ...base, model: { ...base.model, loss: 'l1' } }, { epochs: 2 });
    const wb = trained(spec);
    const { layout } = wb;
    // Put output 1 exactly on its target: t1 := a_o1's value, through the Data sheet.
    const y = wb.hf.getCellValue({ sheet: wb.train, row: layout.rowOf(0), col: layout.column('a_o1').index }) as number;
    wb.hf.setCellContents({ sheet: wb.data, row: 1, col: 3 }, y);
    const r = gradCheckRow(wb, 0);
    const kinks = r.cells.filter((c) => c.status === 'kink');
    expect(kinks.length).toBeGreaterThan(0);
    expect(kinks[0].note).toMatch(/crosses \|a_o1 − t1\| at 0/);
    expect(r.cells.filter((c) => c.status === 'fail')).toEqual([]);
  });
});

describe('--gradcheck in the CLI', () => {
  it('prints the worst relative error per layer for the first and last rows and exits 0', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const r = spawnSync('node_modules/.bin/tsx', ['src/cli/train.ts', '--preset', 'end2-backprop-2-2-2', '--epochs', '20', '--gradcheck'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gradient check, epoch 0: 8 gradient cells/);
    expect(r.stdout).toMatch(/gradient check, epoch 19: 8 gradient cells/);
    expect(r.stdout.match(/ok {3}layer [12]: worst \d\.\d\de-\d+/g)).toHaveLength(4);
    expect(r.stdout).toMatch(/gradient check passed/);
  });

  it('the report names a failing cell and says FAILED (the CLI then exits 5)', () => {
    const wb = trained(withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 1 }));
    const { layout } = wb;
    wb.hf.setCellContents({ sheet: wb.train, row: layout.rowOf(0), col: layout.column('∂E/∂w7').index }, '=0.5');
    const lines: string[] = [];
    expect(gradcheckRows(wb, (l) => lines.push(l))).toBe(false);
    expect(lines.join('\n')).toMatch(/FAIL ∂E\/∂w7: claimed 0.5, numerical -0.0424552/);
    expect(lines.join('\n')).toMatch(/gradient check FAILED/);
  });
});
