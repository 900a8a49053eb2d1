import { describe, expect, it } from 'vitest';
import { DivergenceError } from '../src/driver/driver';
import { parseSpec } from '../src/spec/validate';
import { EditRefused } from '../src/web/editRules';
import { Session, type SessionEvent } from '../src/web/session';

/**
 * Issue 7, cell edits and divergence, in the session (no DOM): every kind of bad input is refused with a message
 * and leaves the workbook exactly as it was; a formula that evaluates to a finite number is accepted; the cells the
 * user set can be replayed onto a fresh sheet; a run that blows up stops at its epoch and keeps the rows before it.
 */

const PRESET = 'end2-backprop-2-2-2';

async function trained(epochs = 51, lr?: number): Promise<Session> {
  const s = Session.fromSettings({ preset: PRESET, epochs, ...(lr === undefined ? {} : { lr }) });
  await s.train();
  return s;
}

/** Every cell of the Train sheet: contents (numbers and formulas) and values. */
function snapshot(s: Session) {
  const { hf, train } = s.wb;
  return { serialized: hf.getSheetSerialized(train), values: hf.getSheetValues(train), rows: s.rows };
}

/** The A1 address of a column at an epoch. */
function a1(s: Session, name: string, epoch: number): string {
  return `${s.layout.column(name).letter}${s.layout.rowOf(epoch) + 1}`;
}

async function refused(s: Session, epoch: number, column: string, value: number | string): Promise<string> {
  const before = snapshot(s);
  const history = s.canUndo;
  const err = await s.edit(epoch, s.layout.column(column), value).then(() => null, (e: Error) => e);
  expect(err, `${column} = ${JSON.stringify(value)} is refused`).toBeInstanceOf(EditRefused);
  expect(snapshot(s), `the workbook after ${column} = ${JSON.stringify(value)}`).toEqual(before);
  expect(s.canUndo).toBe(history);
  expect(s.overrides()).toEqual([]);
  return err!.message;
}

