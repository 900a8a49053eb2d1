import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLayout, type Layout } from '../../src/layout/layout';
import { trainEpoch } from '../../src/reference/trainer';
import { loadPreset } from '../../src/spec/presets';
import { flattenParams, unflattenParams } from '../../src/spec/resolve';
import { cellCenter, measureInitScript, serveFolder, waitForCell, type PageMeasures, type StaticServer } from '../support/browserHarness';
import { browserSuite } from '../support/browserSuite';
import { close } from '../support/sheetCheck';

/**
 * The page in a real browser (Debian's Chromium through playwright-core): load and train, select and read a
 * gradient cell, edit a weight and undo, stop, links with a cell, the built static site, and the page's heap.
 */

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const XOR = 'end2-xor-44';
const XOR_EPOCHS = 2001;
const LONG = 240_000;
/** The target: input never blocked for more than 100 ms while training. */
const LONGEST_TASK_TARGET_MS = 100;
/**
 * What the tests assert. Measured over 12 runs since the grid's creation was split into tasks and training waits
 * for it: the longest task while training 0-97 ms, but one run's 114 ms (the first load after the dev server
 * started).
 * The guards leave room for a busier CI machine but fail on a return of the old 460-650 ms grid draw.
 */
const LONGEST_TASK_GUARD_MS = 200;
const TASKS_OVER_TARGET_GUARD = 1;
const HEAP_TARGET_MB = 400;

/** The gradsheet API as the tests use it inside the page. */
interface PageApi {
  select(ref: string): unknown;
  value(ref: string): unknown;
  formula(ref: string): string | null;
  train(options?: Record<string, unknown>): Promise<void>;
  readonly state: 'training' | 'ready';
  readonly rows: number;
  readonly lastEditMs: number | null;
}
declare global {
  interface Window {
    gradsheet: PageApi;
    __measure: PageMeasures;
  }
}

// Pages stay open across tests: the tests of a describe go on with the page its first test opened.
const suite = browserSuite({ keepPages: true });
/** A fresh page (own context) that records errors and long tasks; its errors are checked after each test. */
const openPage = (label: string) => suite.openPage(label, measureInitScript);

const waitTrained = (page: Page, rows: number, timeout: number) =>
  page.waitForFunction((n) => window.gradsheet?.state === 'ready' && window.gradsheet.rows === n, rows, { timeout, polling: 100 });

/** Loads `url`, waits for end2-xor-44 to train to 2001 rows and checks what the page shows; prints the measures. */
async function loadAndTrain(page: Page, url: string, label: string): Promise<void> {
  await page.goto(url);
  await waitTrained(page, XOR_EPOCHS, LONG - 20_000);
  const shown = await page.evaluate(() => {
    const progress = document.querySelector<HTMLProgressElement>('.controls progress');
    const canvas = document.querySelector<HTMLCanvasElement>('.chart canvas');
    return {
      progress: progress?.value ?? null,
      status: document.querySelector('.controls .status')?.textContent ?? null,
      canvas: canvas ? { width: canvas.width, height: canvas.height } : null,
      bodyState: document.body.dataset.state,
      measure: window.__measure,
    };
  });
  expect(shown.bodyState).toBe('ready');
  expect(shown.progress).toBe(1);
  expect(shown.status).toBe(`epoch ${XOR_EPOCHS - 1} of ${XOR_EPOCHS - 1}`);
  expect(shown.canvas, 'the loss chart canvas').not.toBeNull();
  expect(shown.canvas!.width).toBeGreaterThan(0);
  expect(shown.canvas!.height).toBeGreaterThan(0);

  const m = shown.measure;
  const started = m.states.find((s) => s.state === 'training');
  const trained = m.states.find((s) => s.state === 'ready' && s.rows === XOR_EPOCHS);
  expect(started, 'the page switched to training').toBeDefined();
  expect(trained, 'the page switched to ready with every row').toBeDefined();
  // The training window: from the first switch to 'training' (the workbook with its first row exists and the first
  // slice has run) to 'ready' with all rows. The load itself (modules, building the workbook) is reported apart.
  const during = m.tasks.filter((t) => t.start >= started!.at && t.start < trained!.at);
  const longestTraining = Math.max(0, ...during.map((t) => t.duration));
  const longestOverall = Math.max(0, ...m.tasks.map((t) => t.duration));
  console.log(`[measure] ${label}: load→trained ms ${trained!.at.toFixed(0)}`);
  console.log(`[measure] ${label}: longest task ms ${longestTraining.toFixed(0)} during training ` +
    `(${during.length} tasks ≥ 50 ms, ${during.filter((t) => t.duration >= LONGEST_TASK_TARGET_MS).length} ≥ ${LONGEST_TASK_TARGET_MS} ms, ` +
    `over ${(trained!.at - started!.at).toFixed(0)} ms of training); ` +
    `longest task ms ${longestOverall.toFixed(0)} including the load`);
  expect(m.longtaskSupported, 'Chromium reports long tasks').toBe(true);
  // Soft: a miss fails the test but the caller's remaining checks still run and report.
  expect.soft(longestTraining, `longest task while training (${label}), guard < ${LONGEST_TASK_GUARD_MS} ms (target ${LONGEST_TASK_TARGET_MS} ms)`)
    .toBeLessThan(LONGEST_TASK_GUARD_MS);
  expect.soft(during.filter((t) => t.duration >= LONGEST_TASK_TARGET_MS).length, `tasks ≥ ${LONGEST_TASK_TARGET_MS} ms while training (${label})`)
    .toBeLessThanOrEqual(TASKS_OVER_TARGET_GUARD);
}

