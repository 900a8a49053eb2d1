import { HyperFormula, type ExportedCellChange } from 'hyperformula';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../package.json';
import { runEpochs } from '../src/driver/driver';
import { buildLayout } from '../src/layout/layout';
import { loadPreset, PRESET_NAMES } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import { Session } from '../src/web/session';
import { applyHyperFormulaPatches, hyperFormulaPatchActive, PATCHED_VERSION, patchStats, setHyperFormulaPatches, withoutChangeRecords } from '../src/workbook/hfPatches';
import { buildWorkbook, HF_CONFIG } from '../src/workbook/workbook';

/**
 * The HyperFormula patches (src/workbook/hfPatches.ts) change how fast the engine gets to each value, never the
 * value: every cell of every row of every preset, trained by the patched engine, is the same float64 bit for bit as
 * the unpatched engine's, and the same holds after an edit re-runs the later epochs.
 */

/** Every cell of the Train sheet as float64 bits, with the non-numbers (errors, text) beside them. */
function cells(hf: HyperFormula, sheet: number) {
  const rows = hf.getSheetValues(sheet);
  const width = Math.max(...rows.map((r) => r.length));
  const numbers = new Float64Array(rows.length * width);
  const other: string[] = [];
  rows.forEach((row, r) => row.forEach((v, c) => {
    if (typeof v === 'number') numbers[r * width + c] = v;
    else other.push(`${r},${c}: ${JSON.stringify(v)}`);
  }));
  return { rows: rows.length, width, bits: new BigUint64Array(numbers.buffer), other };
}

function expectSameBits(patched: ReturnType<typeof cells>, unpatched: ReturnType<typeof cells>, what: string) {
  expect(patched.rows, `${what}: rows`).toBe(unpatched.rows);
  expect(patched.width, `${what}: columns`).toBe(unpatched.width);
  expect(patched.other, `${what}: cells that are not numbers`).toEqual(unpatched.other);
  let differing = 0;
  let first = '';
  for (let i = 0; i < unpatched.bits.length; i++) {
    if (patched.bits[i] !== unpatched.bits[i]) {
      if (differing++ === 0) first = `row ${Math.floor(i / unpatched.width)}, column ${i % unpatched.width}`;
    }
  }
  expect(differing, `${what}: cells whose float64 differs (first: ${first})`).toBe(0);
}

function trainPreset(name: string) {
  const spec = loadPreset(name);
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  const out = cells(wb.hf, wb.train);
  wb.hf.destroy();
  return out;
}

afterEach(() => setHyperFormulaPatches(true));

