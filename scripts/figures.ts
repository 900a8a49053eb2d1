import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startDevServer, waitTrained } from '../tests/support/browserHarness';

/**
 * npm run figures: the README's images, made by gradsheet's own page in headless Chromium:
 * docs/page.png (the page after training end2-xor-44, with w1_1_1 followed, its gradients watched and edited), docs/chain-rule.png (a gradient
 * cell's breakdown and gradient check) and docs/learning-rates.png (the course's six learning rates from the same
 * starting weights).
 */

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const server = await startDevServer();
const browser = await launchChromium();
try {
  // The page's tools at work: w1_1_1 followed, its gradients watched, edited at epoch 0, the gradient selected.
  const desktop = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
  await desktop.goto(server.url);
  await waitTrained(desktop);
  const nameBox = desktop.getByRole('combobox', { name: 'Name Box' });
  await nameBox.fill('epoch 0, w1_1_1');
  await nameBox.press('Enter');
  await desktop.getByRole('button', { name: 'Watch its gradients' }).click();
  await desktop.getByRole('button', { name: 'Follow w1_1_1' }).click();
  await desktop.waitForTimeout(1000);
  await desktop.evaluate(() => (window as unknown as { gradsheet: { edit(r: string, v: number): Promise<void> } }).gradsheet.edit('epoch 0, w1_1_1', 0.5));
  await nameBox.fill('epoch 0, ∂L/∂w1_1_1[1]');
  await nameBox.press('Enter');
  await desktop.waitForTimeout(800); // the diagram and heat map draw in tasks after the selection
  await desktop.evaluate(() => window.scrollTo(0, 0));
  await desktop.screenshot({ path: resolve(ROOT, 'docs/page.png'), fullPage: true });
  await desktop.close();

  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 }, deviceScaleFactor: 1 });
  await page.goto(`${server.url}?preset=end2-backprop-2-2-2`);
  await waitTrained(page);
  await page.evaluate(() => (window as unknown as { gradsheet: { select(r: string): void } }).gradsheet.select('epoch 0,∂E/∂w1'));
  await page.locator('.chain-check-run').click();
  await page.locator('.chain-check-row').waitFor();
  const bar = await page.locator('.formula-bar').boundingBox();
  await page.screenshot({ path: resolve(ROOT, 'docs/chain-rule.png'), clip: { x: 0, y: bar!.y - 4, width: 1280, height: bar!.height + 8 } });
  await page.locator('.lanes-run').click();
  await page.waitForFunction(() => document.querySelectorAll('.lanes-table tr').length > 2, null, { timeout: 120_000 });
  await page.locator('.lanes-panel').screenshot({ path: resolve(ROOT, 'docs/learning-rates.png') });
  process.stdout.write('wrote docs/page.png, docs/chain-rule.png and docs/learning-rates.png\n');
} finally {
  await browser.close();
  await server.close();
}
