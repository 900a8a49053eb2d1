import { truncate, writeFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DivergenceError } from '../../src/driver/driver';
import { buildLayout } from '../../src/layout/layout';
import { loadPreset } from '../../src/spec/presets';
import { parseSpec, toSpecJson } from '../../src/spec/validate';
import { BROKEN_KEY, STATE_KEY } from '../../src/web/savedState';
import { Session } from '../../src/web/session';
import { openFilesMenu, waitForCell } from '../support/browserHarness';
import { browserSuite } from '../support/browserSuite';
import { tempPath } from '../support/xlsxFiles';

/**
 * Issue 7 in the page (Debian's Chromium through playwright-core): the user's settings and edits come back after a
 * reload mid-training; a broken saved state is reported and set aside; a bad edit is refused at the cell and the
 * value stays; a run that blows up stops with its epoch and cell and the rows before it stay; names from a spec are
 * text; New asks first; an oversized import is refused before it is read.
 */

const PRESET = 'end2-backprop-2-2-2';
const layout = buildLayout(loadPreset(PRESET));

interface PageApi {
  select(ref: string): unknown;
  edit(ref: string, value: number | string): Promise<void>;
  load(spec: string | object): Promise<void>;
  value(ref: string): unknown;
  formula(ref: string): string | null;
  train(options?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
  readonly state: 'training' | 'ready';
  readonly rows: number;
  readonly settings: Record<string, unknown>;
  readonly lastError: string | null;
}
/** The page's window as these tests read it (page.test.ts declares its own view of (window as unknown as W).gradsheet). */
type W = { gradsheet: PageApi; __xss?: number };

const suite = browserSuite();
/** A page in a context of its own (its own browser storage); `init` runs before the page's scripts. */
const openPage = async (label: string, init?: () => void): Promise<Page> => (await suite.openPage(label, init)).page;

const ready = (page: Page, rows: number, timeout = 60_000) =>
  page.waitForFunction((n) => (window as unknown as W).gradsheet?.state === 'ready' && (window as unknown as W).gradsheet.rows === n, rows, { timeout, polling: 50 });
const message = (page: Page) => page.locator('.controls .message').textContent().then((t) => t ?? '');
const saved = (page: Page, key = STATE_KEY) => page.evaluate((k) => localStorage.getItem(k), key);
const row = (page: Page, epoch: number) => page.evaluate((refs) => refs.map((r) => (window as unknown as W).gradsheet.value(r)), layout.columns.map((c) => `epoch ${epoch}, ${c.name}`));

/** The grid's td of a column at an epoch (scrolled into view first), found by its header text and the epoch column. */
async function cellAt(page: Page, column: string, epoch: number): Promise<{ x: number; y: number }> {
  await page.evaluate((r) => (window as unknown as W).gradsheet.select(r), `epoch ${Math.max(0, epoch - 1)}, ${column}`);
  return waitForCell(page, column, epoch);
}

/** Types into a grid cell as a user does: double-click, replace the text, Enter. */
async function typeInto(page: Page, column: string, epoch: number, text: string): Promise<void> {
  const at = await cellAt(page, column, epoch);
  await page.mouse.dblclick(at.x, at.y);
  const editor = page.locator('textarea.handsontableInput');
  await expect.poll(() => editor.isVisible()).toBe(true);
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

describe('the page keeps the user\'s work', () => {
  it('a. settings and an edited weight come back after a reload mid-training, with the edited row recomputed', async () => {
    const page = await openPage('reload');
    await page.goto(`${suite.url}?preset=${PRESET}`);
    await ready(page, 51);

    // New settings through the controls, then Train: a long run of a small network.
    await page.locator('input[name=epochs]').fill('5000');
    await page.locator('input[name=lr]').fill('0.8');
    await page.locator('button[name=train]').click();
    await page.waitForFunction(() => (window as unknown as W).gradsheet.state === 'training' && (window as unknown as W).gradsheet.rows > 20, null, { timeout: 30_000, polling: 20 });
    // A weight typed into the grid while it trains: the row recomputes and the later epochs re-run from it.
    await typeInto(page, 'w5', 10, '0.3');
    await page.waitForFunction(() => (window as unknown as W).gradsheet.value('epoch 10, w5') === 0.3 && (window as unknown as W).gradsheet.rows > 12, null, { timeout: 30_000, polling: 20 });
    const before = { state: await page.evaluate(() => (window as unknown as W).gradsheet.state), row10: await row(page, 10), row11: await row(page, 11) };
    expect(before.state, 'the reload happens while the re-run trains').toBe('training');
    // Saving is throttled (within 250 ms of a change): wait for it rather than read at once.
    await expect.poll(async () => JSON.parse((await saved(page)) ?? '{}'), { timeout: 5_000 }).toMatchObject({
      version: 1, settings: { preset: PRESET, epochs: 5000, lr: 0.8 }, edits: [{ epoch: 10, column: 'w5', raw: 0.3 }],
    });

    await page.reload();
    await page.waitForFunction(() => (window as unknown as W).gradsheet?.rows > 12 && (window as unknown as W).gradsheet.value('epoch 10, w5') === 0.3, null, { timeout: 60_000, polling: 50 });
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.settings)).toEqual({ preset: PRESET, epochs: 5000, lr: 0.8 });
    expect(await page.locator('input[name=epochs]').inputValue()).toBe('5000');
    expect(await page.locator('input[name=lr]').inputValue()).toBe('0.8');
    expect(await message(page)).toMatch(/^Restored your work from this browser: end2-backprop-2-2-2, 1 cell you set/);
    // The edited row and the next, exactly as before the reload and as the session computes them in Node.
    const after = { row10: await row(page, 10), row11: await row(page, 11) };
    expect(after).toEqual({ row10: before.row10, row11: before.row11 });
    const node = Session.fromSettings({ preset: PRESET, epochs: 12, lr: 0.8 });
    await node.train();
    await node.edit(10, node.layout.column('w5'), 0.3);
    expect(after.row10).toEqual(node.layout.columns.map((c) => node.value(10, c)));
    expect(after.row11).toEqual(node.layout.columns.map((c) => node.value(11, c)));
    // It trains on to the last epoch with the edit in place, and undo is offered for it.
    await ready(page, 5000, 120_000);
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.value('epoch 10, w5'))).toBe(0.3);
    expect(await page.locator('button[name=undo]').isDisabled()).toBe(false);
  }, 240_000);

  it('b. a broken or old saved state is reported and set aside, and the page starts', async () => {
    const good = { version: 1, settings: { preset: PRESET }, spec: null, edits: [], savedAt: '' };
    // Each kind of damage is named in tests/savedState.test.ts; here, that the page reports it, sets it aside and opens.
    const cases: { label: string; key: string; text: string; shown: RegExp }[] = [
      { label: 'not JSON', key: STATE_KEY, text: '{"version":1,"settings":', shown: /Your saved work could not be restored: it is not valid JSON/ },
      { label: 'an old version', key: 'gradsheet.state/0', text: '{"preset":"end2-xor-44"}', shown: /Your saved work could not be restored: it was saved by another version of gradsheet \(format 0/ },
      { label: 'an unknown column', key: STATE_KEY, text: JSON.stringify({ ...good, edits: [{ epoch: 3, column: 'w99', raw: 1 }] }), shown: /its edit 1 names the column "w99", which end2-backprop-2-2-2 does not have/ },
    ];
    for (const c of cases) {
      const page = await openPage(`broken state: ${c.label}`);
      await page.addInitScript(({ key, text }) => {
        if (sessionStorage.getItem('planted')) return;
        sessionStorage.setItem('planted', '1');
        localStorage.setItem(key, text);
      }, { key: c.key, text: c.text });
      await page.goto(`${suite.url}?preset=${PRESET}`);
      await ready(page, 51);
      expect(await message(page), c.label).toMatch(c.shown);
      expect(await message(page)).toContain(`set aside (browser storage key ${BROKEN_KEY})`);
      expect(await page.locator('.controls .message').evaluate((el) => el.classList.contains('error'))).toBe(true);
      expect(await page.evaluate(() => (window as unknown as W).gradsheet.lastError)).toMatch(c.shown);
      const aside = JSON.parse((await saved(page, BROKEN_KEY))!);
      expect(aside).toMatchObject({ key: c.key, text: c.text });
      // The page saves its own state again; the old key is gone.
      await expect.poll(async () => JSON.parse((await saved(page)) ?? 'null')?.settings).toEqual({ preset: PRESET });
      if (c.key !== STATE_KEY) expect(await saved(page, c.key)).toBeNull();
    }
  }, 180_000);

  it('b2. a saved edit that can no longer be set is reported; the settings stay and the sheet trains without it', async () => {
    const state = { version: 1, settings: { preset: PRESET, lr: 0.7 }, spec: null, edits: [{ epoch: 3, column: 'w1', raw: '=1/0' }], savedAt: '' };
    const page = await openPage('unusable edit');
    await page.addInitScript((text) => {
      if (sessionStorage.getItem('planted')) return;
      sessionStorage.setItem('planted', '1');
      localStorage.setItem('gradsheet.state/1', text);
    }, JSON.stringify(state));
    await page.goto(suite.url);
    await ready(page, 51);
    expect(await message(page)).toMatch(/^Your saved edits could not be restored: saved edit \(epoch 3, w1\): "=1\/0" gives #DIV\/0!.*training without them\.$/);
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.settings)).toEqual({ preset: PRESET, lr: 0.7 });
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.value('epoch 0, η'))).toBe(0.7);
    expect(JSON.parse((await saved(page, BROKEN_KEY))!).text).toContain('=1/0');
  }, 120_000);

  it('e. New asks first: dismissed, nothing changes; confirmed, the default preset with no edits and nothing saved', async () => {
    const page = await openPage('new');
    await page.goto(`${suite.url}?preset=${PRESET}&lr=0.9`);
    await ready(page, 51);
    await page.evaluate(() => (window as unknown as W).gradsheet.edit('epoch 5, w2', 0.5));
    await ready(page, 51);
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await openFilesMenu(page);
    await page.locator('button[name=new]').click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toBe('Start a new sheet? This drops end2-backprop-2-2-2 and the 1 cell you set, here and in this browser\'s saved work, and opens end2-xor-44.');
    expect(await page.evaluate(() => [(window as unknown as W).gradsheet.settings, (window as unknown as W).gradsheet.value('epoch 5, w2')])).toEqual([{ preset: PRESET, lr: 0.9 }, 0.5]);

    page.once('dialog', (d) => void d.accept());
    await openFilesMenu(page);
    await page.locator('button[name=new]').click();
    await page.waitForFunction(() => (window as unknown as W).gradsheet.settings.preset === 'end2-xor-44' && (window as unknown as W).gradsheet.state === 'training', null, { timeout: 30_000 });
    await page.evaluate(() => (window as unknown as W).gradsheet.stop());
    expect(new URL(page.url()).searchParams.get('preset')).toBe('end2-xor-44');
    expect(new URL(page.url()).searchParams.get('lr')).toBeNull();
    await expect.poll(async () => JSON.parse((await saved(page)) ?? 'null')).toMatchObject({ settings: { preset: 'end2-xor-44' }, edits: [] });
  }, 120_000);
});

