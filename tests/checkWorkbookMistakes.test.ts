import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SheetReport } from '../src/check/types';
import { checkWorkbookFileBytes } from '../src/check/workbook';
import { CLASS } from './support/handmadeSheets';
import { FORMULAS, studentSheet, writeSheets, type StudentOptions } from './support/studentSheets';
import { tempPath } from './support/xlsxFiles';

/**
 * Each mistake real students make, planted in a synthetic workbook: exactly the wrong cells are named, with the
 * words a student needs. Expected numbers come from the forward pass computed here by hand (below), not from the
 * checker.
 */

const sigma = (x: number) => 1 / (1 + Math.exp(-x));

/** The first row of the class network, by hand: activations and the right gradients (END2 session 2). */
function byHand(t1: number, t2: number) {
  const [w1, w2, w3, w4, w5, w6, w7, w8] = CLASS.w;
  const { i1, i2 } = CLASS;
  const ah1 = sigma(w1 * i1 + w2 * i2), ah2 = sigma(w3 * i1 + w4 * i2);
  const ao1 = sigma(w5 * ah1 + w6 * ah2), ao2 = sigma(w7 * ah1 + w8 * ah2);
  const d1 = (ao1 - t1) * ao1 * (1 - ao1), d2 = (ao2 - t2) * ao2 * (1 - ao2);
  const g = [
    (d1 * w5 + d2 * w7) * ah1 * (1 - ah1) * i1, (d1 * w5 + d2 * w7) * ah1 * (1 - ah1) * i2,
    (d1 * w6 + d2 * w8) * ah2 * (1 - ah2) * i1, (d1 * w6 + d2 * w8) * ah2 * (1 - ah2) * i2,
    d1 * ah1, d1 * ah2, d2 * ah1, d2 * ah2,
  ];
  return { ah1, ah2, ao1, ao2, d1, d2, g };
}

async function sheetOf(o: StudentOptions): Promise<{ s: SheetReport; rows: number[] }> {
  const path = tempPath('mistake.xlsx');
  const sheet = studentSheet({ headerRow: 10, iterations: 8, ...o });
  await writeSheets(path, { Backprop: sheet });
  const r = await checkWorkbookFileBytes(readFileSync(path), 'mistake.xlsx');
  return { s: r.sheets[0], rows: Array.from({ length: sheet.lastRow - sheet.firstRow + 1 }, (_, i) => sheet.firstRow + i) };
}

const wrongCells = (s: SheetReport) => [...new Set(s.wrongCells.map((w) => w.address))].sort();
const column = (letter: string, rows: number[]) => rows.map((r) => `${letter}${r}`);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
// Columns of the course's layout (targets first, header row 10, first iteration row 11).
const L = { w3: 'G', w4: 'H', h1: 'I', E2: 'V', g1: 'X', g3: 'Z', g4: 'AA', g7: 'AD' };

