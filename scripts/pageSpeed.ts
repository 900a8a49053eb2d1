import type { Page } from 'playwright-core';
import { launchChromium, startDevServer, waitForCell } from '../tests/support/browserHarness';

/**
 * npx tsx scripts/pageSpeed.ts [ROUNDS]: the page's waits on end2-xor-44 (2001 epochs) in headless Chromium at
 * 1440×900, acted as a person does (keys and clicks; window.gradsheet only read): load to the trained sheet, a new
 * η typed into the controls and Train to the trained sheet, an epoch-0 weight edit to every later epoch re-run,
 * and the XLSX button to the download. Prints each round and the medians. Figures are wall-clock on a shared
 * machine: compare them with a baseline measured in the same session.
 */

interface ReadApi { state: string; rows: number; value(ref: string): unknown }
const ROUNDS = Number(process.argv[2] ?? 3);
const EPOCHS = 2001;
const LONG = 600_000;

const done = (page: Page, check: string) => page.waitForFunction(([n, ref, want]) => {
  const g = (window as unknown as { gradsheet?: ReadApi }).gradsheet;
  return g?.state === 'ready' && g.rows === n && (ref === '' || g.value(ref as string) === want);
}, [EPOCHS, ...check.split('=')] as [number, string, string], { timeout: LONG, polling: 50 });

const training = (page: Page) => page.waitForFunction(() => (window as unknown as { gradsheet?: ReadApi }).gradsheet?.state === 'training', null, { timeout: 30_000, polling: 20 });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const server = await startDevServer();
const browser = await launchChromium();
const figures: Record<string, number[]> = { load: [], lr: [], edit: [], xlsx: [] };
try {
  // The dev server compiles modules on first request: one load first, not measured.
  const warm = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await warm.goto(`${server.url}?preset=end2-backprop-2-2-2`);
  await warm.waitForFunction(() => (window as unknown as { gradsheet?: ReadApi }).gradsheet?.state === 'ready', null, { timeout: LONG });
  await warm.close();
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    let t = Date.now();
    await page.goto(`${server.url}?preset=end2-xor-44`);
    await done(page, '');
    figures.load.push(Date.now() - t);

    const lr = String(0.3 + round / 100);
    await page.locator('input[name=lr]').fill(lr);
    t = Date.now();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await training(page);
    // The values sent back are numbers; compare as the page reads them.
    await page.waitForFunction(([n, want]) => {
      const g = (window as unknown as { gradsheet?: ReadApi }).gradsheet;
      return g?.state === 'ready' && g.rows === n && g.value('epoch 0, η') === want;
    }, [EPOCHS, Number(lr)] as [number, number], { timeout: LONG, polling: 50 });
    figures.lr.push(Date.now() - t);

    const at = await waitForCell(page, 'w1_1_1', 0, 30_000);
    await page.mouse.dblclick(at.x, at.y);
    await page.keyboard.type('0.5');
    t = Date.now();
    await page.keyboard.press('Enter');
    await training(page);
    await page.waitForFunction(([n]) => {
      const g = (window as unknown as { gradsheet?: ReadApi }).gradsheet;
      return g?.state === 'ready' && g.rows === n && g.value('epoch 0, w1_1_1') === 0.5;
    }, [EPOCHS] as [number], { timeout: LONG, polling: 50 });
    figures.edit.push(Date.now() - t);

    await page.locator('details.files-menu > summary').click(); // the XLSX button is in the Files menu
    t = Date.now();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: LONG }),
      page.getByRole('button', { name: 'XLSX', exact: true }).click(),
    ]);
    await download.path();
    figures.xlsx.push(Date.now() - t);
    process.stdout.write(`round ${round + 1}: load → trained ${seconds(figures.load[round])}, new η → trained ${seconds(figures.lr[round])}, ` +
      `epoch-0 edit → re-run ${seconds(figures.edit[round])}, XLSX → downloaded ${seconds(figures.xlsx[round])}\n`);
    await context.close();
  }
  process.stdout.write(`medians of ${ROUNDS}: load → trained ${seconds(median(figures.load))}, new η → trained ${seconds(median(figures.lr))}, ` +
    `epoch-0 edit → re-run ${seconds(median(figures.edit))}, XLSX → downloaded ${seconds(median(figures.xlsx))}\n`);
} finally {
  await browser.close();
  await server.close();
}
