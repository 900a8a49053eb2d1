import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { classifyHeader, findHeader } from '../src/check/classic';
import type { WorkbookReport } from '../src/check/types';
import { checkWorkbookFileBytes } from '../src/check/workbook';
import { GOLDEN_GRADIENTS } from './support/checkGolden';
import { studentSheet, writeSheets, type Grid, type StudentOptions } from './support/studentSheets';
import { asWriter, type Writer } from './support/writerVariants';
import { tempPath } from './support/xlsxFiles';

/**
 * Each layout trait of real student workbooks, one synthetic workbook each: the network is found with no map, every
 * row passes, and the first row's gradients are the course's class values (END2 session 2).
 */

async function checked(sheets: Record<string, Grid | ReturnType<typeof studentSheet>>, writer?: Writer): Promise<WorkbookReport> {
  const path = tempPath('student.xlsx');
  await writeSheets(path, sheets);
  if (writer) await asWriter(path, writer);
  return checkWorkbookFileBytes(readFileSync(path), 'student.xlsx');
}

function expectClassValues(r: WorkbookReport, sheet = 'Backprop'): void {
  const s = r.sheets.find((x) => x.sheet === sheet)!;
  expect(s.verdict, s.message.join('\n') + s.wrongCells.map((w) => `${w.address} ${w.why}`).join('\n')).toBe('pass');
  const first = s.gradients.filter((g) => g.row === s.firstRow);
  expect(first.map((g) => g.weight)).toEqual(['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8']);
  first.forEach((g, i) => expect(Math.abs(g.claimed! / GOLDEN_GRADIENTS[i] - 1), g.weight).toBeLessThan(1e-9));
  expect(s.columns.filter((c) => c.kind === 'update')).toHaveLength(8);
}

const one = (o: StudentOptions) => ({ Backprop: studentSheet(o) });

describe('where the table is', () => {
  for (const headerRow of [1, 2, 10, 37, 64, 100]) {
    it(`header at row ${headerRow}`, async () => {
      const r = await checked(one({ headerRow }));
      expectClassValues(r);
      expect(r.sheets[0].headerRow).toBe(headerRow);
    });
  }

  it('a merged group-header row right above the header', async () => {
    const r = await checked(one({ headerRow: 20, groupHeader: true }));
    expectClassValues(r);
    expect(r.sheets[0].headerRow).toBe(20);
  });

  for (const shift of [1, 2, 3]) {
    it(`the table shifted right by ${shift} column(s)`, async () => expectClassValues(await checked(one({ headerRow: 12, shift }))));
  }

  it('an iteration counter in column A', async () => expectClassValues(await checked(one({ headerRow: 12, counter: true }))));

  it('a block of labelled cells above the table that the first row reads', async () => {
    const r = await checked(one({ headerRow: 12, block: true }));
    expectClassValues(r);
  });

  it('a summary table right under the last iteration, in the same columns, is not taken for iterations', async () => {
    const r = await checked(one({ headerRow: 8, summary: true, iterations: 9 }));
    expectClassValues(r);
    expect([r.sheets[0].firstRow, r.sheets[0].lastRow]).toEqual([9, 17]);
  });

  it('inputs before targets', async () => expectClassValues(await checked(one({ headerRow: 6, order: 'inputs-first' }))));
});

