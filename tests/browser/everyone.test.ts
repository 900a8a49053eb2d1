import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../src/data/datasets';
import { buildLayout } from '../../src/layout/layout';
import { loadPreset } from '../../src/spec/presets';
import { parseSpec, toSpecJson } from '../../src/spec/validate';
import { axeViolations } from '../support/axe';
import { captureErrors, waitTrained } from '../support/browserHarness';
import { browserSuite } from '../support/browserSuite';

/**
 * The page for everyone (issue 18): a layout that fits, keyboard and screen-reader access (axe-core in light and
 * dark mode), the clickable diagram and the network editor, driven by clicks and keys only.
 */

const suite = browserSuite();

async function openAt(width: number, height: number, query: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await suite.browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  await page.goto(`${suite.url}${query}`);
  await waitTrained(page);
  return page;
}

const fieldText = (page: Page, field: string) => page.locator(`output[data-field="${field}"]`).textContent().then((t) => t ?? '');

describe('the page fits its window', () => {
  for (const [width, height] of [[1024, 768], [1440, 900]] as const) {
    it(`at ${width}×${height} nothing is wider than the window, after training and after selecting a gradient; the grid stays put`, async () => {
      const page = await openAt(width, height, '?preset=end2-course-xor-2-2-1');
      const errors = captureErrors(page);
      const measure = () => page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        gridTop: document.querySelector('.grid')!.getBoundingClientRect().top + window.scrollY,
        heat: (() => {
          const c = document.querySelector('.heatmap canvas')?.getBoundingClientRect();
          const box = document.querySelector('.heatmap')!.getBoundingClientRect();
          return c ? { left: c.left - box.left, right: box.right - c.right } : null;
        })(),
      }));
      const trained = await measure();
      expect(trained.scrollWidth).toBe(width);
      expect(trained.heat, 'the heat map is drawn').not.toBeNull();
      expect(trained.heat!.left).toBeGreaterThanOrEqual(0);
      expect(trained.heat!.right).toBeGreaterThanOrEqual(0);
      // A gradient cell, gone to by keys: the Name Box.
      await page.getByRole('combobox', { name: 'Name Box' }).click();
      await page.keyboard.type('epoch 3, ∂E/∂w1[1]');
      await page.keyboard.press('Enter');
      await expect.poll(() => fieldText(page, 'name')).toBe('∂E/∂w1[1] · epoch 3');
      await page.waitForTimeout(300);
      const selected = await measure();
      expect(selected.scrollWidth).toBe(width);
      expect(selected.gridTop).toBe(trained.gridTop);
      expect(errors.list).toEqual([]);
      await page.context().close();
    }, 180_000);
  }
});

describe('keyboard and screen readers', () => {
  it('Tab from the last toolbar control enters the grid, one more Tab leaves it; arrows move inside', async () => {
    const page = await openAt(1440, 900, '?preset=end2-backprop-2-2-2');
    const last = page.locator('.toolbar button, .toolbar summary, .toolbar select, .toolbar input').last();
    await last.focus();
    await page.keyboard.press('Tab');
    const inGrid = () => page.evaluate(() => !!document.activeElement?.closest('.grid'));
    expect(await inGrid()).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => fieldText(page, 'name')).toMatch(/· epoch 1$/);
    await page.keyboard.press('Tab');
    expect(await inGrid()).toBe(false);
    await page.context().close();
  }, 120_000);

  for (const scheme of ['light', 'dark'] as const) {
    it(`axe-core finds no serious or critical violation on the trained page (${scheme})`, async () => {
      const page = await openAt(1440, 900, '?preset=end2-course-xor-2-2-1', scheme);
      await page.evaluate(() => (window as unknown as { gradsheet: { select(r: string): void } }).gradsheet.select('epoch 3, ∂E/∂w1[1]'));
      await page.waitForTimeout(500);
      const found = await axeViolations(page);
      expect(found, JSON.stringify(found, null, 1)).toEqual([]);
      // Headings in order: one h1, and no level skipped on the way down.
      const levels = await page.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
        .filter((h) => (h as HTMLElement).offsetParent !== null).map((h) => Number(h.tagName[1])));
      expect(levels[0]).toBe(1);
      levels.forEach((l, i) => expect(l - (levels[i - 1] ?? 0), `heading ${i} (h${l})`).toBeLessThanOrEqual(1));
      // And with the network editor, the help panel and the Files menu open.
      await page.getByRole('button', { name: 'Network…' }).click();
      await page.getByRole('button', { name: 'Help' }).click();
      await page.locator('details.files-menu > summary').click();
      const open = await axeViolations(page);
      expect(open, JSON.stringify(open, null, 1)).toEqual([]);
      await page.context().close();
    }, 120_000);
  }
});