describe('edits: bad input is refused with a message and changes nothing', () => {
  it('text, error values, NaN, Infinity, empty, a decimal comma, a non-number', async () => {
    const s = await trained();
    expect(await refused(s, 10, 'w5', 'abc')).toBe('w5 needs a number or a formula (=…); "abc" is text');
    expect(await refused(s, 10, 'w5', '#REF!')).toBe('w5 needs a number; "#REF!" is a spreadsheet error, not a number');
    expect(await refused(s, 10, 'w5', '#DIV/0!')).toMatch(/"#DIV\/0!" is a spreadsheet error/);
    expect(await refused(s, 10, 'w5', Number.NaN)).toBe('w5 needs a finite number; NaN is not one');
    expect(await refused(s, 10, 'w5', 'NaN')).toBe('w5 needs a finite number; NaN is not one');
    expect(await refused(s, 10, 'w5', Number.POSITIVE_INFINITY)).toBe('w5 needs a finite number; Infinity is not one');
    expect(await refused(s, 10, 'η', '-Infinity')).toBe('η needs a finite number; -Infinity is not one');
    expect(await refused(s, 10, 'w5', '1e999')).toBe('w5 needs a finite number; "1e999" is too large');
    expect(await refused(s, 10, 'w5', '')).toBe('w5 cannot be empty: type a number');
    expect(await refused(s, 10, 'w5', '   ')).toBe('w5 cannot be empty: type a number');
    expect(await refused(s, 10, 'w5', '0,5')).toBe('w5 needs a number; "0,5" is text: write decimals with a point, 0.5');
    expect(await refused(s, 10, 'w5', '12abc')).toBe('w5 needs a number or a formula (=…); "12abc" is text');
    expect(await refused(s, 10, 'w5', null as unknown as number)).toBe('w5 needs a number, got nothing');
  });

  it('formulas that give an error, text, several values or a new value at every recalculation', async () => {
    const s = await trained();
    expect(await refused(s, 10, 'w5', '=1/0')).toBe('"=1/0" gives #DIV/0!, not a number; w5 keeps its value');
    expect(await refused(s, 10, 'w5', '=EXP(1000)')).toBe('"=EXP(1000)" gives #NUM! (NaN or infinite value encountered.), not a number; w5 keeps its value');
    expect(await refused(s, 10, 'w5', '=#REF!')).toMatch(/^"=#REF!" (gives #REF!|is not a formula)/);
    expect(await refused(s, 10, 'w5', '=NoSheet!A1')).toMatch(/^"=NoSheet!A1" gives #REF!/);
    expect(await refused(s, 10, 'w5', '="abc"')).toBe('"="abc"" gives the text "abc", not a number; w5 keeps its value');
    expect(await refused(s, 10, 'w5', '=1+')).toBe('"=1+" is not a formula the sheet can read; type a number, or a formula such as =0.5*2');
    expect(await refused(s, 10, 'w5', '=')).toBe('"=" is not a formula: type a number, or a formula such as =0.5*2');
    expect(await refused(s, 10, 'w5', '=SEQUENCE(3)')).toBe('"=SEQUENCE(3)" gives several values (an array), not one number');
    expect(await refused(s, 10, 'w5', '=RAND()')).toMatch(/^"=RAND\(\)": RAND\(\) gives a new value at every recalculation/);
    expect(await refused(s, 10, 'w5', `=${s.layout.column('w1').letter}1`)).toMatch(/reads the header row/);
  });

  it('formulas that would make a circular reference, or read a later epoch', async () => {
    const s = await trained();
    // The cell itself.
    expect(await refused(s, 10, 'w5', `=${a1(s, 'w5', 10)}+1`))
      .toBe(`"=${a1(s, 'w5', 10)}+1" reads w5 of epoch 10 itself: a circular reference (#CYCLE!); type a number, or read cells that do not depend on w5`);
    // A cell of the same row computed from it: the new weight, the output, the gradient.
    expect(await refused(s, 10, 'w5', `=${a1(s, 'new w5', 10)}`))
      .toBe(`"=${a1(s, 'new w5', 10)}" reads new w5 of epoch 10 (${a1(s, 'new w5', 10)}), which is computed from w5: a circular reference (#CYCLE!); type a number, or read cells that do not depend on w5`);
    expect(await refused(s, 10, 'w1', `=2*${a1(s, 'a_o1', 10)}`)).toMatch(/reads a_o1 of epoch 10 .*, which is computed from w1: a circular reference/);
    expect(await refused(s, 10, 'η', `=${a1(s, 'new w1', 10)}`)).toMatch(/reads new w1 of epoch 10 .*which is computed from η: a circular reference/);
    // A range that includes the cell.
    expect(await refused(s, 10, 'w5', `=SUM(${a1(s, 'w1', 10)}:${a1(s, 'w8', 10)})`)).toMatch(/circular reference/);
    // A later epoch: training re-runs it from this one.
    expect(await refused(s, 10, 'w5', `=${a1(s, 'w5', 20)}`))
      .toBe(`"=${a1(s, 'w5', 20)}" reads epoch 20, after epoch 10: a cell may read only its own epoch, earlier epochs and the Data sheet`);
    // η at epoch 0 with all 51 rows after it: refused without touching them.
    expect(await refused(s, 0, 'η', `=${a1(s, 'new w8', 0)}/2`)).toMatch(/circular reference/);
  });

  it('computed cells say what to edit instead', async () => {
    const s = await trained();
    expect(await refused(s, 10, '∂E/∂w5', 1)).toBe('∂E/∂w5 is computed from the weights; edit w5 or the learning rate η instead');
    expect(await refused(s, 10, 'new w5', 1)).toBe('new w5 is computed from w5, η and its gradient; edit w5 or the learning rate η instead');
    expect(await refused(s, 10, 'h1', 1)).toBe('h1 is computed from the weights and the inputs; edit w1 or w2 instead');
    expect(await refused(s, 10, 'a_o2', 1)).toBe('a_o2 is computed from the weights and the inputs; edit w7 or w8 instead');
    expect(await refused(s, 10, 'E_total', 1)).toBe('E_total is computed from the network\'s output and the targets; edit a weight or the learning rate η instead');
    expect(await refused(s, 10, 'i1', 1)).toBe('i1 comes from the Data sheet (the spec\'s samples); open a spec with other data instead');
    expect(await refused(s, 10, 'epoch', 3)).toMatch(/^epoch is the row's number and cannot be edited/);
    expect(await refused(s, 10, '∂E/∂w5', 'abc')).toMatch(/^∂E\/∂w5 is computed/);
  });

  it('an epoch not computed yet is refused', async () => {
    const s = Session.fromSettings({ preset: PRESET });
    const err = await s.edit(3, s.layout.column('w1'), 1).catch((e: Error) => e);
    expect(err).toBeInstanceOf(EditRefused);
    expect((err as Error).message).toBe('epoch 3 has not been computed yet (the sheet has epochs 0 to 0)');
  });

  it('a refused edit while training leaves the training running', async () => {
    const s = Session.fromSettings({ preset: 'end2-xor-9', epochs: 300 });
    const run = s.train();
    await new Promise((r) => setTimeout(r, 30));
    expect(s.state).toBe('training');
    await expect(s.edit(0, s.layout.column('w1'), 'abc')).rejects.toThrow(/"abc" is text/);
    await expect(s.edit(0, s.layout.column('w1'), `=${a1(s, 'a_h1[1]', 0)}`)).rejects.toThrow(/circular reference/);
    expect(s.state).toBe('training');
    await run;
    expect(s.rows).toBe(300);
  });
});

describe('edits: what is accepted', () => {
  it('a number typed as text, and a formula that evaluates to a finite number; undo takes it back', async () => {
    const s = await trained();
    const before = snapshot(s);
    const w5 = s.layout.column('w5');
    await s.edit(10, w5, ' 0.75 ');
    expect(s.value(10, w5)).toBe(0.75);
    await s.edit(10, w5, '1e-1');
    expect(s.value(10, w5)).toBe(0.1);
    await s.edit(10, w5, '=0.5*2');
    expect(s.value(10, w5)).toBe(1);
    expect(s.wb.hf.getCellFormula({ sheet: s.wb.train, row: s.layout.rowOf(10), col: w5.index })).toBe('=0.5*2');
    // Reading cells that do not depend on it: a weight of the same row, an earlier epoch, the Data sheet.
    await s.edit(10, w5, `=2*${a1(s, 'w1', 10)}+${a1(s, 'w5', 9)}-Data!B2`);
    const want = 2 * (s.value(10, s.layout.column('w1')) as number) + (s.value(9, w5) as number) - 0.05;
    expect(s.value(10, w5)).toBe(want);
    expect(s.rows).toBe(51);
    // The chain holds: epoch 11 starts from what epoch 10 ends with.
    expect(s.value(11, w5)).toBe(s.value(10, s.layout.column('new w5')));
    expect(s.overrides()).toEqual([{ epoch: 10, column: 'w5', raw: `=2*${a1(s, 'w1', 10)}+${a1(s, 'w5', 9)}-Data!B2` }]);
    // η as a formula over the row above.
    await s.edit(20, s.layout.column('η'), `=${a1(s, 'η', 19)}*2`);
    expect(s.value(20, s.layout.column('η'))).toBe(1);
    expect(s.value(50, s.layout.column('η'))).toBe(1);
    for (let i = 0; i < 5; i++) await s.undo();
    expect(snapshot(s)).toEqual(before);
  });
});

describe('replaying the cells the user set rebuilds the same sheet', () => {
  it('overrides after a sequence of edits, an undo and an η edit replay to the same workbook', async () => {
    const s = await trained();
    const col = (n: string) => s.layout.column(n);
    const events: SessionEvent['type'][] = [];
    s.on((e) => events.push(e.type));
    await s.edit(30, col('w5'), 0.3);
    await s.edit(40, col('η'), 2);
    await s.edit(10, col('w2'), '=0.1+0.2');
    await s.edit(12, col('w3'), -1);
    await s.undo();
    await s.edit(35, col('w8'), 0.9);
    expect(events).toContain('overrides');
    // w5 at 30 was overwritten by the re-run from epoch 10; η at 40 survives a weight edit's re-run; the undone
    // w3 at 12 is back to the chain's own value (the re-run from 12 leaves w8 at 35 to be set after it).
    expect(s.overrides().map((o) => [o.epoch, o.column])).toEqual([[10, 'w2'], [12, 'w3'], [35, 'w8'], [40, 'η']]);
    const fresh = Session.fromSettings({ preset: PRESET });
    await fresh.replay(s.overrides());
    expect(fresh.rows).toBe(51);
    expect(snapshot(fresh)).toEqual(snapshot(s));
    expect(fresh.overrides()).toEqual(s.overrides());
    expect(fresh.canUndo).toBe(true);
  });

  it('a saved cell the spec does not have is refused, naming it', async () => {
    const s = Session.fromSettings({ preset: PRESET });
    expect(() => s.replay([{ epoch: 2, column: 'w99', raw: 1 }])).toThrow('saved edit 1 (epoch 2, w99): end2-backprop-2-2-2 has no column named "w99"');
    expect(() => s.replay([{ epoch: 2, column: 'E_total', raw: 1 }])).toThrow(/saved edit 1 \(epoch 2, E_total\): E_total is computed/);
    expect(() => s.replay([{ epoch: 99, column: 'w1', raw: 1 }])).toThrow(/the sheet has epochs 0 to 50/);
    expect(() => s.replay([{ epoch: 2, column: 'w1', raw: 'abc' }])).toThrow(/"abc" is text/);
    await expect(s.replay([{ epoch: 2, column: 'w1', raw: '=1/0' }])).rejects.toThrow(/saved edit \(epoch 2, w1\): "=1\/0" gives #DIV\/0!/);
  });
});

describe('divergence: training stops at the epoch, rows before it stay', () => {
  async function diverge(s: Session) {
    const events: SessionEvent[] = [];
    s.on((e) => events.push(e));
    const err = await s.train().then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    const d = events.find((e) => e.type === 'diverged');
    expect(d && d.type === 'diverged' && d.message).toBe(err!.message);
    expect(s.state).toBe('ready');
    return { err: err as DivergenceError, event: d as Extract<SessionEvent, { type: 'diverged' }> };
  }

  it('a sigmoid network whose EXP overflows at η = 1e8', async () => {
    const s = Session.fromSettings({ preset: PRESET, lr: 1e8 });
    const { err, event } = await diverge(s);
    expect(err.message).toMatch(new RegExp(`epoch ${err.epoch}\\b`));
    expect(event.epoch).toBe(err.epoch);
    expect(s.rows).toBe(err.epoch + 1);
    // The rows before it are whole numbers; the bad row is there to read.
    for (let e = 0; e < err.epoch; e++) for (const c of s.layout.columns) expect(typeof s.value(e, c), `${c.name} at ${e}`).toBe('number');
    expect(s.layout.columns.some((c) => typeof s.value(err.epoch, c) !== 'number')).toBe(true);
    // Training again stops at once with the same message; new settings train.
    await expect(s.train()).rejects.toThrow(err.message);
  });

  it('a 2-4-1 identity network with MSE at η = 1000', async () => {
    const spec = parseSpec({
      name: 'linear-2-4-1', description: 'identity activations, MSE, η 1000',
      model: { layers: [2, 4, 1], bias: true, activations: ['identity', 'identity'], loss: 'mse' },
      data: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
      optimizer: { lr: 1000, momentum: 0 }, batch: 'full', epochs: 100, seed: 1, init: 'normal',
    });
    const s = new Session(spec);
    const { err } = await diverge(s);
    expect(err.epoch).toBeGreaterThan(0);
    expect(s.rows).toBe(err.epoch + 1);
    for (let e = 0; e < err.epoch; e++) expect(typeof s.value(e, s.layout.lossColumn)).toBe('number');
  });

  it('an edit whose re-run blows up keeps the edit and the rows up to the bad epoch', async () => {
    const s = await trained();
    const events: SessionEvent[] = [];
    s.on((e) => events.push(e));
    const err = await s.edit(10, s.layout.column('η'), 1e8).catch((e: Error) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(s.value(10, s.layout.column('η'))).toBe(1e8);
    expect(s.rows).toBe((err as DivergenceError).epoch + 1);
    expect(events.some((e) => e.type === 'diverged')).toBe(true);
    await s.undo();
    expect(s.rows).toBe(51);
  });
});