describe('column names and the learning rate', () => {
  it('recognises every spelling of the loss and the gradients, in any case', () => {
    for (const loss of ['E_total', 'E_tot', 'E Total', 'E_TOTAL', 'Etotal']) expect(classifyHeader(loss)?.role, loss).toBe('loss');
    for (const g of ['∂E/∂w1', '∂E∂W1', 'δE_tot/δw1', 'dE_total / dw1', 'Etotaldw1', 'Edw1', 'E∂w1', 'dw1', 'DE/DW1', 'EDW1']) {
      expect(classifyHeader(g), g).toEqual({ role: 'grad', key: 'w1', step: null });
    }
  });

  it('a bare dw1 or Δw1 column (the change of w1) yields to a ∂E/∂w1 column in the same header', () => {
    const sheet = { name: 'S', rows: [['w1', 'Δw1', '∂E/∂w1', 'dw2', 'w2', 'E_total'].map((value) => ({ value }))] };
    const { best } = findHeader(sheet);
    expect(best!.grads.get('|w1')).toBe(2);
    expect(best!.grads.get('|w2')).toBe(3);
  });

  const variants: [string, StudentOptions][] = [
    ['activations out_h1 … and loss E_TOTAL, gradients ∂E∂W1', { names: { a_h1: 'out_h1', a_h2: 'out_h2', a_o1: 'out_o1', a_o2: 'out_o2', E_total: 'E_TOTAL', ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`g${i}`, `∂E∂W${i}`])) } }],
    ['activations act_h1 …, loss Etotal, gradients Etotaldw1', { names: { a_h1: 'act_h1', a_h2: 'act_h2', a_o1: 'act_o1', a_o2: 'act_o2', E_total: 'Etotal', ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`g${i}`, `Etotaldw${i}`])) } }],
    ['loss E Total, gradients δE_tot/δw1', { names: { E_total: 'E Total', ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`g${i}`, `δE_tot/δw${i}`])) } }],
    ['loss E_tot, gradients dE_total / dw1', { names: { E_total: 'E_tot', ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`g${i}`, `dE_total / dw${i}`])) } }],
    ['gradients Edw1', { names: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`g${i}`, `Edw${i}`])) }],
    ['gradients E∂w1', { names: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`g${i}`, `E∂w${i}`])) }],
    ['gradients dw1', { names: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`g${i}`, `dw${i}`])) }],
  ];
  for (const [what, o] of variants) it(what, async () => expectClassValues(await checked(one({ headerRow: 7, ...o }))));

  const labels: [string, StudentOptions['lr']][] = [
    ['η =', { label: 'η =' }], ['eta', { label: 'eta' }], ['n = ', { label: 'n = ' }], ['α = ', { label: 'α = ' }], ['h', { label: 'h' }],
    ['LR', { label: 'LR' }], ['LR=', { label: 'LR=' }], ['learningRate=', { label: 'learningRate=' }], ['learning rate(theta)', { label: 'learning rate(theta)' }],
    ['Learning Rate above its cell', { label: 'Learning Rate', place: 'above' }], ['one empty cell away from its label', { label: 'η', place: 'gap' }],
    ['in a merged label', { label: 'learning rate', place: 'merged' }], ['a formula pointing at another cell', { label: 'lr', place: 'formula' }],
    ['ͷ (U+0377), referenced without $ but never copied past the first row', { label: 'ͷ', ref: 'absolute' }],
  ];
  for (const [what, lr] of labels) {
    it(`the learning rate labelled ${what}`, async () => {
      const r = await checked(one({ headerRow: 9, lr: { value: 0.5, ...lr } }));
      expectClassValues(r);
      const name = lr!.label!.trim().replace(/\s*[:=]$/, '');
      expect(r.sheets[0].found.join('\n')).toMatch(new RegExp(`learning rate: the cell ${name.replace(/[()]/g, '\\$&')} \\([A-Z]+\\d+\\) that w1's update E\\d+ reads = 0\\.5`));
    });
  }
});

describe('several networks, and sheets without one', () => {
  it('one sheet per learning rate, each checked and reported on its own', async () => {
    const rates = [0.1, 0.2, 0.5, 0.8, 1, 2];
    const r = await checked(Object.fromEntries(rates.map((lr) => [`LR_${lr}`, studentSheet({ headerRow: 5, lr: { value: lr } })])));
    expect(r.sheets.map((s) => [s.sheet, s.verdict])).toEqual(rates.map((lr) => [`LR_${lr}`, 'pass']));
    expect(r.verdict).toBe('pass');
  });

  it('a template sheet and the student\'s own, a sheet of pasted numbers and an empty (chart-only) sheet', async () => {
    const numbers = studentSheet({ headerRow: 5 }).grid.map((row) => row.map((v) => (typeof v === 'string' && v.startsWith('=') ? 0.25 : v)));
    const r = await checked({
      Template: studentSheet({ headerRow: 30 }),
      Pasted: numbers,
      Mine: studentSheet({ headerRow: 40, formulas: { g5: '({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{a_h2}' } }),
      Chart: [],
    });
    expect(r.sheets.map((s) => [s.sheet, s.verdict])).toEqual([['Template', 'pass'], ['Pasted', 'numbers-only'], ['Mine', 'fail'], ['Chart', 'numbers-only']]);
    expect(r.sheets[1].message[0]).toContain('numbers only, no formulas: nothing to differentiate');
    expect(r.sheets[1].gradients).toEqual([]);
    expect(r.sheets[3].message[0]).toContain('no cells (a chart or an empty sheet)');
    expect(r.verdict).toBe('fail');
  });

  it('two tables one under the other on one sheet: each checked and reported on its own', async () => {
    const a = studentSheet({ headerRow: 5, iterations: 6 });
    const b = studentSheet({ headerRow: 20, iterations: 5, lr: { value: 1 }, formulas: { g3: '(({a_o1}-{t1})*{a_o1}*(1-{a_o1})*{w6}+({a_o2}-{t2})*{a_o2}*(1-{a_o2})*{w8})*{a_h1}*(1-{a_h1})*{i1}' } });
    const grid = [...a.grid, ...b.grid.slice(a.grid.length)];
    const r = await checked({ Rates: grid });
    expect(r.sheets.map((s) => [s.sheet, s.table ?? 1, s.headerRow, s.verdict])).toEqual([['Rates', 1, 5, 'pass'], ['Rates', 2, 20, 'fail']]);
    expect(r.sheets[1].columns.filter((c) => c.status === 'fail').map((c) => c.letter)).toEqual(['Z']);
    expect(r.sheets[1].found.join('\n')).toContain('= 1');
  });

  it('a second table beside the first is not checked, and the report says so', async () => {
    const a = studentSheet({ headerRow: 5 });
    const b = studentSheet({ headerRow: 5, shift: 40 });
    const grid = a.grid.map((row, r) => [...row, ...Array(Math.max(0, 40 - row.length)).fill(null), ...(b.grid[r] ?? []).slice(40)]);
    const r = await checked({ Both: grid });
    expect(r.sheets[0].verdict).toBe('pass');
    expect(r.sheets[0].notes.join('\n')).toContain('header row 5 names w1 again in column AS: a table there, beside the first, is not checked');
  });

  it('a sheet with formulas but no recognisable table is unsupported, saying what was found and what is missing', async () => {
    const grid: Grid = [['w1', 'w2', 'x', 'y'], [0.1, 0.2, 1, '=A2*C2+B2*C2']];
    const r = await checked({ Odd: grid });
    expect(r.verdict).toBe('unsupported');
    const msg = r.sheets[0].message.join('\n');
    expect(msg).toContain('best header row 1: weights: w1, w2; loss: none; gradients: none');
    expect(msg).toContain('no loss column');
    expect(msg).toContain('no gradient columns');
  });
});