describe('the page refuses bad input at the cell', () => {
  it('c. a bad edit is refused with a message at the cell; the value and its row stay; a formula giving a number is taken', async () => {
    const page = await openPage('bad edits');
    await page.goto(`${suite.url}?preset=${PRESET}`);
    await ready(page, 51);
    const rowBefore = await row(page, 10);
    const w5 = rowBefore[layout.column('w5').index];

    // Typed into the grid.
    await typeInto(page, 'w5', 10, 'abc');
    const tip = page.locator('.cell-message');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const want = 'w5 needs a number or a formula (=…); "abc" is text';
    expect(await tip.textContent()).toBe(want);
    expect(await tip.getAttribute('data-cell')).toBe('epoch 10, w5');
    expect(await tip.getAttribute('role')).toBe('alert');
    expect(await message(page)).toBe(`epoch 10, w5 not changed: ${want}`);
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.lastError)).toBe(want);
    // The cell is marked invalid, still shows its value, and the message sits just below it.
    const marked = await page.evaluate(() => {
      const td = document.querySelector<HTMLElement>('.grid .ht_master td.htInvalid');
      const tipBox = document.querySelector('.cell-message')!.getBoundingClientRect();
      const r = td?.getBoundingClientRect();
      return td && r ? { title: td.title, below: tipBox.top >= r.bottom - 1 && tipBox.top <= r.bottom + 10 && Math.abs(tipBox.left - r.left) < 2 } : null;
    });
    expect(marked).toEqual({ title: `w5 = ${w5}`, below: true });
    expect(await row(page, 10)).toEqual(rowBefore);
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.rows)).toBe(51);
    // Selecting another cell takes the mark away.
    await page.evaluate(() => (window as unknown as W).gradsheet.select('epoch 3, w1'));
    await expect.poll(() => tip.count()).toBe(0);
    expect(await page.locator('.grid td.htInvalid').count()).toBe(0);

    // Typing into a computed cell: the grid keeps it read-only and says what to edit instead.
    const grad = await cellAt(page, '∂E/∂w5', 10);
    await page.mouse.click(grad.x, grad.y);
    await page.keyboard.press('7');
    await expect.poll(() => tip.textContent()).toBe('∂E/∂w5 is computed from the weights; edit w5 or the learning rate η instead');
    expect(await tip.getAttribute('data-cell')).toBe('epoch 10, ∂E/∂w5');
    expect(await page.locator('.handsontableInputHolder.ht_editor_visible').count(), 'no editor opened').toBe(0);
    expect(await row(page, 10)).toEqual(rowBefore);
    await page.evaluate(() => (window as unknown as W).gradsheet.select('epoch 3, w1'));
    await expect.poll(() => tip.count()).toBe(0);

    // Through the API: every class of bad input rejects with the message shown, and nothing changes.
    const newW5 = `${layout.column('new w5').letter}${layout.rowOf(10) + 1}`;
    const refusals = await page.evaluate(async (newW5) => {
      const out: Record<string, string> = {};
      const tries: [string, string, number | string][] = [
        ['text', 'epoch 10, w5', 'abc'], ['#REF!', 'epoch 10, w5', '#REF!'], ['NaN', 'epoch 10, w5', Number.NaN],
        ['Infinity', 'epoch 10, η', Number.POSITIVE_INFINITY], ['empty', 'epoch 10, w5', ''], ['error formula', 'epoch 10, w5', '=1/0'],
        ['cycle', 'epoch 10, w5', `=${newW5}*2`], ['computed', 'epoch 10, ∂E/∂w5', 1],
      ];
      for (const [label, ref, value] of tries) {
        out[label] = await (window as unknown as W).gradsheet.edit(ref, value).then(() => 'accepted', (e: Error) => `${e.message} | shown: ${document.querySelector('.cell-message')?.textContent ?? '(none)'}`);
      }
      return out;
    }, newW5);
    const shownAs = (m: string) => `${m} | shown: ${m}`;
    expect(refusals).toEqual({
      text: shownAs(want),
      '#REF!': shownAs('w5 needs a number; "#REF!" is a spreadsheet error, not a number'),
      NaN: shownAs('w5 needs a finite number; NaN is not one'),
      Infinity: shownAs('η needs a finite number; Infinity is not one'),
      empty: shownAs('w5 cannot be empty: type a number'),
      'error formula': shownAs('"=1/0" gives #DIV/0!, not a number; w5 keeps its value'),
      cycle: shownAs(`"=${newW5}*2" reads new w5 of epoch 10 (${newW5}), which is computed from w5: a circular reference (#CYCLE!); type a number, or read cells that do not depend on w5`),
      computed: shownAs('∂E/∂w5 is computed from the weights; edit w5 or the learning rate η instead'),
    });
    expect(await row(page, 10)).toEqual(rowBefore);
    expect(await page.locator('button[name=undo]').isDisabled()).toBe(true);

    // A formula that evaluates to a finite number is taken: the row recomputes and the later epochs re-run.
    await page.evaluate(() => (window as unknown as W).gradsheet.edit('epoch 10, w5', '=0.25*2'));
    await ready(page, 51);
    expect(await page.evaluate(() => [(window as unknown as W).gradsheet.value('epoch 10, w5'), (window as unknown as W).gradsheet.formula('epoch 10, w5'), (window as unknown as W).gradsheet.lastError]))
      .toEqual([0.5, '=0.25*2', null]);
    expect(await row(page, 10)).not.toEqual(rowBefore);
    expect(await page.locator('.grid td.htInvalid').count()).toBe(0);
  }, 120_000);
});

