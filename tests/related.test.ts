import { describe, expect, it } from 'vitest';
import { buildLayout } from '../src/layout/layout';
import { copiedFrom, copiedTo, followColumns, paramCells } from '../src/layout/related';
import { loadPreset } from '../src/spec/presets';
import { parseLocation } from '../src/web/refs';

/** The cells that belong to a weight, where the driver's copies come from, the follow view and the Name Box. */

const xor = buildLayout(loadPreset('end2-xor-44'));
const classic = buildLayout(loadPreset('end2-backprop-2-2-2'));
const names = (cols: { name: string }[]) => cols.map((c) => c.name);

describe('a weight and its cells', () => {
  it('w1_1_1 of end2-xor-44 has four gradients, velocities and new weights (one per single-sample step)', () => {
    const own = paramCells(xor, xor.column('∂L/∂w1_1_1[3]'))!;
    expect(own.weight.name).toBe('w1_1_1');
    expect(own.velocity!.name).toBe('v_w1_1_1');
    expect(names(own.grads)).toEqual([1, 2, 3, 4].map((k) => `∂L/∂w1_1_1[${k}]`));
    expect(names(own.newVelocities)).toEqual([1, 2, 3, 4].map((k) => `new v_w1_1_1[${k}]`));
    expect(names(own.newWeights)).toEqual([1, 2, 3, 4].map((k) => `new w1_1_1[${k}]`));
    expect(paramCells(xor, xor.column('a_h1_1[1]'))).toBeNull();
  });

  it('a weight after epoch 0 was copied from the last new weight of the epoch before, and that cell is copied into it', () => {
    expect(copiedFrom(xor, xor.column('w1_1_1'), 0)).toBeNull();
    const from = copiedFrom(xor, xor.column('w1_1_1'), 1000)!;
    expect([from.epoch, from.column.name]).toEqual([999, 'new w1_1_1[4]']);
    const v = copiedFrom(xor, xor.column('v_w1_1_1'), 5)!;
    expect([v.epoch, v.column.name]).toEqual([4, 'new v_w1_1_1[4]']);
    const to = copiedTo(xor, xor.column('new w1_1_1[4]'), 999)!;
    expect([to.epoch, to.column.name]).toEqual([1000, 'w1_1_1']);
    expect(copiedTo(xor, xor.column('new w1_1_1[3]'), 999)).toBeNull();
    expect(copiedTo(xor, xor.column('new w1_1_1[4]'), 2000)).toBeNull(); // the last epoch is copied nowhere
    const w5 = copiedFrom(classic, classic.column('w5'), 3)!;
    expect([w5.epoch, w5.column.name]).toEqual([2, 'new w5']);
  });
});

describe('follow a weight', () => {
  it('w1_1_1: its own chain per step, the weight and its first gradient within the first dozen columns', () => {
    const view = names(followColumns(xor, 0));
    expect(view.slice(0, 5)).toEqual(['epoch', 'η', 'μ', 'w1_1_1', 'v_w1_1_1']);
    expect(view.slice(5, 14)).toEqual(['sample[1]', 'i1[1]', 'h1_1[1]', 'a_h1_1[1]', 'L[1]', '∂L/∂h1_1[1]', '∂L/∂w1_1_1[1]', 'new v_w1_1_1[1]', 'new w1_1_1[1]']);
    expect(view).toContain('∂L/∂w1_1_1[4]');
    expect(view[view.length - 1]).toBe('L̄');
    // Nothing of other units: no h1_2, no other weight's gradient.
    expect(view.some((n) => n.includes('h1_2') || n.includes('w1_1_2'))).toBe(false);
    expect(view.length).toBe(5 + 4 * 9 + 1);
  });

  it('w6 of the 2-2-2 sheet (a_h2 → o1): a_h2, o1, a_o1, the loss, its delta, gradient and new weight', () => {
    const w6 = classic.params.findIndex((p) => p.name === 'w6');
    expect(names(followColumns(classic, w6))).toEqual(['epoch', 'η', 'w6', 'a_h2', 'o1', 'a_o1', 'E_total', '∂E/∂o1', '∂E/∂w6', 'new w6']);
  });
});

describe('the Name Box', () => {
  const col = (name: string) => classic.column(name);
  it('takes a name, a name with an epoch, an address with or without the sheet', () => {
    expect(parseLocation('epoch 1000, ∂E/∂w5', { ...classic, spec: { ...classic.spec, epochs: 2000 } }, 0)).toMatchObject({ epoch: 1000, column: col('∂E/∂w5') });
    expect(parseLocation('w5', classic, 7)).toMatchObject({ epoch: 7, column: col('w5') });
    expect(parseLocation('W5', classic, 7)).toMatchObject({ epoch: 7, column: col('w5') });
    // Row 2 is epoch 0 (row 1 the header).
    expect(parseLocation(`Train!${col('w5').letter}12`, classic, 0)).toMatchObject({ epoch: 10, column: col('w5') });
    expect(parseLocation(`$${col('w5').letter}$2`, classic, 3)).toMatchObject({ epoch: 0, column: col('w5') });
    // A name without its step suffix: the first step's column.
    expect(parseLocation('epoch 3, ∂L/∂w1_1_1', xor, 0)).toMatchObject({ epoch: 3, column: xor.column('∂L/∂w1_1_1[1]') });
    // The epoch's loss by its name (sample mode).
    expect(parseLocation('L̄', xor, 0).column).toBe(xor.epochLossColumn);
  });

  it('says what is wrong', () => {
    expect(() => parseLocation('epoch 99, w5', classic, 0)).toThrow(/epoch 99 does not exist: the sheet has epochs 0 to 50/);
    expect(() => parseLocation('epoch 1, w99', classic, 0)).toThrow(/no column named "w99"/);
    expect(() => parseLocation('Train!A1', classic, 0)).toThrow(/row 1 is the header; epoch 0 is row 2/);
    expect(() => parseLocation('ZZZ5', classic, 0)).toThrow(/past the sheet's last column/);
    expect(() => parseLocation('Data!B2', classic, 0)).toThrow(/"Data" is not a sheet here/);
    expect(() => parseLocation('  ', classic, 0)).toThrow(/type a name/);
    expect(() => parseLocation('w 99', classic, 0)).toThrow(/"w 99" is not a name/);
  });
});