describe('HyperFormula patches', () => {
  it(`are written for HyperFormula ${PATCHED_VERSION}, the version installed and pinned in package.json`, () => {
    const message = `src/workbook/hfPatches.ts patches HyperFormula ${PATCHED_VERSION}'s internals, but ${HyperFormula.version} is installed: ` +
      'check each patch against the new version\'s source, then update PATCHED_VERSION and the pin in package.json';
    expect(HyperFormula.version, message).toBe(PATCHED_VERSION);
    expect(packageJson.dependencies.hyperformula, 'package.json pins the exact version the patches are written for').toBe(PATCHED_VERSION);
    applyHyperFormulaPatches();
    for (const name of ['sharedTrees', 'rowTemplates', 'linearSort', 'noChangeRecords'] as const) expect(hyperFormulaPatchActive(name), name).toBe(true);
  });

  for (const preset of PRESET_NAMES) {
    it(`give every cell of every row of ${preset} the same float64 as the unpatched engine`, () => {
      setHyperFormulaPatches(false);
      const before = { ...patchStats };
      const unpatched = trainPreset(preset);
      expect(patchStats, 'the unpatched run takes no fast path').toEqual(before);
      setHyperFormulaPatches(true);
      const patched = trainPreset(preset);
      // The patched run did take the fast paths: a template parse for the formulas of every row after the first
      // template row, and a linear sort for every appended row.
      const spec = loadPreset(preset);
      expect(patchStats.templateParses - before.templateParses).toBeGreaterThan(spec.epochs);
      expect(patchStats.linearSorts - before.linearSorts).toBeGreaterThanOrEqual(spec.epochs - 1);
      expectSameBits(patched, unpatched, preset);
    }, 120_000);
  }

  it('give the same cells after an edit at epoch 0 re-runs the later epochs, and after its undo', async () => {
    const run = async () => {
      const s = Session.fromSettings({ preset: 'end2-xor-9', epochs: 201 });
      await s.train();
      await s.edit(0, s.layout.column(s.layout.weightColumns[2].name), 0.25);
      const edited = cells(s.wb.hf, s.wb.train);
      await s.edit(0, s.layout.lrColumn, '=0.5*0.4');
      const lr = cells(s.wb.hf, s.wb.train);
      await s.undo();
      const undone = cells(s.wb.hf, s.wb.train);
      s.wb.hf.destroy();
      return { edited, lr, undone };
    };
    setHyperFormulaPatches(false);
    const unpatched = await run();
    setHyperFormulaPatches(true);
    const patched = await run();
    expectSameBits(patched.edited, unpatched.edited, 'after the weight edit');
    expectSameBits(patched.lr, unpatched.lr, 'after the η formula');
    expectSameBits(patched.undone, unpatched.undone, 'after the undo');
  });

  it('fall back to the engine\'s own sort for formulas entered before the cells they read, and for cycles', () => {
    const run = () => {
      const hf = HyperFormula.buildEmpty({ ...HF_CONFIG });
      const sheet = hf.getSheetId(hf.addSheet('s'))!;
      // A1 reads B1 and C1, entered after it: their edges point to a lower node id.
      hf.setCellContents({ sheet, row: 0, col: 0 }, '=B1*C1+1');
      hf.setCellContents({ sheet, row: 0, col: 1 }, '=C1/3');
      hf.setCellContents({ sheet, row: 0, col: 2 }, 2);
      hf.setCellContents({ sheet, row: 0, col: 2 }, 7);
      // A cycle: D1 and E1 read each other.
      hf.setCellContents({ sheet, row: 0, col: 3 }, '=E1+1');
      hf.setCellContents({ sheet, row: 0, col: 4 }, '=D1+1');
      const values = hf.getSheetValues(sheet);
      hf.destroy();
      return values;
    };
    setHyperFormulaPatches(false);
    const unpatched = run();
    setHyperFormulaPatches(true);
    const tarjan = patchStats.tarjanSorts;
    const patched = run();
    expect(patchStats.tarjanSorts).toBeGreaterThan(tarjan);
    expect(patched).toEqual(unpatched);
    expect(patched[0].slice(0, 3)).toEqual([7 / 3 * 7 + 1, 7 / 3, 7]);
    expect((patched[0][3] as { value: string }).value).toBe('#CYCLE!');
  });

  it('record the changes as before when something listens for them, and outside the driver\'s writes', () => {
    applyHyperFormulaPatches();
    const hf = HyperFormula.buildFromArray([[1, '=A1*2', '=B1+1']], { ...HF_CONFIG });
    const set = (v: number) => hf.setCellContents({ sheet: 0, row: 0, col: 0 }, v).map((c) => [(c as ExportedCellChange).address.col, (c as ExportedCellChange).newValue]);
    expect(set(2)).toEqual([[0, 2], [1, 4], [2, 5]]);
    expect(withoutChangeRecords(hf, () => set(3))).toEqual([[0, 3]]);
    expect(hf.getSheetValues(0)).toEqual([[3, 6, 7]]);
    const heard: number[] = [];
    hf.on('valuesUpdated', (changes) => heard.push(changes.length));
    expect(withoutChangeRecords(hf, () => set(4))).toEqual([[0, 4], [1, 8], [2, 9]]);
    expect(heard).toEqual([3]);
    hf.destroy();
  });
});