describe('the page when training blows up', () => {
  it('d. a sigmoid network whose EXP overflows at η = 1e8, and a 2-4-1 identity network with MSE at η = 1000, stop with the epoch and cell; new settings train', async () => {
    // What the session says in Node, for the same runs.
    const nodeError = async (s: Session) => (await s.train().then(() => null, (e: Error) => e)) as DivergenceError;
    const sigmoid = await nodeError(Session.fromSettings({ preset: PRESET, lr: 1e8 }));
    const linearSpec = {
      name: 'linear-2-4-1', description: 'identity activations, MSE, η 1000',
      model: { layers: [2, 4, 1], bias: true, activations: ['identity', 'identity'], loss: 'mse' },
      data: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
      optimizer: { lr: 1000, momentum: 0 }, batch: 'full', epochs: 100, seed: 1, init: 'normal',
    };
    const linear = await nodeError(new Session(parseSpec(linearSpec)));
    expect(sigmoid).toBeInstanceOf(DivergenceError);
    expect(linear).toBeInstanceOf(DivergenceError);

    const page = await openPage('divergence');
    await page.goto(`${suite.url}?preset=${PRESET}&lr=100000000`);
    await ready(page, sigmoid.epoch + 1);
    const shown = await message(page);
    expect(shown).toContain(sigmoid.message.replace(/\.\s*$/, ''));
    expect(shown).toContain(`epoch ${sigmoid.epoch}`);
    expect(shown).toMatch(new RegExp(`Training stopped; epochs 0 to ${sigmoid.epoch} are kept\\.$`));
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.lastError)).toBe(shown);
    expect(await page.locator('.controls .message').evaluate((el) => el.classList.contains('error') && el.getBoundingClientRect().height > 0)).toBe(true);
    // The bad cell is selected in the grid, and every row before it is readable numbers.
    expect(await page.locator('output[data-field="name"]').textContent()).toBe(`${sigmoid.column.name} · epoch ${sigmoid.epoch}`);
    for (let e = 0; e < sigmoid.epoch; e++) expect((await row(page, e)).every((v) => typeof v === 'number'), `epoch ${e}`).toBe(true);
    // Train again as it is: it stops at once with the same message; a smaller η trains.
    await page.locator('button[name=train]').click();
    await expect.poll(() => message(page)).toBe(shown);
    await page.evaluate(() => (window as unknown as W).gradsheet.train({ lr: 0.5 }));
    await ready(page, 51);
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.lastError)).toBeNull();

    // The 2-4-1 network, opened as a spec.
    await page.evaluate((spec) => (window as unknown as W).gradsheet.load(spec), linearSpec);
    await ready(page, linear.epoch + 1);
    const shown2 = await message(page);
    expect(shown2).toContain(linear.message.replace(/\.\s*$/, ''));
    expect(shown2).toContain(`epoch ${linear.epoch}`);
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.settings)).toEqual({ preset: 'linear-2-4-1' });
    expect(await page.locator('select[name=preset] option:checked').textContent()).toBe('linear-2-4-1 (opened)');
    // A smaller η for the opened spec trains it to the end.
    await page.locator('input[name=lr]').fill('0.05');
    await page.locator('button[name=train]').click();
    await ready(page, 100);
    expect(await page.evaluate(() => (window as unknown as W).gradsheet.settings)).toEqual({ preset: 'linear-2-4-1', lr: 0.05 });
  }, 120_000);
});