describe('files of other spreadsheet programs', () => {
  for (const writer of ['google', 'libreoffice', 'hancom'] as const) {
    it(`${writer}`, async () => {
      const r = await checked(one({ headerRow: 21, iterations: 8 }), writer);
      expectClassValues(r);
      if (writer === 'hancom') expect(r.notes.join('\n')).toContain('read from the XML directly');
    });
  }

  it('a Hancom file with shared formulas is read from the XML with the shared formulas translated to each cell', async () => {
    const path = tempPath('shared.xlsx');
    const { writeClassicSheet } = await import('./support/handmadeSheets');
    await writeClassicSheet(path, { iterations: 6 });
    const xml = await (await JSZip.loadAsync(readFileSync(path))).file('xl/worksheets/sheet1.xml')!.async('string');
    expect(xml).toMatch(/<f t="shared"[^>]*ref="X5:X10"/);
    await asWriter(path, 'hancom');
    await expect(new ExcelJS.Workbook().xlsx.load(readFileSync(path) as unknown as ArrayBuffer)).rejects.toThrow();
    const r = await checkWorkbookFileBytes(readFileSync(path), 'shared.xlsx');
    expectClassValues(r);
    expect(r.sheets[0].columns.every((c) => c.rowsChecked >= 5)).toBe(true);
  });

  it('bad input gets a message naming what was wrong, never a JavaScript error', async () => {
    const cases: [string, Uint8Array][] = [['text', new TextEncoder().encode('not a zip')]];
    const zip = new JSZip();
    zip.file('hello.txt', 'hi');
    cases.push(['zip without a workbook', await zip.generateAsync({ type: 'uint8array' })]);
    const broken = await JSZip.loadAsync(await (async () => {
      const p = tempPath('b.xlsx');
      await writeSheets(p, one({}));
      return readFileSync(p);
    })());
    broken.file('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row><c r="A1"');
    cases.push(['a sheet part that is not XML', await broken.generateAsync({ type: 'uint8array' })]);
    const messages: string[] = [];
    for (const [, bytes] of cases) {
      const r = await checkWorkbookFileBytes(bytes, 'x.xlsx');
      expect(r.verdict).toBe('unreadable');
      messages.push(r.error!);
    }
    expect(messages[0]).toBe('not an XLSX file: it is not a zip archive; give the workbook saved as .xlsx from a spreadsheet');
    expect(messages[1]).toBe('not a readable XLSX file: xl/workbook.xml: missing from the file');
    expect(messages[2]).toMatch(/^xl\/worksheets\/sheet1\.xml is not well-formed XML/);
    for (const m of messages) expect(m).not.toMatch(/Cannot read properties|undefined|TypeError/);
  });
});
