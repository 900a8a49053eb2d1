import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { captureErrors } from '../support/browserHarness';
import { browserSuite } from '../support/browserSuite';
import { E_TOTAL_BY_LR, ITERATIONS } from '../support/golden';

/** Understanding the numbers in the page: the chain-rule breakdown, the gradient check, the learning-rate lanes. */

const { trainedPage } = browserSuite();

describe('the page explains every number', () => {
  it('a gradient cell shows its chain as linked factors with values equal to the cell, and its gradient check', async () => {
    const page = await trainedPage('?preset=end2-backprop-2-2-2');
    const errors = captureErrors(page);
    await page.evaluate(() => (window as unknown as { gradsheet: { select(r: string): void } }).gradsheet.select('epoch 0,∂E/∂w1'));
    const lines = page.locator('.chain-line');
    await expect.poll(() => lines.count()).toBe(2);
    expect(await lines.nth(0).textContent()).toMatch(/^∂E\/∂w1 = ∂E\/∂h1.*·i1.* = 0\.000188255666\d* ✓ equals the cell$/);
    const labels = await lines.nth(1).locator('.chain-label').allTextContents();
    expect(labels).toEqual(['∂E/∂a_o1', '∂a_o1/∂o1', 'w5', '∂E/∂a_o2', '∂a_o2/∂o2', 'w7', '∂a_h1/∂h1', 'i1']);
    expect(await lines.nth(1).textContent()).toMatch(/✓ equals the cell/);
    expect(await page.locator('.chain-explain').textContent()).toMatch(/chain rule/);
    const api = await page.evaluate(() => (window as unknown as { gradsheet: { breakdown(r: string, e: number): string } }).gradsheet.breakdown('epoch 0,∂E/∂w1', 8));
    expect(api).toBe('∂E/∂w1 = (∂E/∂a_o1·∂a_o1/∂o1·w5 + ∂E/∂a_o2·∂a_o2/∂o2·w7)·∂a_h1/∂h1·i1');

    // A factor is a link: clicking w5 selects the w5 cell of the same epoch.
    await lines.nth(1).locator('.chain-factor[data-column="w5"]').click();
    await expect.poll(() => page.locator('.fb-name .fb-value').textContent()).toBe('w5 · epoch 0');
    expect(await page.locator('.chain-explain').textContent()).toMatch(/A weight/);

    await page.evaluate(() => (window as unknown as { gradsheet: { select(r: string): void } }).gradsheet.select('epoch 50,∂E/∂w6'));
    await page.locator('.chain-check-run').click();
    const row = page.locator('.chain-check-row');
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toMatch(/gradient check of epoch 50: 8 gradient cells, 0 failed; worst relative error \d\.\d\de-\d+ .* ✓/);
    expect(await page.locator('.chain-check-cell').textContent()).toMatch(/this cell: claimed .* relative error \d\.\d\de-\d+ .*✓ pass/);
    expect(errors.list).toEqual([]);
    await page.close();
  }, 180_000);

  it('the learning-rate panel trains the course\'s six learning rates and shows the course table and curves', async () => {
    const page = await trainedPage('?preset=end2-backprop-2-2-2');
    expect(await page.locator('.lanes-panel input[name=lanes]').inputValue()).toBe('0.1, 0.2, 0.5, 0.8, 1, 2');
    await page.locator('.lanes-run').click();
    await expect.poll(() => page.locator('.lanes-table tr').count(), { timeout: 60_000 }).toBe(1 + ITERATIONS.length);
    const rows = await page.locator('.lanes-table tr').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.children].map((td) => Number(td.textContent))));
    ITERATIONS.forEach((it, i) => {
      expect(rows[i][0]).toBe(it);
      ['0.1', '0.2', '0.5', '0.8', '1.0', '2.0'].forEach((lr, lane) => expect(Math.abs(rows[i][1 + lane] - E_TOTAL_BY_LR[lr][i])).toBeLessThan(1e-9));
    });
    expect(await page.locator('.lanes-chart .u-legend .u-series').count()).toBe(7); // epoch + six lanes

    // The comparison as a workbook: a sheet per learning rate and a Compare sheet of formulas over their losses.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('.lanes-xlsx').click()]);
    const book = new ExcelJS.Workbook();
    const bytes = await readFile((await download.path())!);
    await book.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['Compare', 'lr 0.1', 'lr 0.2', 'lr 0.5', 'lr 0.8', 'lr 1', 'lr 2', 'Data', 'Run', 'Columns']);
    const compare = book.getWorksheet('Compare')!;
    const cell = compare.getCell(2 + 50, 7); // epoch 50, η = 2
    expect((cell.value as { formula: string }).formula).toMatch(/^'lr 2'!\$?[A-Z]+\$?52$/);
    expect(Math.abs((cell.value as { result: number }).result - E_TOTAL_BY_LR['2.0'][6])).toBeLessThan(1e-9);
    await page.close();
  }, 180_000);
});
