import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildLayout } from '../../src/layout/layout';
import { trainEpoch } from '../../src/reference/trainer';
import { loadPreset } from '../../src/spec/presets';
import { flattenParams, initialParams, unflattenParams } from '../../src/spec/resolve';
import { openFilesMenu, waitForCell } from '../support/browserHarness';
import { browserSuite } from '../support/browserSuite';

/**
 * The page's core loop as a person meets it, by clicks and keys only: the first double-click edits, the Name Box,
 * following a weight, the watch window, the re-run's progress, the export button, the epoch's loss on the chart and
 * an honest `state`. The page's script interface only reads results here; it never sets up what a person would do.
 */

const suite = browserSuite();
const LONG = 240_000;

interface ReadApi {
  readonly state: 'loading' | 'training' | 'ready';
  readonly rows: number;
  readonly stopped: boolean;
  readonly lastWatchMs: number | null;
  value(ref: string): unknown;
  chart(): { label: string; losses: number[]; faint: boolean }[];
}
const api = (page: Page) => ({
  value: (ref: string) => page.evaluate((r) => (window as unknown as { gradsheet: ReadApi }).gradsheet.value(r), ref),
  state: () => page.evaluate(() => {
    const g = (window as unknown as { gradsheet?: ReadApi }).gradsheet;
    return g ? { state: g.state, rows: g.rows, stopped: g.stopped } : null;
  }),
});

/** Waits until the page says it holds every epoch of the sheet. */
async function waitAllRows(page: Page, epochs: number, timeout = LONG - 30_000): Promise<void> {
  await page.waitForFunction((n) => {
    const g = (window as unknown as { gradsheet?: ReadApi }).gradsheet;
    return g?.state === 'ready' && g.rows === n;
  }, epochs, { timeout, polling: 100 });
}

