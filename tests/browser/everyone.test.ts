import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
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
    const box = await page.locator('.network .link[data-param="w5"] line').last().boundingBox();
    expect(box, 'the link of w5 in the diagram').not.toBeNull();
    await page.mouse.click(box!.x + box!.width * 0.4, box!.y + box!.height * 0.4);
    await expect.poll(() => fieldText(page, 'name')).toBe('w5 · epoch 7');
    const value = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): number } }).gradsheet.value('epoch 7, w5'));
    await expect.poll(() => page.locator('.network .link[data-param="w5"] .link-value').textContent()).toBe(String(Number(value.toPrecision(3))));
    // Its tooltip names the gradient as the sheet does (this sheet's loss is E).
    expect(await page.locator('.network .link[data-param="w5"] > title').textContent()).toContain('∂E/∂w5 = ');
    expect(await page.locator('.network .link[data-param="w5"] .vis.lit').count()).toBe(1);
    // A unit selects its activation cell.
    await page.locator('.network .unit[data-unit="h1"]').click();
    await expect.poll(() => fieldText(page, 'name')).toBe('a_h1 · epoch 7');
    expect(errors.list).toEqual([]);
    await page.context().close();
  }, 120_000);
});
