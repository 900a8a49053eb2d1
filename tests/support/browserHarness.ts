import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer as createViteServer } from 'vite';

/**
 * Helpers for the browser tests: Debian's Chromium (never a downloaded browser), a plain static file server
 * (a folder host: no SPA fallback), and per-page error capture plus in-page measurements.
 */

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface DevServer {
  /** Ends with a slash: `http://127.0.0.1:PORT/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * The project's Vite dev server on a free port. No watcher and no HMR: others may edit src/ while tests run, and a
 * reload mid-test would only add noise.
 */
export async function startDevServer(): Promise<DevServer> {
  const server = await createViteServer({ root: ROOT, server: { host: '127.0.0.1', port: 0, hmr: false, watch: null }, logLevel: 'error' });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the dev server has no port');
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

/** Waits until the page's sheet has trained (state "ready" with more than the first row). */
export async function waitTrained(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => {
    const g = (window as unknown as { gradsheet?: { state: string; rows: number } }).gradsheet;
    return g?.state === 'ready' && g.rows > 1;
  }, null, { timeout });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface StaticServer {
  /** The folder's URL, ending in `/`. */
  url: string;
  /** Paths requested, with their status, in order. */
  log: { path: string; status: number }[];
  close(): Promise<void>;
}

/**
 * Serves `folder` under `mount` (e.g. `/some/folder/`) as a plain folder host does: a file for a file, index.html
 * for a directory path ending in `/`, 404 for everything else (no SPA fallback, no rewriting).
 */
export async function serveFolder(folder: string, mount = '/'): Promise<StaticServer> {
  const root = resolve(folder);
  const log: { path: string; status: number }[] = [];
  const server: Server = createHttpServer(async (req, res) => {
    const send = (status: number, body = '') => {
      log.push({ path: req.url ?? '', status });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (!pathname.startsWith(mount)) return send(404, 'not found');
      let file = normalize(join(root, pathname.slice(mount.length)));
      if (file !== root && !file.startsWith(root + sep)) return send(404, 'not found');
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        if (!pathname.endsWith('/')) return send(404, 'not found');
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) return send(404, 'not found');
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      log.push({ path: req.url ?? '', status: 200 });
      res.writeHead(200, { 'content-type': type, 'content-length': info.size, 'cache-control': 'no-store' });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch (err) {
      send(500, String(err));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${mount}`,
    log,
    close: () => new Promise<void>((ok, fail) => server.close((e) => (e ? fail(e) : ok()))),
  };
}

export interface PageErrors {
  /** Console errors and uncaught page errors, as text; a favicon 404 is left out. */
  list: string[];
}

/** Records the page's console errors and uncaught exceptions (a favicon 404 excepted). */
export function captureErrors(page: Page): PageErrors {
  const errors: PageErrors = { list: [] };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url ?? '';
    if (/favicon/i.test(where) || /favicon/i.test(msg.text())) return;
    errors.list.push(`console.error: ${msg.text()} (${where})`);
  });
  page.on('pageerror', (err) => errors.list.push(`pageerror: ${err.stack ?? err.message}`));
  page.on('requestfailed', (req) => {
    if (/favicon/i.test(req.url())) return;
    errors.list.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  return errors;
}

/** What the init script records, in the page's performance.now() time (0 = navigation start). */
export interface PageMeasures {
  longtaskSupported: boolean;
  tasks: { start: number; duration: number }[];
  /** Each change of document.body.dataset.state, with the rows at that moment. */
  states: { state: string; at: number; rows: number }[];
}

/**
 * Installed with page.addInitScript before any page script runs: a buffered long-task observer and a record of
 * every data-state change on <body> (observed from the document, since <body> does not exist yet).
 */
export function measureInitScript(): void {
  const w = window as unknown as { __measure: PageMeasures; gradsheet?: { rows: number } };
  const m: PageMeasures = { longtaskSupported: false, tasks: [], states: [] };
  w.__measure = m;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) m.tasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    m.longtaskSupported = PerformanceObserver.supportedEntryTypes.includes('longtask');
  } catch {
    m.longtaskSupported = false;
  }
  let last: string | undefined;
  new MutationObserver(() => {
    const state = document.body?.dataset.state;
    if (state === undefined || state === last) return;
    last = state;
    m.states.push({ state, at: performance.now(), rows: w.gradsheet?.rows ?? -1 });
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
}

/**
 * Grid geometry: the visible td of `column` at `epoch`, found as a user finds it: the column by its header text
 * (its x range), the row by the epoch shown in the frozen first column (its y). The td's own tooltip must agree.
 */
export async function cellCenter(page: Page, column: string, epoch: number): Promise<{ x: number; y: number } | null> {
  return page.evaluate(({ column, epoch }) => {
    const header = [...document.querySelectorAll<HTMLElement>('.grid .ht_clone_top thead tr:last-child th')]
      .find((th) => th.textContent?.trim() === column);
    const epochCell = [...document.querySelectorAll<HTMLElement>('.grid .ht_clone_inline_start tbody tr td:first-child')]
      .find((td) => td.textContent?.trim() === String(epoch));
    if (!header || !epochCell) return null;
    const h = header.getBoundingClientRect();
    const e = epochCell.getBoundingClientRect();
    const x = h.left + h.width / 2;
    const y = e.top + e.height / 2;
    const td = document.elementFromPoint(x, y);
    // Only a cell the user could click: in the main table, not under a header, a frozen column or the grid's edge.
    if (!(td instanceof HTMLTableCellElement) || !td.closest('.ht_master')) return null;
    const r = td.getBoundingClientRect();
    if (r.top < e.top - 1 || r.bottom > e.bottom + 1 || r.left < h.left - 1 || r.right > h.right + 1) return null;
    if (!td.title.startsWith(`${column} = `)) throw new Error(`the td under "${column}", epoch ${epoch} reads "${td.title}"`);
    return { x, y };
  }, { column, epoch });
}

/** cellCenter, waited for (the grid renders the rows it scrolled to on the next frame). */
export async function waitForCell(page: Page, column: string, epoch: number, timeout = 5000): Promise<{ x: number; y: number }> {
  const until = Date.now() + timeout;
  for (;;) {
    const at = await cellCenter(page, column, epoch);
    if (at) return at;
    if (Date.now() > until) throw new Error(`no visible td for ${column} at epoch ${epoch}`);
    await page.waitForTimeout(50);
  }
}

/** Opens the page's Files menu (a click on "Files", as a person does), unless it is open. */
export async function openFilesMenu(page: Page): Promise<void> {
  const menu = page.locator('details.files-menu');
  if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) await menu.locator('summary').click();
}