/** A fresh page at 1440×900 (own storage), on `query`. */
async function open(query: string, init?: () => void): Promise<Page> {
  const { page } = await suite.openPage(query, init);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${suite.url}${query}`);
  return page;
}

const barName = (page: Page) => page.locator('output[data-field="name"]').textContent();

describe('the core loop, by mouse and keyboard', () => {
  for (const [preset, weight, epochs] of [['end2-xor-44', 'w1_1_1', 2001], ['end2-backprop-2-2-2', 'w1', 51]] as const) {
    it(`${preset}: on a fresh page the first double-click on ${weight} at epoch 0 and typing edits it`, async () => {
      const page = await open(`?preset=${preset}`);
      await waitAllRows(page, loadPreset(preset).epochs);
      expect(loadPreset(preset).epochs).toBe(epochs);
      const at = await waitForCell(page, weight, 0);
      await page.mouse.dblclick(at.x, at.y);
      await page.keyboard.type('0.9');
      await page.keyboard.press('Enter');
      await expect.poll(() => api(page).value(`epoch 0, ${weight}`), { timeout: 10_000 }).toBe(0.9);
      expect(await page.locator('.message').textContent()).toMatch(new RegExp(`epoch 0, ${weight} = 0\\.9`));
    }, LONG);
  }

  it('after a first single click, the arrow keys move the selection and typing edits', async () => {
    const page = await open('?preset=end2-backprop-2-2-2');
    await waitAllRows(page, 51);
    const at = await waitForCell(page, 'w1', 0);
    await page.mouse.click(at.x, at.y);
    await expect.poll(() => barName(page)).toBe('w1 · epoch 0');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => barName(page)).toBe('w2 · epoch 0');
    await page.keyboard.type('0.25');
    await page.keyboard.press('Enter');
    await expect.poll(() => api(page).value('epoch 0, w2'), { timeout: 10_000 }).toBe(0.25);
  }, LONG);

  it('the Name Box (found by its name, as a screen reader does) reaches ∂E/∂w5 of epoch 1000 in one entry; Ctrl+G goes there', async () => {
    const page = await open('?preset=end2-backprop-2-2-2&epochs=1001');
    await waitAllRows(page, 1001);
    const box = page.getByRole('combobox', { name: 'Name Box' });
    await page.keyboard.press('Control+g');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Name Box');
    await page.keyboard.type('epoch 1000, ∂E/∂w5');
    await page.keyboard.press('Enter');
    await expect.poll(() => barName(page)).toBe('∂E/∂w5 · epoch 1000');
    expect(await box.inputValue()).toBe(`Train!${buildLayout(loadPreset('end2-backprop-2-2-2')).column('∂E/∂w5').letter}1002`);
    // The cell is on screen, inside the grid.
    await waitForCell(page, '∂E/∂w5', 1000);
    // A wrong name says what it takes, and the selection stays.
    await box.click();
    await page.keyboard.type('w 99');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.message').textContent()).toMatch(/"w 99" is not a name/);
    expect(await barName(page)).toBe('∂E/∂w5 · epoch 1000');
  }, LONG);

  it('"Follow w1_1_1" puts the weight and ∂L/∂w1_1_1[1] side by side in the grid at 1440×900, and the URL keeps it', async () => {
    const page = await open('?preset=end2-xor-44');
    await waitAllRows(page, 2001);
    const at = await waitForCell(page, 'w1_1_1', 0);
    await page.mouse.click(at.x, at.y);
    await page.getByRole('button', { name: /Follow w1_1_1/ }).click();
    const weight = await waitForCell(page, 'w1_1_1', 0);
    const grad = await waitForCell(page, '∂L/∂w1_1_1[1]', 0);
    const view = await page.locator('.grid .ht_master .wtHolder').boundingBox();
    for (const p of [weight, grad]) {
      expect(p.x).toBeGreaterThan(view!.x);
      expect(p.x).toBeLessThan(view!.x + view!.width);
      expect(p.y).toBeGreaterThan(view!.y);
      expect(p.y).toBeLessThan(view!.y + view!.height);
    }
    expect(new URL(page.url()).searchParams.get('follow')).toBe('w1_1_1');
    // One click back: every column again.
    await page.getByRole('button', { name: /Stop following w1_1_1/ }).click();
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('.grid-groups .grid-group').length)).toBeGreaterThan(30);
    expect(new URL(page.url()).searchParams.get('follow')).toBeNull();
  }, LONG);

  it('a watched gradient shows its value before and after an edit, and the change', async () => {
    const preset = 'end2-backprop-2-2-2';
    const spec = loadPreset(preset);
    // The reference trainer: ∂E/∂w1 at epoch 0 from the class weights, and with w1 = 0.3.
    const start = flattenParams(initialParams(spec));
    const grad = (w1: number) => {
      const p = unflattenParams([w1, ...start.slice(1)], spec.model.layers, spec.model.bias);
      return flattenParams(trainEpoch(spec, p, null, spec.optimizer.lr, spec.optimizer.momentum, null).updates[0].grad)[0];
    };
    expect(grad(0.15)).toBeCloseTo(1.882556669e-4, 12); // the class value
    const page = await open(`?preset=${preset}`);
    await waitAllRows(page, spec.epochs);
    const at = await waitForCell(page, 'w1', 0);
    await page.mouse.click(at.x, at.y);
    await page.getByRole('button', { name: /Watch its gradient/ }).click();
    const row = page.locator('.watch-table tr[data-cell="epoch 0, ∂E/∂w1"]');
    await expect.poll(() => row.count()).toBe(1);
    await page.mouse.dblclick(at.x, at.y);
    await page.keyboard.type('0.3');
    await page.keyboard.press('Enter');
    await expect.poll(() => row.locator('.watch-after').getAttribute('title'), { timeout: 10_000 }).not.toBeNull();
    const before = Number(await row.locator('.watch-before').getAttribute('title'));
    const after = Number(await row.locator('.watch-after').getAttribute('title'));
    const change = Number(await row.locator('.watch-change').getAttribute('title'));
    expect(before).toBeCloseTo(grad(0.15), 15);
    expect(after).toBeCloseTo(grad(0.3), 15);
    expect(change).toBeCloseTo(grad(0.3) - grad(0.15), 15);
    const ms = await page.evaluate(() => (window as unknown as { gradsheet: ReadApi }).gradsheet.lastWatchMs);
    console.log(`[measure] edit → watched gradient updated: ${ms?.toFixed(0)} ms`);
  }, LONG);

  it('end2-xor-44: mid-re-run the progress bar shows below 100 % (screenshot), the chart keeps the old curve faintly', async () => {
    const page = await open('?preset=end2-xor-44');
    await waitAllRows(page, 2001);
    const at = await waitForCell(page, 'w1_1_1', 0);
    await page.mouse.dblclick(at.x, at.y);
    await page.keyboard.type('0.5');
    const started = Date.now();
    await page.keyboard.press('Enter');
    const progress = page.getByRole('progressbar');
    await expect.poll(() => page.locator('.controls .status').textContent(), { timeout: 10_000 }).toMatch(/^re-running after the edit: epoch \d+ of 2000$/);
    const shot = await page.screenshot();
    const mid = await progress.evaluate((p: HTMLProgressElement) => ({ value: p.value, visible: p.getBoundingClientRect().width > 0 }));
    expect(shot.byteLength).toBeGreaterThan(10_000);
    expect(mid.visible).toBe(true);
    expect(mid.value).toBeGreaterThan(0);
    expect(mid.value).toBeLessThan(1);
    await waitAllRows(page, 2001);
    console.log(`[measure] xor-44 re-run after an edit at epoch 0: ${Date.now() - started} ms, progress seen at ${(mid.value * 100).toFixed(0)} %`);
    const series = await page.evaluate(() => (window as unknown as { gradsheet: ReadApi }).gradsheet.chart());
    expect(series.map((s) => s.faint)).toEqual([false, true]);
    expect(series[1].losses.length).toBe(2001);
  }, LONG);

  it('end2-xor-44: the chart plots the epoch mean loss L̄, zero only where all four steps drew the (0,0) sample; the step losses a click away', async () => {
    const page = await open('?preset=end2-xor-44');
    await waitAllRows(page, 2001);
    const chart = () => page.evaluate(() => (window as unknown as { gradsheet: ReadApi }).gradsheet.chart());
    const [series] = await chart();
    expect(series.label).toBe('L̄');
    expect(series.losses.length).toBe(2001);
    // The mean of the epoch's four step losses, as the sheet's own cells hold them.
    for (const epoch of [1, 10, 2000]) {
      const steps = await Promise.all([1, 2, 3, 4].map((k) => api(page).value(`epoch ${epoch}, L[${k}]`))) as number[];
      expect(series.losses[epoch]).toBeCloseTo((steps[0] + steps[1] + steps[2] + steps[3]) / 4, 14);
    }
    // With no biases and tanh(0) = 0, the (0,0) sample (sample 1) always has loss 0: the mean is 0 only in an epoch
    // that drew it four times (about 1 in 256), never otherwise.
    const zeros = series.losses.map((l, e) => (l === 0 && e > 0 ? e : -1)).filter((e) => e > 0);
    for (const epoch of zeros) {
      const drawn = await Promise.all([1, 2, 3, 4].map((k) => api(page).value(`epoch ${epoch}, sample[${k}]`)));
      expect(drawn, `the samples of epoch ${epoch}, where L̄ = 0`).toEqual([1, 1, 1, 1]);
    }
    expect(zeros.length).toBeLessThan(20);
    // One click adds each step's loss; the last step's has hundreds of zeros (every epoch whose 4th draw is (0,0)).
    await page.getByRole('checkbox', { name: /each step's loss/ }).check();
    await expect.poll(async () => (await chart()).map((s) => s.label)).toEqual(['L̄', 'L[1]', 'L[2]', 'L[3]', 'L[4]']);
    const last = (await chart())[4].losses;
    expect(last.filter((l) => l === 0).length).toBeGreaterThan(300);
  }, LONG);

  it('a second click on XLSX while it is exporting starts nothing: one download', async () => {
    const page = await open('?preset=end2-backprop-2-2-2');
    await waitAllRows(page, 51);
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await openFilesMenu(page);
    const button = page.getByRole('button', { name: 'XLSX', exact: true });
    const b = (await button.boundingBox())!;
    await page.mouse.dblclick(b.x + b.width / 2, b.y + b.height / 2);
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(1);
    await page.waitForTimeout(1500);
    expect(downloads).toEqual(['end2-backprop-2-2-2-values.xlsx']);
    await expect.poll(() => button.isDisabled()).toBe(false);
  }, LONG);

  it('end2-xor-44: the export shows rows written, and Stop cancels it with nothing downloaded', async () => {
    const page = await open('?preset=end2-xor-44');
    await waitAllRows(page, 2001);
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await openFilesMenu(page);
    await page.getByRole('button', { name: 'XLSX', exact: true }).click();
    await expect.poll(() => page.locator('.controls .status').textContent(), { timeout: 20_000 }).toMatch(/^XLSX: \d+ of 2001 rows written$/);
    expect(await page.getByRole('button', { name: 'XLSX', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => page.locator('.message').textContent(), { timeout: 20_000 }).toMatch(/cancelled, nothing written/);
    await page.waitForTimeout(1000);
    expect(downloads).toEqual([]);
  }, LONG);

  it('state is never "ready" while rows are below the epochs and nothing was stopped (polled from navigation)', async () => {
    const page = await open('?preset=end2-backprop-2-2-2&epochs=400', () => {
      const seen: { state: string; rows: number; stopped: boolean }[] = [];
      (window as unknown as { __states: typeof seen }).__states = seen;
      const poll = () => {
        const g = (window as unknown as { gradsheet?: ReadApi }).gradsheet;
        if (g) {
          const last = seen[seen.length - 1];
          if (!last || last.state !== g.state || last.rows !== g.rows) seen.push({ state: g.state, rows: g.rows, stopped: g.stopped });
        }
        setTimeout(poll, 1);
      };
      poll();
    });
    await waitAllRows(page, 400);
    const seen = await page.evaluate(() => (window as unknown as { __states: { state: string; rows: number; stopped: boolean }[] }).__states);
    expect(seen[0].state).toBe('loading');
    expect(seen.some((s) => s.state === 'training')).toBe(true);
    expect(seen.filter((s) => s.state === 'ready' && s.rows < 400 && !s.stopped)).toEqual([]);
  }, LONG);

  it('end2-xor-44: Stop mid-training reads "ready" and stopped with the rows it has; Train goes on; Step at the end says so', async () => {
    const page = await open('?preset=end2-xor-44');
    // Stop is enabled once training runs; a person clicks it then.
    await page.getByRole('button', { name: 'Stop', exact: true }).click({ timeout: 60_000 });
    await expect.poll(() => api(page).state()).toMatchObject({ state: 'ready', stopped: true });
    const stoppedAt = await api(page).state();
    expect(stoppedAt!.rows).toBeLessThan(2001);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await waitAllRows(page, 2001);
    expect((await api(page).state())!.stopped).toBe(false);
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect.poll(() => page.locator('.message').textContent()).toMatch(/epoch 2000 is this sheet's last epoch/);
  }, LONG);

  it('a preset chosen in the menu loads at once', async () => {
    const page = await open('?preset=end2-backprop-2-2-2');
    await waitAllRows(page, 51);
    await page.getByRole('combobox', { name: 'preset' }).selectOption('end2-xor-9');
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('preset'))).toBe('end2-xor-9');
    await waitAllRows(page, loadPreset('end2-xor-9').epochs);
    expect(await page.locator('.grid .ht_clone_top thead th').allTextContents()).toContain(buildLayout(loadPreset('end2-xor-9')).weightColumns[0].name);
  }, LONG);
});
