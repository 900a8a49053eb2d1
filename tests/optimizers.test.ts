import { describe, expect, it } from 'vitest';
import { columnValues, runEpochs } from '../src/driver/driver';
import { explainColumn } from '../src/explain/explain';
import { breakdownOf } from '../src/layout/chain';
import { buildLayout, isEditableColumn } from '../src/layout/layout';
import { copiedFrom, copiedTo, followColumns } from '../src/layout/related';
import { trainLanes } from '../src/lanes/lanes';
import { computedCellMessage } from '../src/web/editRules';
import { OPTIMIZER_REGISTRY, optimizerCatalog } from '../src/model/optimizers';
import { trainReference } from '../src/reference/trainer';
import { flattenParams, initialParams, sampleOrder } from '../src/spec/resolve';
import { LOSSES, OPTIMIZER_KINDS } from '../src/spec/types';
import { cellsPerRow, parseSpec, toSpecJson } from '../src/spec/validate';
import { buildWorkbook, numberAt } from '../src/workbook/workbook';
import { OPTIMIZER_VARIANTS, xorNet232 } from './support/fitLoss';
import { close, compareSheetWithReference } from './support/sheetCheck';

/** The 2-3-2 network on XOR's four samples, 12 epochs (sample mode: 3 steps an epoch). */
const small = (loss: string, optimizer: Record<string, unknown>, batch: 'full' | 'sample') =>
  xorNet232(loss, optimizer, batch, { name: 'small', stepsPerEpoch: 3, epochs: 12, seed: 3 });

describe('every cell of every row equals the reference trainer, for every optimizer × loss × batch mode', () => {
  for (const optimizer of OPTIMIZER_VARIANTS) {
    for (const loss of LOSSES) {
      for (const batch of ['full', 'sample'] as const) {
        it(`${JSON.stringify(optimizer)} · ${loss} · ${batch}`, () => {
          const spec = small(loss, optimizer, batch);
          const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
          runEpochs(wb);
          const { mismatches, cells } = compareSheetWithReference(wb);
          expect(mismatches).toEqual([]);
          expect(cells).toBe(spec.epochs * wb.layout.columns.length);
          expect(cellsPerRow(spec)).toBe(wb.layout.columns.length);
          // The whole run, chained by the driver, against the reference's own run.
          const ref = trainReference(spec, initialParams(spec), sampleOrder(spec));
          const losses = columnValues(wb, wb.layout.lossColumn);
          ref.epochLoss.forEach((l, e) => expect(close(losses[e], l), `epoch ${e} loss`).toBe(true));
          const final = wb.layout.nextWeightColumns.map((c) => numberAt(wb, spec.epochs - 1, c));
          flattenParams(ref.final).forEach((w, p) => expect(close(final[p], w), `final ${wb.layout.params[p].name}`).toBe(true));
          wb.hf.destroy();
        });
      }
    }
  }
});