describe('the network diagram', () => {
  it('a click on a link selects that weight at the selected epoch, named as the sheet names it; the chain lights up', async () => {
    const page = await openAt(1440, 900, '?preset=end2-backprop-2-2-2');
    const errors = captureErrors(page);
    // Select a row first (the Name Box, by keys), then click the link of w5 in the diagram.
    await page.getByRole('combobox', { name: 'Name Box' }).click();
    await page.keyboard.type('epoch 7, E_total');
    await page.keyboard.press('Enter');
    await expect.poll(() => fieldText(page, 'name')).toBe('E_total · epoch 7');
    const line = page.locator('.network .link[data-param="w5"] line').last();
    await line.scrollIntoViewIfNeeded();
    const box = await line.boundingBox();
    expect(box, 'the link of w5 in the diagram').not.toBeNull();
    await page.mouse.click(box!.x + box!.width * 0.4, box!.y + box!.height * 0.4);
    await expect.poll(() => fieldText(page, 'name')).toBe('w5 · epoch 7');
    const value = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): number } }).gradsheet.value('epoch 7, w5'));
    await expect.poll(() => page.locator('.network .link[data-param="w5"] .link-value').textContent()).toBe(String(Number(value.toPrecision(3))));
    // Its tooltip names the gradient as the sheet does (this sheet's loss is E).
    expect(await page.locator('.network .link[data-param="w5"] > title').textContent()).toContain('∂E/∂w5 = ');
    expect(await page.locator('.network .link[data-param="w5"] .vis.lit').count()).toBe(1);
    // A unit selects its activation cell.
    await page.locator('.network .unit[data-unit="h1"] circle').click();
    await expect.poll(() => fieldText(page, 'name')).toBe('a_h1 · epoch 7');
    expect(errors.list).toEqual([]);
    await page.context().close();
  }, 120_000);
});