describe('the page reads files and names as data', () => {
  it('f. names from a spec show as text; a bad spec file and an oversized workbook get a message and change nothing', async () => {
    const page = await openPage('files and text');
    await page.goto(`${suite.url}?preset=${PRESET}`);
    await ready(page, 51);
    const spec: Record<string, unknown> = {
      ...toSpecJson(loadPreset(PRESET)),
      name: '<img src=x onerror="(window as unknown as W).__xss=1">', description: '<b>bold</b> & <script>(window as unknown as W).__xss=2</script>',
    };
    await page.evaluate((s) => (window as unknown as W).gradsheet.load(s), spec);
    await ready(page, 51);
    const seen = await page.evaluate(() => ({
      summary: document.querySelector('.controls .summary')?.textContent,
      option: document.querySelector('select[name=preset] option:checked')?.textContent,
      chartLegend: document.body.innerText.includes('<img src=x'),
      injected: document.querySelectorAll('#app img, #app b, #app script').length,
      xss: (window as unknown as W).__xss,
    }));
    expect(seen.summary).toContain('<b>bold</b> & <script>(window as unknown as W).__xss=2</script>');
    expect(seen.summary).toContain('<img src=x onerror="(window as unknown as W).__xss=1">');
    expect(seen.option).toBe('<img src=x onerror="(window as unknown as W).__xss=1"> (opened)');
    expect(seen.injected).toBe(0);
    expect(seen.xss).toBeUndefined();

    // A spec file that is not valid: its field and reason; the sheet stays.
    const before = await row(page, 50);
    const bad = tempPath('softmax.json');
    await writeFile(bad, JSON.stringify({ ...spec, name: 'bad', model: { ...(spec.model as object), activations: ['sigmoid', 'softmax'] } }));
    await page.setInputFiles('input[name=open-spec]', bad);
    await expect.poll(() => message(page)).toBe('softmax.json: model.activations[1]: must be one of "sigmoid", "tanh", "relu", "identity", got "softmax". The current sheet is unchanged.');
    const notJson = tempPath('broken.json');
    await writeFile(notJson, '{"name": "x",\n  "model": }');
    await page.setInputFiles('input[name=open-spec]', notJson);
    await expect.poll(() => message(page)).toMatch(/^broken\.json: not valid JSON \(line 2, column \d+: .*\)\. The current sheet is unchanged\.$/);
    expect(await row(page, 50)).toEqual(before);

    // A workbook over the import limit is refused before it is read.
    const big = tempPath('big.xlsx');
    await writeFile(big, '');
    await truncate(big, 65_000_000);
    await page.setInputFiles('input[name=import]', big);
    await expect.poll(() => message(page)).toBe('big.xlsx: the file is 65.0 MB; the page imports workbooks up to 64.0 MB. The current sheet is unchanged.');
    expect(await row(page, 50)).toEqual(before);
  }, 120_000);
});
