import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { captureErrors, openFilesMenu } from '../support/browserHarness';
import { browserSuite } from '../support/browserSuite';
import { setCellValueInFile, tempPath } from '../support/xlsxFiles';
import { waitForCell } from '../support/browserHarness';
import { pythonWith, runAsync } from '../support/python';

/** The page's files: XLSX, CSV, notebook and script downloads, and importing a workbook (edited in a spreadsheet) back. */

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
    await expect.poll(() => message(page), { timeout: 20_000 }).toMatch(/notes\.xlsx: not an XLSX file: it is not a zip archive.*The current sheet is unchanged/);
    const after = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): unknown } }).gradsheet.value('epoch 50, E_total'));
    expect(after).toBe(before);
  }, 120_000);

  it('crafted workbooks (a merge over the whole sheet, an inflated size that lies, an encrypted file) get their message, the sheet unchanged', async () => {
    const page = await trainedPage('?preset=end2-backprop-2-2-2');
    const errors = captureErrors(page);
    const before = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): unknown } }).gradsheet.value('epoch 50, E_total'));
    const { compoundFile, craftXlsx, row, whitespaceBomb } = await import('../support/craftedFiles');
    const { writeFile } = await import('node:fs/promises');
    const files: [string, Uint8Array, RegExp][] = [
      ['merged.xlsx', await craftXlsx([{ name: 'S', rows: row(1, ['A1', 1]), tail: '<mergeCells count="1"><mergeCell ref="AG1:XFD1048576"/></mergeCells>' }]), /merged\.xlsx: not a workbook exported by gradsheet/],
      ['lying.xlsx', whitespaceBomb(300, 1000), /lying\.xlsx: the part xl\/worksheets\/sheet1\.xml inflates to more than the 1,000 bytes its zip entry declares/],
      ['locked.xlsx', compoundFile('EncryptedPackage'), /locked\.xlsx: a password-protected \(encrypted\) workbook/],
    ];
    for (const [name, bytes, expected] of files) {
      const path = tempPath(name);
      await writeFile(path, bytes);
      await page.setInputFiles('input[name=import]', path);
      await expect.poll(() => message(page), { timeout: 30_000 }).toMatch(expected);
      expect(await message(page)).toContain('The current sheet is unchanged');
    }
    const after = await page.evaluate(() => (window as unknown as { gradsheet: { value(r: string): unknown } }).gradsheet.value('epoch 50, E_total'));
    expect(after).toBe(before);
    expect(errors.list).toEqual([]);
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

  it('after an edit typed into the grid, downloads the notebook and the script of that run; PyTorch computes its losses', async () => {
    const page = await trainedPage('?preset=end2-backprop-2-2-2');
    const errors = captureErrors(page);
    type Api = { gradsheet: { state: string; rows: number; value(r: string): number } };
    const at = await waitForCell(page, 'w1', 0);
    await page.mouse.dblclick(at.x, at.y);
    await page.keyboard.type('0.3');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const g = (window as unknown as Api).gradsheet;
      return g.state === 'ready' && g.value('epoch 0, w1') === 0.3 && g.rows === 51;
    }, null, { timeout: 60_000 });
    const sheet = await page.evaluate(() => Array.from({ length: 51 }, (_, e) => (window as unknown as Api).gradsheet.value(`epoch ${e}, E_total`)));

    await openFilesMenu(page);
    const [nb] = await Promise.all([page.waitForEvent('download'), page.click('button[name=export-notebook]')]);
    expect(nb.suggestedFilename()).toBe('end2-backprop-2-2-2.ipynb');
    const ipynb = JSON.parse(await readFile((await nb.path())!, 'utf8')) as { nbformat: number; cells: { cell_type: string; source: string[] }[] };
    await openFilesMenu(page);
    const [sc] = await Promise.all([page.waitForEvent('download'), page.click('button[name=export-script]')]);
    expect(sc.suggestedFilename()).toBe('end2-backprop-2-2-2.py');
    const scriptPath = tempPath('end2-backprop-2-2-2.py');
    await sc.saveAs(scriptPath);
    const py = await readFile(scriptPath, 'utf8');
    expect(ipynb.nbformat).toBe(4);
    expect(`${ipynb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join('')).join('\n\n')}\n`).toBe(py);
    expect(py).toContain('[0.3, 0.2],  # w1 w2');
    expect(await message(page)).toMatch(/wrote end2-backprop-2-2-2\.py/);

    const python = pythonWith('torch');
    if (!python) {
      console.warn('tests/browser/files.test.ts: no python3 with torch, the downloaded script is not run');
    } else {
      const out = tempPath('torch.json');
      const ran = await runAsync(python, ['tests/support/notebook_harness.py', scriptPath, out]);
      expect(ran.status, ran.stderr).toBe(0);
      const torch = JSON.parse(await readFile(out, 'utf8')) as { losses: number[] };
      torch.losses.forEach((l, e) => expect(Math.abs(l - sheet[e]), `epoch ${e}`).toBeLessThan(1e-9));
      expect(ran.stdout).toContain('the notebook and the sheet agree on all 51 epochs to 1e-9');
    }
    expect(errors.list).toEqual([]);
  }, 180_000);
});