describe('the optimizer registry', () => {
  it('has one entry per kind, and the catalog lists each kind\'s hyper-parameters with PyTorch\'s defaults', () => {
    expect(Object.keys(OPTIMIZER_REGISTRY).sort()).toEqual([...OPTIMIZER_KINDS].sort());
    const catalog = Object.fromEntries(optimizerCatalog().map((k) => [k.kind, Object.fromEntries(k.hyper.map((h) => [h.name, h.default]))]));
    // torch 1.13 signatures (torch/optim/*.py).
    expect(catalog.sgd).toEqual({ lr: null, momentum: 0, nesterov: false, weight_decay: 0 });
    expect(catalog.adagrad).toEqual({ lr: 0.01, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10 });
    expect(catalog.rmsprop).toEqual({ lr: 0.01, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false });
    expect(catalog.adam).toEqual({ lr: 0.001, 'betas[0]': 0.9, 'betas[1]': 0.999, eps: 1e-8, weight_decay: 0 });
    expect(catalog.adamw).toEqual({ lr: 0.001, 'betas[0]': 0.9, 'betas[1]': 0.999, eps: 1e-8, weight_decay: 0.01 });
  });

  it('names Adam\'s cells m_w, v_w, m̂_w, v̂_w and t, and carries exactly m and v into the next row', () => {
    const layout = buildLayout(small('mse', { kind: 'adam', lr: 0.01 }, 'full'));
    const names = layout.columns.map((c) => c.name);
    for (const n of ['β1', 'β2', 'ε', 'm_w1', 'v_w1', 't', 'new m_w1', 'new v_w1', 'm̂_w1', 'v̂_w1', 'new w1']) expect(names).toContain(n);
    expect(layout.velocityColumns!.map((c) => c.name)).toEqual([...layout.params.map((p) => `m_${p.name}`), ...layout.params.map((p) => `v_${p.name}`)]);
    expect(layout.nextVelocityColumns!.map((c) => c.name)).toEqual(layout.velocityColumns!.map((c) => `new ${c.name}`));
    expect(layout.column('new w1').formula!({ cell: (n) => n, data: () => '', dataColumn: () => '' })).toBe('w1-η*m̂_w1/(SQRT(v̂_w1)+ε)');
  });

  it('a spec file keeps SGD as {lr, momentum} and writes other kinds with every hyper-parameter; parsing it back is the same spec', () => {
    const sgd = small('mse', { lr: 0.1, momentum: 0.9 }, 'full');
    expect(toSpecJson(sgd).optimizer).toEqual({ lr: 0.1, momentum: 0.9 });
    const adam = small('mse', { kind: 'adam', lr: 0.01 }, 'full');
    expect(toSpecJson(adam).optimizer).toEqual({ kind: 'adam', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0 });
    for (const v of OPTIMIZER_VARIANTS) {
      const spec = small('bce', v, 'sample');
      expect(parseSpec(toSpecJson(spec))).toEqual(spec);
    }
  });

  it('refuses bad hyper-parameters and losses that do not fit the network, naming the field', () => {
    const bad = (o: Record<string, unknown>) => () => small('mse', o, 'full');
    expect(bad({ kind: 'adam', lr: 0.01, betas: [0.9, 1] })).toThrow(/optimizer\.betas\[1\]: must be from 0 up to \(not including\) 1, got 1/);
    expect(bad({ kind: 'adam', lr: 0.01, momentum: 0.9 })).toThrow(/optimizer\.momentum: unknown field \(allowed: kind, lr, betas, eps, weight_decay\)/);
    expect(bad({ kind: 'rmsprop', eps: 0 })).toThrow(/optimizer\.eps: must be greater than 0, got 0/);
    expect(bad({ lr: 0.1, nesterov: true })).toThrow(/optimizer\.nesterov: needs a momentum/);
    expect(bad({ kind: 'lion', lr: 0.1 })).toThrow(/optimizer\.kind: must be one of "sgd", "adagrad", "rmsprop", "adam", "adamw", got "lion"/);
    const raw = { name: 'x', model: { layers: [2, 1], activations: ['tanh'], loss: 'bce' }, data: { inputs: [[0, 1]], targets: [[1]] }, optimizer: { lr: 1 }, batch: 'full', epochs: 1 };
    expect(() => parseSpec(raw)).toThrow(/model\.activations\[0\]: must be "sigmoid" for loss "bce"/);
    expect(() => parseSpec({ ...raw, model: { ...raw.model, activations: ['identity'], loss: 'cross-entropy' } })).toThrow(/model\.layers: loss "cross-entropy" needs at least 2 outputs/);
    expect(() => parseSpec({ ...raw, model: { layers: [2, 2], activations: ['identity'], loss: 'cross-entropy' }, data: { inputs: [[0, 1]], targets: [[1, 1]] } }))
      .toThrow(/data\.targets\[0\]: must add up to 1 for loss "cross-entropy"/);
    expect(() => parseSpec({ ...raw, model: { layers: [2, 1], activations: ['sigmoid'], loss: 'bce' }, data: { inputs: [[0, 1]], targets: [[2]] } }))
      .toThrow(/data\.targets\[0\]\[0\]: must be from 0 to 1 for loss "bce"/);
  });
});