describe('the network editor', () => {
  it('builds a 2-3-1 sigmoid network on the circle data entirely from the editor, trains it, and shows a gradient\'s formula', async () => {
    const page = await openAt(1440, 900, '?preset=end2-backprop-2-2-2');
    const errors = captureErrors(page);
    await page.getByRole('button', { name: 'Network…' }).click();
    const editor = page.getByRole('region', { name: 'Network editor' });
    await editor.getByRole('combobox', { name: 'data set' }).selectOption({ label: 'circle' });
    await editor.getByRole('spinbutton', { name: 'samples' }).fill('20');
    await editor.getByRole('button', { name: 'one unit more in hidden layer 1' }).click();
    await editor.getByRole('combobox', { name: 'hidden layer 1 activation' }).selectOption('sigmoid');
    await editor.getByRole('combobox', { name: 'output activation' }).selectOption('sigmoid');
    await editor.getByRole('combobox', { name: 'starting weights' }).selectOption({ label: 'Xavier (Glorot) uniform' });
    await editor.getByRole('checkbox', { name: 'biases' }).check();
    await editor.getByRole('spinbutton', { name: 'epochs' }).fill('40');
    // The cell count is shown before building: this network's row, from the layout's own count (independent).
    await expect.poll(() => editor.locator('.editor-cells').textContent()).toMatch(/cells a row × 40 epochs = [\d,]+ cells \(limits: 16,384 a row, 5,000,000 in all\)/);
    await editor.getByRole('button', { name: 'Build and train' }).click();
    await page.waitForFunction(() => {
      const g = (window as unknown as { gradsheet: { state: string; rows: number; settings: { preset: string } } }).gradsheet;
      return g.state === 'ready' && g.rows === 40 && g.settings.preset === 'circle-2-3-1';
    }, null, { timeout: 120_000 });
    await expect.poll(() => page.locator('.controls .summary').textContent()).toMatch(/^circle-2-3-1: 2-3-1, 13 parameters/); // 2·3 + 3 biases + 3·1 + 1 bias
    // A gradient's formula, read by going to it (Name Box, keys); its name as the layout gives it for this network.
    const layout = buildLayout(parseSpec({
      model: { layers: [2, 3, 1], bias: true, activations: ['sigmoid', 'sigmoid'], loss: 'half-sse' },
      data: DATASETS.circle.make(20, 0), optimizer: { lr: 0.5 }, batch: 'full', epochs: 40,
    }));
    const grad = layout.columns.filter((c) => c.kind === 'grad')[4].name;
    await page.getByRole('combobox', { name: 'Name Box' }).click();
    await page.keyboard.type(`epoch 5, ${grad}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => fieldText(page, 'name')).toBe(`${grad} · epoch 5`);
    expect(await fieldText(page, 'formula')).toMatch(/^=/);
    expect(await fieldText(page, 'named')).toContain('·');
    expect(errors.list).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('an invalid layer size shows the validator\'s message beside it and leaves the current sheet as it was', async () => {
    const page = await openAt(1440, 900, '?preset=end2-backprop-2-2-2');
    const before = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): unknown } }).gradsheet.value('epoch 50, E_total'));
    await page.getByRole('button', { name: 'Network…' }).click();
    const editor = page.getByRole('region', { name: 'Network editor' });
    const units = editor.getByRole('textbox', { name: 'hidden layer 1 units' });
    await units.fill('65');
    const message = editor.locator(`#${await units.getAttribute('aria-describedby')}`);
    await expect.poll(() => message.textContent()).toBe('model.layers[1]: must be a whole number from 1 to 64, got 65');
    expect(await units.getAttribute('aria-invalid')).toBe('true');
    expect(await editor.getByRole('button', { name: 'Build and train' }).isDisabled()).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): unknown } }).gradsheet.value('epoch 50, E_total'))).toBe(before);
    expect(await page.evaluate(() => (window as unknown as { gradsheet: { settings: { preset: string } } }).gradsheet.settings.preset)).toBe('end2-backprop-2-2-2');
    await page.context().close();
  }, 120_000);
});