describe('mistakes students make are named, and nothing else', () => {
  it('a gradient reading the wrong hidden activation: 2.6e-4 relative, invisible in the loss, fails in every row', async () => {
    const h = byHand(0.5, 0.5);
    const { s, rows } = await sheetOf({ t: [0.5, 0.5], formulas: { g3: FORMULAS.g3.replace(/a_h2/g, 'a_h1') } });
    expect(wrongCells(s)).toEqual(column(L.g3, rows).sort());
    const z = s.gradients.find((g) => g.gradientAddress === 'Z11')!;
    const claimed = (h.d1 * CLASS.w[5] + h.d2 * CLASS.w[7]) * h.ah1 * (1 - h.ah1) * CLASS.i1;
    expect(rel(z.claimed!, claimed)).toBeLessThan(1e-12);
    expect(rel(z.numeric!, h.g[2])).toBeLessThan(1e-7);
    expect(rel(claimed, h.g[2])).toBeGreaterThan(2.5e-4);
    expect(rel(claimed, h.g[2])).toBeLessThan(2.7e-4);
    expect(z.status).toBe('fail');
    expect(z.hints).toContain('reads a_h1 where the chain rule for w3 needs a_h2 (w3 does not affect a_h1)');
    expect(s.fixes.map((f) => `${f.address} =${f.formula}`)).toEqual(['Z11 =((R11-A11)*R11*(1-R11)*N11+(T11-B11)*T11*(1-T11)*P11)*L11*(1-L11)*C11']);
  });

  it('swapped output weights in a hidden gradient (w6 for w7)', async () => {
    const { s, rows } = await sheetOf({ formulas: { g1: FORMULAS.g1.replace('{w7}', '{w6}') } });
    expect(wrongCells(s)).toEqual(column(L.g1, rows).sort());
    expect(s.fixes[0]).toMatchObject({ address: 'X11', formula: '((R11-A11)*R11*(1-R11)*M11+(T11-B11)*T11*(1-T11)*O11)*J11*(1-J11)*C11' });
  });

  it('missing parentheses: the chain-rule factor multiplies only the second term', async () => {
    const bad = '({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{w6}+({a_o2}-{t2})*{a_o2}*(1-{a_o2})*{w8}*{a_h2}*(1-{a_h2})*{i2}';
    const { s, rows } = await sheetOf({ formulas: { g4: bad } });
    expect(wrongCells(s)).toEqual(column(L.g4, rows).sort());
    const h = byHand(CLASS.t1, CLASS.t2);
    const aa = s.gradients.find((g) => g.gradientAddress === 'AA11')!;
    expect(rel(aa.claimed!, h.d1 * CLASS.w[5] + h.d2 * CLASS.w[7] * h.ah2 * (1 - h.ah2) * CLASS.i2)).toBeLessThan(1e-12);
    expect(rel(aa.numeric!, h.g[3])).toBeLessThan(1e-7);
  });

  it('(a_o1*t1) for (a_o1-t1)', async () => {
    const { s, rows } = await sheetOf({ formulas: { g1: FORMULAS.g1.replace('({a_o1}-{t1})', '({a_o1}*{t1})') } });
    expect(wrongCells(s)).toEqual(column(L.g1, rows).sort());
  });

  it('a learning-rate reference without $ slides down the column: named as such, the updates fail from there', async () => {
    const { s, rows } = await sheetOf({ lr: { ref: 'sliding' } });
    // η in B8; the first update (row 12) reads B8, row 13 reads B9 …
    expect(s.findings).toContain('the learning rate η B8 becomes B9 in row 13: the reference is not anchored with $ (write $B$8); it slides in the updates of every weight');
    const updates = s.wrongCells.filter((w) => w.kind === 'update');
    expect(new Set(updates.map((w) => w.row))).toEqual(new Set(rows.slice(2)));
    expect(s.wrongCells.filter((w) => w.kind !== 'update')).toEqual([]);
    expect(s.columns.filter((c) => c.kind === 'gradient').every((c) => c.status === 'pass')).toBe(true);
  });

  it('the sliding learning rate is named too when the first row reads its weights from a block above', async () => {
    const { s } = await sheetOf({ block: true, lr: { ref: 'sliding' } });
    expect(s.findings.join('\n')).toContain('the learning rate η B8 becomes B9 in row 13: the reference is not anchored with $ (write $B$8)');
  });

  it('a mixed reference ($G) that slides into another weight\'s column: w4\'s update starts from w3', async () => {
    const { s, rows } = await sheetOf({ update: { w4: '{$w3@prev}-{lr}*{g4@prev}' } });
    expect(wrongCells(s)).toEqual(column(L.w4, rows.slice(1)).sort());
    const w = s.wrongCells.find((x) => x.address === 'H12')!;
    expect(w.why).toContain('the update starts from w3 (G11) instead of w4 (H11)');
  });

  it('rows where a formula was overwritten by another column\'s formula: those cells are named, with their row', async () => {
    const { s } = await sheetOf({
      edits: [
        { iteration: 3, column: 'h1', formula: '{w2@prev}-{lr}*{g2@prev}' },
        { iteration: 3, column: 'w3', formula: '{w2@prev}-{lr}*{g2@prev}' },
        { iteration: 5, column: 'g7', formula: FORMULAS.g5 },
        { iteration: 5, column: 'E2', formula: '0.5*({t1}-{a_o1})^2' },
      ],
    });
    expect(wrongCells(s)).toEqual(['AD16', 'G14', 'I14', 'V16']);
    expect(s.wrongCells.find((w) => w.address === 'I14')!.why).toContain('differs from its column\'s formula =E14*C14+F14*D14');
    expect(s.columns.find((c) => c.kind === 'gradient' && c.weight === 'w7')).toMatchObject({ failingRows: [16], numericRows: [11, 16] });
    expect(s.wrongCells.find((w) => w.address === 'G14')!.why).toContain('the cell holds the update of w2');
  });

  it('targets that drift (0.989999999999999) are noted, and every row still passes', async () => {
    const { s } = await sheetOf({ driftFrom: 4 });
    expect(s.verdict).toBe('pass');
    expect(s.findings.join('\n')).toContain('t2 drifts: B15 holds 0.989999999999999 where row 11 holds 0.99');
  });
});

