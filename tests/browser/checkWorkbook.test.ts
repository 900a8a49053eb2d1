import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { browserSuite } from '../support/browserSuite';

/**
 * The page's "Check a workbook" on a whole class: choosing the four real workbooks of ../shared/workbooks at once
 * (as a person picks files), the table shows one row per file and sheet, and clicking a row opens its report.
 * Only what a user does: choosing files, clicking.
 */

const SHARED = fileURLToPath(new URL('../../../shared/workbooks/', import.meta.url));
const present = existsSync(join(SHARED, 'TRUTH.md'));
if (!present) console.warn(`tests/browser/checkWorkbook.test.ts: ${SHARED} is absent, so the page's class check is skipped`);

const suite = browserSuite();

describe.skipIf(!present)('Check a workbook on the page, many files at once', () => {
  it('shows the table of files and sheets, and a row opens its full report', async () => {
    const { page } = await suite.openPage('check');
    await page.goto(`${suite.url}?preset=end2-backprop-2-2-2`);
    const files = ['ashwin', 'dhairyag', 'harshvs', 'sualeh'].map((n) => join(SHARED, `${n}.xlsx`));
    await page.setInputFiles('input[name=check-workbook]', files);
    const table = page.locator('.check-report table.check-table');
    await expect.poll(() => table.locator('tr').count(), { timeout: 120_000 }).toBe(1 + 2 * 11);
    const rows = await table.locator('tr:not([hidden])').allTextContents();
    expect(rows.slice(1).map((r) => r.split(/PASS|FAIL|NUMBERS ONLY/)[0])).toEqual([
      'ashwin.xlsxtraining', 'ashwin.xlsxlr_charts', 'dhairyag.xlsxSheet1',
      ...['LR_0.1', 'LR_0.2', 'LR_0.5', 'LR_0.8', 'LR_1', 'LR_2'].map((s) => `harshvs.xlsx${s}`),
      'sualeh.xlsxRohan', 'sualeh.xlsxSelf',
    ]);
    expect(await page.locator('.check-report strong').textContent()).toMatch(/4 workbook\(s\), 11 sheet\(s\): 2 pass, 9 not/);
    const rohan = table.locator('tr', { hasText: 'Rohan' }).first();
    expect(await rohan.textContent()).toContain('wrong gradients: w3 (Z, every row), w4 (AA, every row)');
    const report = table.locator('tr:has(td[colspan]) pre', { hasText: 'Sheet "Rohan"' });
    expect(await report.isVisible()).toBe(false);
    await rohan.getByRole('button', { name: 'FAIL' }).click();
    await expect.poll(() => report.isVisible()).toBe(true);
    expect(await report.textContent()).toContain('fix: Z33: =((R33-A33)*R33*(1-R33)*N33+(T33-B33)*T33*(1-T33)*P33)*L33*(1-L33)*C33');
    await rohan.getByRole('button', { name: 'FAIL' }).click();
    await expect.poll(() => report.isVisible()).toBe(false);
  }, 240_000);
});