describe('the network editor\'s optimizer', () => {
  it('Adam chosen in the editor with β1 0.8 builds an Adam sheet; β1 1.5 is refused beside its box and leaves the sheet', async () => {
    const page = await openAt(1440, 900, '?preset=end2-backprop-2-2-2');
    const errors = captureErrors(page);
    type G = { gradsheet: { value(r: string): unknown; formula(r: string): string | null; state: string; rows: number; settings: { preset: string } } };
    const before = await page.evaluate(() => (window as unknown as G).gradsheet.value('epoch 50, E_total'));
    await page.getByRole('button', { name: 'Network…' }).click();
    const editor = page.getByRole('region', { name: 'Network editor' });
    const kind = editor.getByRole('combobox', { name: 'optimizer' });
    await kind.focus();
    await kind.selectOption({ label: 'Adam' });
    const beta1 = editor.getByRole('textbox', { name: 'β1 (betas[0])' });
    // PyTorch's default, shown for a kind the sheet does not use; the tooltip explains it.
    expect(await beta1.inputValue()).toBe('0.9');
    expect(await beta1.getAttribute('title')).toMatch(/^β1: how slowly the running mean of the gradients/);
    await beta1.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('1.5');
    const message = editor.locator(`#${await beta1.getAttribute('aria-describedby')}`);
    await expect.poll(() => message.textContent()).toBe('optimizer.betas[0]: must be from 0 up to (not including) 1, got 1.5');
    expect(await beta1.getAttribute('aria-invalid')).toBe('true');
    const build = editor.getByRole('button', { name: 'Build and train' });
    expect(await build.isDisabled()).toBe(true);
    expect(await page.evaluate(() => (window as unknown as G).gradsheet.value('epoch 50, E_total'))).toBe(before);
    expect(await page.evaluate(() => (window as unknown as G).gradsheet.settings.preset)).toBe('end2-backprop-2-2-2');

    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('0.8');
    await expect.poll(() => message.textContent()).toBe('');
    // The count before building is the Adam sheet's (its moments and bias-corrected cells), from the layout.
    const adam = buildLayout(parseSpec({ ...toSpecJson(loadPreset('end2-backprop-2-2-2')), optimizer: { kind: 'adam', betas: [0.8, 0.999] } }));
    await expect.poll(() => editor.locator('.editor-cells').textContent()).toContain(`This sheet: ${adam.columns.length.toLocaleString('en-US')} cells a row`);
    await build.click();
    await page.waitForFunction((epochs) => {
      const g = (window as unknown as G).gradsheet;
      if (g.state !== 'ready' || g.rows !== epochs || g.settings.preset === 'end2-backprop-2-2-2') return false;
      try {
        return g.value('epoch 0, β1') === 0.8; // the new sheet has a β1 column (the old one throws: none)
      } catch {
        return false;
      }
    }, loadPreset('end2-backprop-2-2-2').epochs, { timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as G).gradsheet.value('epoch 0, β2'))).toBe(0.999);
    // Adam's bias-corrected moment, and no decoupled decay of the weight (AdamW's 1 − η·λ).
    expect(await page.evaluate(() => (window as unknown as G).gradsheet.formula('epoch 0, m̂_w5'))).toMatch(/^=.*\/\(1-/);
    expect(await page.evaluate(() => (window as unknown as G).gradsheet.formula('epoch 0, new w5'))).not.toContain('*(1-');
    expect(errors.list).toEqual([]);
    await page.context().close();
  }, 180_000);
});

describe('files and links', () => {
  it('a spec file dropped on the page opens; a network shared by link opens in another browser as it was built', async () => {
    const page = await openAt(1440, 900, '?preset=end2-backprop-2-2-2');
    const errors = captureErrors(page);
    const spec = {
      name: 'dropped-and-2-2-1', model: { layers: [2, 2, 1], bias: true, activations: ['tanh', 'sigmoid'], loss: 'mse' },
      data: DATASETS.and.make(0, 0), optimizer: { lr: 0.5 }, batch: 'full', epochs: 30, seed: 3, init: 'xavier',
    };
    // A drop as the browser delivers it: a DataTransfer holding the file.
    const transfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      return dt;
    }, JSON.stringify(spec));
    await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
    await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
    await page.waitForFunction(() => {
      const g = (window as unknown as { gradsheet: { state: string; rows: number; settings: { preset: string } } }).gradsheet;
      return g.state === 'ready' && g.rows === 30 && g.settings.preset === 'dropped-and-2-2-1';
    }, null, { timeout: 60_000 });
    const loss = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): number } }).gradsheet.value('epoch 29, L'));

    await page.getByRole('button', { name: 'Network…' }).click();
    await page.getByRole('button', { name: 'Share by link' }).click();
    const link = await page.getByRole('textbox', { name: 'link to this network' }).inputValue();
    expect(link).toMatch(/\?spec=[A-Za-z0-9_-]+$/);
    const other = await openAt(1024, 768, link.slice(suite.url.length));
    expect(await other.evaluate(() => (window as unknown as { gradsheet: { settings: { preset: string } } }).gradsheet.settings.preset)).toBe('dropped-and-2-2-1');
    expect(await other.evaluate(() => (window as unknown as { gradsheet: { value(r: string): number } }).gradsheet.value('epoch 29, L'))).toBe(loss);
    expect(errors.list).toEqual([]);
    await other.context().close();
    await page.context().close();
  }, 180_000);
});