const fieldText = (page: Page, field: string) =>
  page.locator(`output[data-field="${field}"]`).textContent().then((t) => t ?? '');

describe.sequential(`the page on the dev server: ${XOR}, ${XOR_EPOCHS} epochs`, () => {
  let page: Page;
  const layout: Layout = buildLayout(loadPreset(XOR));

  beforeAll(async () => {
    ({ page } = await openPage('dev server xor-44'));
  });

  it('1. loads and trains end2-xor-44 to 2001 rows: progress full, loss chart drawn, no long task while training', async () => {
    expect(layout.spec.epochs).toBe(XOR_EPOCHS);
    await loadAndTrain(page, suite.url, 'dev server');
  }, LONG);

  it('7. the JS heap after training end2-xor-44 (page and engine worker together) is below 400 MB', async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const main = await cdp.send('Runtime.getHeapUsage');
    // The engine worker's heap, through the target's own protocol session (messages relayed by the page's).
    const { targetInfos } = await cdp.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'worker');
    expect(worker, 'the engine worker').toBeDefined();
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker!.targetId, flatten: false });
    let next = 1;
    const inWorker = (method: string) => new Promise<Record<string, number>>((resolve) => {
      const id = next++;
      const listener = (e: { sessionId: string; message: string }) => {
        const m = JSON.parse(e.message) as { id?: number; result?: Record<string, number> };
        if (e.sessionId === sessionId && m.id === id) {
          cdp.off('Target.receivedMessageFromTarget', listener);
          resolve(m.result ?? {});
        }
      };
      cdp.on('Target.receivedMessageFromTarget', listener);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    });
    await inWorker('HeapProfiler.enable');
    await inWorker('HeapProfiler.collectGarbage');
    const engine = await inWorker('Runtime.getHeapUsage');
    await cdp.detach();
    const mainMb = main.usedSize / 2 ** 20;
    const engineMb = engine.usedSize / 2 ** 20;
    console.log(`[measure] JS heap after training MB ${(mainMb + engineMb).toFixed(1)}: page ${mainMb.toFixed(1)}, engine worker ${engineMb.toFixed(1)}`);
    expect(engineMb).toBeGreaterThan(50); // the 2001-row workbook is there
    expect(mainMb + engineMb).toBeLessThan(HEAP_TARGET_MB);
  }, 60_000);

  it('2. a real click on a gradient cell shows its name, formula, named formula and value; precedents and dependents light up', async () => {
    await page.evaluate(() => window.gradsheet.select('epoch 1990, ∂L/∂w1_1_1[1]'));
    await expect.poll(() => fieldText(page, 'name')).toBe('∂L/∂w1_1_1[1] · epoch 1990');

    // A visible neighbour of that cell in a gradient column (found by its header text), in another row; select()
    // scrolls the cell to the grid's edge, so the neighbour may be in the same column one row up or down.
    const anchor = layout.column('∂L/∂w1_1_1[1]');
    const gradColumns = layout.columns.filter((c) => c.kind === 'grad')
      .sort((x, y) => Math.abs(x.index - anchor.index) - Math.abs(y.index - anchor.index));
    let target: { column: string; epoch: number; at: { x: number; y: number } } | null = null;
    search: for (const c of gradColumns.slice(0, 6)) {
      for (const epoch of [1989, 1991, 1990]) {
        if (c === anchor && epoch === 1990) continue; // the cell select() chose: a click there would prove nothing
        const at = await cellCenter(page, c.name, epoch);
        if (at) {
          target = { column: c.name, epoch, at };
          break search;
        }
      }
    }
    expect(target, 'a visible gradient td next to epoch 1990, ∂L/∂w1_1_1[1]').not.toBeNull();
    const { column, epoch, at } = target!;
    await page.mouse.click(at.x, at.y);

    const ref = `epoch ${epoch}, ${column}`;
    await expect.poll(() => fieldText(page, 'name')).toBe(`${column} · epoch ${epoch}`);
    const engine = await page.evaluate((r) => ({ formula: window.gradsheet.formula(r), value: window.gradsheet.value(r) }), ref);
    expect(typeof engine.value).toBe('number');
    expect(engine.formula).toMatch(/^=/);
    expect(await fieldText(page, 'formula')).toBe(engine.formula);
    expect(await page.getByLabel('Name Box').inputValue()).toBe(`Train!${layout.column(column).letter}${layout.rowOf(epoch) + 1}`);
    const named = await fieldText(page, 'named');
    expect(named).toContain('∂L/∂');
    expect(named).toContain('·');
    expect(await fieldText(page, 'full')).toBe(String(engine.value));
    expect(new URL(page.url()).searchParams.get('cell')).toBe(ref);

    // Precedents (the unit's δ and the input it multiplies) and the dependent (the new velocity) in the same row.
    const rowIndex = String(epoch + 2); // aria-rowindex: 1-based, after the header row
    const marked = (cls: string) => page.evaluate((cls) =>
      [...document.querySelectorAll<HTMLElement>(`.grid .ht_master td.${cls}`)]
        .map((td) => ({ row: td.parentElement?.getAttribute('aria-rowindex'), name: td.title.split(' = ')[0] })), cls);
    await expect.poll(async () => (await marked('precedent')).length).toBeGreaterThan(0);
    const precedents = await marked('precedent');
    expect(precedents.every((p) => p.row === rowIndex), JSON.stringify(precedents)).toBe(true);
    const clicked = layout.column(column);
    // ∂L/∂w = δ·a: the δ of the unit the weight feeds (and the input it multiplies, further left) are precedents.
    expect(precedents.some((p) => layout.column(p.name).kind === 'delta' && layout.column(p.name).step === clicked.step),
      JSON.stringify(precedents)).toBe(true);
    // The dependent column lies far to the right: scroll there with the mouse wheel, as a user would.
    await page.mouse.move(at.x, at.y);
    for (let i = 0; i < 40 && (await marked('dependent')).length === 0; i++) {
      await page.mouse.wheel(600, 0);
      await page.waitForTimeout(50);
    }
    const dependents = await marked('dependent');
    expect(dependents.length, 'a td marked dependent').toBeGreaterThan(0);
    expect(dependents.every((d) => d.row === rowIndex), JSON.stringify(dependents)).toBe(true);
    // The new velocity of the same parameter and step reads the gradient.
    const newVelocity = layout.columns.find((c) => c.kind === 'new-velocity' && c.param === clicked.param && c.step === clicked.step)!;
    expect(dependents.map((d) => d.name)).toContain(newVelocity.name);
  }, 60_000);

  it('3. editing a weight at epoch 1000 in the grid recomputes that row as the reference does, re-runs the later epochs; Ctrl+Z restores them', async () => {
    const epoch = 1000;
    const weight = 'w1_1_1';
    const lossRef = `epoch ${XOR_EPOCHS - 1}, ${layout.lossColumn.name}`;
    const before = await page.evaluate(({ lossRef, w }) => ({
      loss: window.gradsheet.value(lossRef) as number,
      weight: window.gradsheet.value(w) as number,
    }), { lossRef, w: `epoch ${epoch}, ${weight}` });
    expect(typeof before.loss).toBe('number');
    const newValue = 0.75;
    expect(before.weight).not.toBe(newValue);

    // Scroll there, then edit like a user: double-click the cell, replace its text, Enter.
    await page.evaluate((r) => window.gradsheet.select(r), `epoch ${epoch - 1}, ${weight}`);
    const at = await waitForCell(page, weight, epoch);
    await page.mouse.dblclick(at.x, at.y);
    const editor = page.locator('textarea.handsontableInput');
    await expect.poll(() => editor.isVisible()).toBe(true);
    await page.keyboard.press('Control+a');
    await page.keyboard.type(String(newValue));
    await page.keyboard.press('Enter');

    const w = `epoch ${epoch}, ${weight}`;
    await page.waitForFunction(({ w, v, n }) => window.gradsheet.value(w) === v && window.gradsheet.state === 'ready' && window.gradsheet.rows === n,
      { w, v: newValue, n: XOR_EPOCHS }, { timeout: LONG - 60_000, polling: 100 });
    const lastEditMs = await page.evaluate(() => window.gradsheet.lastEditMs);
    console.log(`[measure] edit→row on screen ms ${lastEditMs === null ? 'null' : lastEditMs.toFixed(1)}`);
    expect(typeof lastEditMs).toBe('number');

    // The edited row, read from the page: its start (weights, velocities, η, μ, samples) and every gradient.
    const names = (cols: { name: string }[]) => cols.map((c) => `epoch ${epoch}, ${c.name}`);
    const gradCols = layout.columns.filter((c) => c.kind === 'grad');
    expect(gradCols.length).toBe(4 * layout.params.length);
    const row = await page.evaluate((refs) => {
      const read = (list: string[]) => list.map((r) => window.gradsheet.value(r));
      return {
        w: read(refs.w), v: read(refs.v), next: read(refs.next), nextW: read(refs.nextW),
        lr: window.gradsheet.value(refs.lr), mu: window.gradsheet.value(refs.mu),
        samples: read(refs.samples), grads: read(refs.grads), loss: window.gradsheet.value(refs.loss),
      };
    }, {
      w: names(layout.weightColumns), v: names(layout.velocityColumns!),
      next: names(layout.nextWeightColumns), nextW: layout.weightColumns.map((c) => `epoch ${epoch + 1}, ${c.name}`),
      lr: `epoch ${epoch}, ${layout.lrColumn.name}`, mu: `epoch ${epoch}, ${layout.momentumColumn!.name}`,
      samples: names(layout.sampleColumns), grads: names(gradCols), loss: lossRef,
    });
    const nums = (xs: unknown[]) => xs.map((x) => {
      expect(typeof x).toBe('number');
      return x as number;
    });
    const weights = nums(row.w);
    expect(weights[layout.column(weight).param!]).toBe(newValue);
    const { layers, bias } = layout.spec.model;
    const trace = trainEpoch(layout.spec, unflattenParams(weights, layers, bias), unflattenParams(nums(row.v), layers, bias),
      row.lr as number, row.mu as number, nums(row.samples).map((s) => s - 1));
    expect(trace.updates.length).toBe(4);
    const bad: string[] = [];
    gradCols.forEach((c, i) => {
      const want = flattenParams(trace.updates[c.step!].grad)[c.param!];
      const got = row.grads[i] as number;
      if (typeof got !== 'number' || !close(got, want)) bad.push(`${c.name}: sheet ${got}, reference ${want}`);
    });
    expect(bad, 'gradients of the edited row that differ from the reference').toEqual([]);
    // The chain holds across the edit: the next row starts from the weights this row ends with.
    expect(row.nextW).toEqual(row.next);
    expect(row.loss).not.toBe(before.loss);

    // Ctrl+Z takes it back: the weight and the last epoch's loss, exactly.
    await page.keyboard.press('Control+z');
    await page.waitForFunction(({ w, v, n }) => window.gradsheet.value(w) === v && window.gradsheet.state === 'ready' && window.gradsheet.rows === n,
      { w, v: before.weight, n: XOR_EPOCHS }, { timeout: LONG - 60_000, polling: 100 });
    expect(await page.evaluate((r) => window.gradsheet.value(r), lossRef)).toBe(before.loss);
    expect(await page.locator('button[name=undo]').isDisabled()).toBe(true);
  }, LONG);
});