describe('the views of optimizer cells', () => {
  const spec = small('cross-entropy', { kind: 'adam', lr: 0.01 }, 'sample');
  const layout = buildLayout(spec);

  it('a state after epoch 0 was copied from the same state\'s last new value, and back', () => {
    const v = layout.column('v_w1');
    expect(copiedFrom(layout, v, 3)!.column.name).toBe('new v_w1[3]');
    expect(copiedTo(layout, layout.column('new m_w1[3]'), 2)!.column.name).toBe('m_w1');
    expect(copiedTo(layout, layout.column('new m_w1[2]'), 2)).toBeNull();
  });

  it('following w1 shows its moments, m̂, v̂, t and every setting', () => {
    const names = followColumns(layout, 0).map((c) => c.name);
    for (const n of ['η', 'β1', 'β2', 'ε', 'm_w1', 'v_w1', 't[1]', 'm̂_w1[1]', 'v̂_w1[3]', 'new v_w1[3]', 'new w1[3]']) expect(names).toContain(n);
    expect(names).not.toContain('m_w2');
  });

  it('every new column has a plain-language explanation and a message saying what to edit instead', () => {
    for (const c of layout.columns.filter((x) => ['hyper', 'optimizer', 'softmax', 'velocity', 'new-velocity'].includes(x.kind))) {
      expect(explainColumn(layout, c).length, c.name).toBeGreaterThan(40);
      if (!isEditableColumn(c)) expect(computedCellMessage(layout, c), c.name).toMatch(/edit .* instead/);
    }
    expect(explainColumn(layout, layout.column('m̂_w1[1]'))).toMatch(/bias-corrected/);
    expect(explainColumn(layout, layout.column('new w1[1]'))).toMatch(/^The new weight: Adam moves by η·m̂\/\(√v̂ \+ ε\)/);
    expect(explainColumn(layout, layout.column('lse[1]'))).toMatch(/log-sum-exp/);
    expect(isEditableColumn(layout.column('β1'))).toBe(true);
  });

  it('the chain-rule breakdown of a cross-entropy output delta is (p − t)/n, and of a bce one (a − t)/n', () => {
    const wb = buildWorkbook(layout, initialParams(spec), sampleOrder(spec));
    const value = (c: { index: number }) => wb.hf.getCellValue({ sheet: wb.train, row: layout.rowOf(0), col: c.index }) as number;
    const delta = layout.column('∂L/∂o1[1]');
    const b = breakdownOf(layout, delta, value)!;
    expect(b.value).toBe(value(delta));
    expect(value(delta)).toBe(value(layout.column('p_o1[1]')) - value(layout.column('t1[1]')));
    wb.hf.destroy();
  });
});

describe('lanes with another optimizer', () => {
  it('each learning rate trains Adam from the same start, as the reference does', () => {
    const spec = small('bce', { kind: 'adam', lr: 0.01 }, 'full');
    const lanes = trainLanes(spec, [0.01, 0.1]);
    for (const lane of lanes) {
      const ref = trainReference({ ...spec, optimizer: { ...spec.optimizer, lr: lane.lr } }, initialParams(spec), null).epochLoss;
      lane.losses.forEach((l, e) => expect(close(l, ref[e]), `η ${lane.lr}, epoch ${e}`).toBe(true));
      expect(lane.wb.layout.spec.optimizer.kind).toBe('adam');
      lane.wb.hf.destroy();
    }
    expect(lanes[0].losses[11]).not.toBe(lanes[1].losses[11]);
  });
});