describe('tolerances that fit real numbers', () => {
  it('cancellation: outputs 1e-11 from their targets (gradients near 1e-12, differences near 1e-17) pass', async () => {
    const h = byHand(0, 0);
    const t1 = h.ao1 + 1e-11, t2 = h.ao2 + 1e-11;
    const { s } = await sheetOf({ t: [t1, t2] });
    expect(s.verdict, s.wrongCells.map((w) => `${w.address} ${w.why}`).join('\n')).toBe('pass');
    const ad = s.gradients.find((g) => g.gradientAddress === 'AD11')!;
    expect(Math.abs(ad.claimed!)).toBeLessThan(1e-11);
    expect(Math.abs(ad.claimed! - ad.numeric!)).toBeLessThan(1e-14);
  });

  it('a 2.6e-4 relative error fails however small the loss (a_h1 for a_h2, t = 0.5)', async () => {
    const { s } = await sheetOf({ t: [0.5, 0.5], formulas: { g4: FORMULAS.g4.replace(/a_h2/g, 'a_h1') } });
    const aa = s.gradients.find((g) => g.gradientAddress === 'AA11')!;
    expect(aa.relError!).toBeGreaterThan(2.5e-4);
    expect(aa.status).toBe('fail');
  });
});

describe('--fix on an Excel file with shared formulas', () => {
  it('replaces the failing column down the table (the shared group included) and the copy re-checks clean', async () => {
    const { writeClassicSheet, CLASSIC_FORMULAS } = await import('./support/handmadeSheets');
    const { fixedWorkbookBytes } = await import('../src/check/fixFile');
    const JSZip = (await import('jszip')).default;
    const path = tempPath('shared-bug.xlsx');
    await writeClassicSheet(path, { iterations: 6, formulas: { '∂E/∂w3': CLASSIC_FORMULAS['∂E/∂w3'].replace(/a_h2/g, 'a_h1') } });
    const before = await checkWorkbookFileBytes(readFileSync(path), 'shared-bug.xlsx');
    const s = before.sheets[0];
    expect(wrongCells(s)).toEqual(column('Z', [5, 6, 7, 8, 9, 10]).sort());
    expect(s.fixes).toEqual([{ weight: 'w3', column: '∂E/∂w3', address: 'Z5', formula: '((R5-C5)*R5*(1-R5)*N5+(T5-D5)*T5*(1-T5)*P5)*L5*(1-L5)*A5', rows: [5, 6, 7, 8, 9, 10] }]);
    const fixed = await fixedWorkbookBytes(readFileSync(path), s.fixes.map((f) => ({ sheet: s.sheet, ...f })));
    const xml = await (await JSZip.loadAsync(fixed)).file('xl/worksheets/sheet1.xml')!.async('string');
    expect(xml).toContain('<c r="Z7"><f>((R7-C7)*R7*(1-R7)*N7+(T7-D7)*T7*(1-T7)*P7)*L7*(1-L7)*A7</f></c>');
    expect(xml).toMatch(/<f t="shared"[^>]*ref="X5:X10"/); // the other columns' shared groups are untouched
    const after = await checkWorkbookFileBytes(fixed, 'fixed.xlsx');
    expect(after.verdict).toBe('pass');
    expect(after.sheets[0].columns.find((c) => c.weight === 'w3' && c.kind === 'gradient')!.rowsChecked).toBe(6);
  });
});
