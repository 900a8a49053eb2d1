import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/support/browserHarness';

/**
 * Screenshots of the page at the three sizes the issues name, after training and with a gradient selected:
 * `npx tsx scripts/pageShots.ts URL OUTDIR [preset] [cell] [dark]`. Prints each size's scrollWidth against its viewport.
 */
const [url = 'http://127.0.0.1:5173/', out = 'docs', preset = 'end2-backprop-2-2-2', cell = 'epoch 3, ∂E/∂w1', dark] = process.argv.slice(2);
const SIZES = [[1440, 900], [1024, 768], [390, 844]] as const;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
for (const [width, height] of SIZES) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: dark ? 'dark' : 'light' });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  await page.goto(`${url}?preset=${preset}`);
  await page.waitForFunction(() => {
    const g = (window as unknown as { gradsheet?: { state: string; rows: number } }).gradsheet;
    return g?.state === 'ready' && g.rows > 1;
  }, null, { timeout: 120_000 });
  const gridTop = () => page.evaluate(() => document.querySelector('.grid')?.getBoundingClientRect().top ?? -1);
  const before = await gridTop();
  const trained = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.evaluate((ref) => (window as unknown as { gradsheet: { select(r: string): void } }).gradsheet.select(ref), cell);
  await page.waitForTimeout(800);
  const selected = await page.evaluate(() => document.documentElement.scrollWidth);
  const after = await gridTop();
  console.log(`${width}×${height}: scrollWidth trained ${trained}, selected ${selected}; grid top ${before} → ${after}`);
  await page.screenshot({ path: `${out}/page-${width}${dark ? '-dark' : ''}.png`, fullPage: false });
  if (process.env.FULL) await page.screenshot({ path: `${out}/page-${width}${dark ? '-dark' : ''}-full.png`, fullPage: true });
  await context.close();
}
await browser.close();
