import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { captureErrors, openFilesMenu } from '../support/browserHarness';
import { browserSuite } from '../support/browserSuite';
import { setCellValueInFile, tempPath } from '../support/xlsxFiles';

/** The page's files: XLSX and CSV downloads, and importing a workbook (edited in a spreadsheet) back. */

const { trainedPage } = browserSuite();

const message = (page: Page) => page.locator('.controls .message').textContent();

describe('the page exports and imports files', () => {
  it('downloads an XLSX, which imported back (with a new learning rate typed into it) retrains with it', async () => {
    const page = await trainedPage('?preset=end2-backprop-2-2-2');
    const errors = captureErrors(page);
    await openFilesMenu(page);
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('button[name=export-values]')]);
    expect(xlsx.suggestedFilename()).toBe('end2-backprop-2-2-2-values.xlsx');
    const path = tempPath('downloaded.xlsx');
    await xlsx.saveAs(path);
    await setCellValueInFile(path, 'B2', 2); // η at epoch 0, as a user would type it in a spreadsheet

    await page.setInputFiles('input[name=import]', path);
    await page.waitForFunction(() => {
      const g = (window as unknown as { gradsheet: { state: string; rows: number; value(r: string): unknown } }).gradsheet;
      return g.state === 'ready' && g.rows === 51 && g.value('epoch 0, η') === 2;
    }, null, { timeout: 60_000 });
    // The class table, η = 2.0, iteration 50.
    const loss = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): number } }).gradsheet.value('epoch 50, E_total'));
    expect(Math.abs(loss - 0.0122261078)).toBeLessThan(1e-9);
    expect(errors.list).toEqual([]);
  }, 180_000);

  it('a file that is not a gradsheet workbook gets a message and leaves the sheet as it was', async () => {
    const page = await trainedPage('?preset=end2-backprop-2-2-2');
    const before = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): unknown } }).gradsheet.value('epoch 50, E_total'));
    const junk = tempPath('notes.xlsx');
    await import('node:fs/promises').then((fs) => fs.writeFile(junk, 'these are not the bytes of a workbook'));
    await page.setInputFiles('input[name=import]', junk);
    await expect.poll(() => message(page), { timeout: 20_000 }).toMatch(/notes\.xlsx: not a readable XLSX file.*The current sheet is unchanged/);
    const after = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): unknown } }).gradsheet.value('epoch 50, E_total'));
    expect(after).toBe(before);
  }, 120_000);

  it('downloads the loss curve and a range of rows as CSV, with a byte-order mark for Excel unless it is unticked', async () => {
    const page = await trainedPage('?preset=end2-backprop-2-2-2');
    await openFilesMenu(page);
    const [loss] = await Promise.all([page.waitForEvent('download'), page.click('button[name=export-loss]')]);
    const lossBytes = await readFile((await loss.path())!);
    // EF BB BF: the UTF-8 byte-order mark, which makes Excel on Windows read η, μ and ∂ as UTF-8.
    expect([...lossBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lossText = lossBytes.subarray(3).toString('utf8');
    expect(lossText.split('\n')[0]).toBe('epoch,E_total');
    expect(lossText.split('\n')[1]).toBe('0,0.24251985734837728');
    await page.fill('input[name=rows-from]', '2');
    await page.fill('input[name=rows-to]', '4');
    await page.getByRole('checkbox', { name: /byte-order mark/ }).uncheck();
    const [rows] = await Promise.all([page.waitForEvent('download'), page.click('button[name=export-rows]')]);
    const lines = (await readFile((await rows.path())!, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0].startsWith('epoch,η,w1,w2')).toBe(true);
    expect(lines[1].startsWith('2,0.5,')).toBe(true);
  }, 120_000);
});