describe('the page on the dev server: small runs', () => {
  it('4. Stop during training stops within 1 s, keeps the rows computed so far and resets the buttons', async () => {
    const { page } = await openPage('dev server stop');
    await page.goto(`${suite.url}?preset=${XOR}&epochs=300`);
    await waitTrained(page, 300, 120_000);
    await expect.poll(() => page.locator('input[name=epochs]').inputValue()).toBe('300');

    await page.locator('input[name=epochs]').fill(String(XOR_EPOCHS));
    await page.locator('button[name=train]').click();
    await page.waitForFunction(() => window.gradsheet.state === 'training' && window.gradsheet.rows >= 2, null, { timeout: 10_000, polling: 20 });
    await page.waitForTimeout(500);
    const stop = page.locator('button[name=stop]');
    expect(await stop.isEnabled()).toBe(true);
    // Time the click and the switch to ready inside the page.
    await page.evaluate(() => {
      const b = document.querySelector<HTMLButtonElement>('button[name=stop]')!;
      b.addEventListener('click', () => ((window as unknown as { __stopAt: number }).__stopAt = performance.now()), { capture: true, once: true });
    });
    await stop.click();
    await page.waitForFunction(() => window.gradsheet.state === 'ready', null, { timeout: 1000, polling: 'raf' });
    const after = await page.evaluate(() => {
      const m = window.__measure;
      const stopAt = (window as unknown as { __stopAt: number }).__stopAt;
      const ready = m.states.find((s) => s.state === 'ready' && s.at >= stopAt);
      const button = (n: string) => document.querySelector<HTMLButtonElement>(`button[name=${n}]`)!.disabled;
      return {
        ms: ready ? ready.at - stopAt : null,
        rows: window.gradsheet.rows,
        bodyState: document.body.dataset.state,
        disabled: { stop: button('stop'), train: button('train'), step: button('step'), undo: button('undo'), reset: button('reset') },
        status: document.querySelector('.controls .status')?.textContent,
        progress: document.querySelector<HTMLProgressElement>('.controls progress')!.value,
      };
    });
    console.log(`[measure] stop click→ready ms ${after.ms?.toFixed(1)} (stopped at ${after.rows} rows)`);
    expect(after.ms).not.toBeNull();
    expect(after.ms!).toBeLessThan(1000);
    expect(after.bodyState).toBe('ready');
    expect(after.rows).toBeGreaterThanOrEqual(2);
    expect(after.rows).toBeLessThanOrEqual(XOR_EPOCHS - 1);
    expect(after.disabled).toEqual({ stop: true, train: false, step: false, undo: true, reset: false });
    expect(after.status).toBe(`epoch ${after.rows - 1} of ${XOR_EPOCHS - 1}`);
    expect(after.progress).toBeCloseTo(after.rows / XOR_EPOCHS, 10);
    // It stays stopped.
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => [window.gradsheet.state, window.gradsheet.rows])).toEqual(['ready', after.rows]);
  }, 120_000);

  it('5. a link with a cell selects that cell once trained', async () => {
    const { page } = await openPage('dev server link');
    const cell = 'epoch 10,∂E/∂w5';
    const q = new URLSearchParams({ preset: 'end2-backprop-2-2-2', cell });
    expect(q.toString()).toContain('cell=epoch+10%2C%E2%88%82E%2F%E2%88%82w5');
    await page.goto(`${suite.url}?${q}`);
    const rows = loadPreset('end2-backprop-2-2-2').epochs;
    await waitTrained(page, rows, 120_000);
    await expect.poll(() => fieldText(page, 'name')).toBe('∂E/∂w5 · epoch 10');
    const engine = await page.evaluate(() => window.gradsheet.value('epoch 10, ∂E/∂w5'));
    expect(typeof engine).toBe('number');
    expect(await fieldText(page, 'full')).toBe(String(engine));

    // Handsontable's selection: exactly one highlighted cell in the main table, and it is ∂E/∂w5 of epoch 10.
    const layout = buildLayout(loadPreset('end2-backprop-2-2-2'));
    const current = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.grid .ht_master td.current')].map((td) => ({
      name: td.title.split(' = ')[0],
      col: td.getAttribute('aria-colindex'),
      row: td.parentElement?.getAttribute('aria-rowindex'),
      epochShown: [...document.querySelectorAll<HTMLElement>(`.grid .ht_clone_inline_start tbody tr[aria-rowindex="${td.parentElement?.getAttribute('aria-rowindex')}"] td`)][0]?.textContent,
    })));
    expect(current).toEqual([{
      name: '∂E/∂w5',
      col: String(layout.column('∂E/∂w5').index + 1),
      row: String(10 + 2), // aria-rowindex: 1-based, after the header row
      epochShown: '10',
    }]);
    const box = await page.locator('.grid .ht_master td.current').boundingBox();
    expect(box).not.toBeNull();
    const at = { x: box!.x + box!.width / 2, y: box!.y + box!.height / 2 };
    expect(await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.classList.contains('current'), at), 'the selected cell is in view').toBe(true);

    // The grouped header above the names: the layout's groups in order, and, with the grid scrolled to ∂E/∂w5,
    // the label of its group spans the selected cell.
    const groups = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.grid .grid-group')].map((g) => {
      const r = g.getBoundingClientRect();
      return { label: g.textContent, left: r.left, right: r.right };
    }));
    const expected = layout.columns.map((c) => c.group).filter((g, i, all) => i === 0 || all[i - 1] !== g);
    expect(groups.map((g) => g.label)).toEqual(expected);
    const own = groups.find((g) => g.label === layout.column('∂E/∂w5').group)!;
    expect(own.left).toBeLessThanOrEqual(box!.x + 0.5);
    expect(own.right).toBeGreaterThanOrEqual(box!.x + box!.width - 0.5);
  }, 120_000);
});

describe('the built static site, served from a plain folder', () => {
  let outDir: string;
  let site: StaticServer;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'gradsheet-site-'));
    // Build as `npm run build` does (vitest sets NODE_ENV=test, which would give a development build).
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ root: ROOT, mode: 'production', logLevel: 'error', build: { outDir, emptyOutDir: true } });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    // A sub-folder of the host, so any absolute /assets path would miss.
    site = await serveFolder(outDir, '/some/folder/');
  }, 180_000);

  afterAll(async () => {
    await site?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('6. index.html references its assets by relative paths, and the site loads and trains end2-xor-44 to 2001 rows', async () => {
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']\//);
    expect(html).toMatch(/\bsrc\s*=\s*["']\.\/assets\/[^"']+\.js["']/);
    expect(html).toMatch(/\bhref\s*=\s*["']\.\/assets\/[^"']+\.css["']/);

    const { page } = await openPage('static site');
    await loadAndTrain(page, site.url, 'static site');
    const missing = site.log.filter((r) => r.status !== 200);
    expect(missing, 'requests the folder host could not serve').toEqual([]);
    expect(site.log.some((r) => /\/some\/folder\/assets\/.+\.js$/.test(r.path))).toBe(true);
  }, LONG);
});
