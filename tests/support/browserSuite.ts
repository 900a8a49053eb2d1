import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { captureErrors, launchChromium, startDevServer, waitTrained, type DevServer, type PageErrors } from './browserHarness';

/**
 * One dev server and one Chromium for a browser test file, started before its tests and closed after them (call at
 * the top of the file). A page from `openPage` has a context of its own (its own storage), and no console error or
 * uncaught exception on it is allowed: checked after each test. With `keepPages`, pages stay open for the tests
 * after (which go on with the same page) and are checked again after each; otherwise they close after their test.
 */
export interface BrowserSuite {
  readonly url: string;
  readonly browser: Browser;
  /** `init` runs before the page's own scripts. */
  openPage(label: string, init?: () => void): Promise<{ page: Page; errors: PageErrors }>;
  /** A page (downloads allowed) on the dev server's `query`, once its training has finished; errors not checked. */
  trainedPage(query: string): Promise<Page>;
}

export function browserSuite(options: { keepPages?: boolean } = {}): BrowserSuite {
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  const opened: { context: BrowserContext; errors: PageErrors; label: string }[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startDevServer();
  }, 120_000);

  afterEach(async () => {
    for (const o of options.keepPages ? opened : opened.splice(0)) {
      if (!options.keepPages) await o.context.close().catch(() => undefined);
      expect(o.errors.list, `errors on the ${o.label} page`).toEqual([]);
    }
  });

  afterAll(async () => {
    for (const o of opened) await o.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the browser suite is used before its beforeAll ran');
    return value;
  };

  return {
    get url() {
      return started(server).url;
    },
    get browser() {
      return started(browser);
    },
    async openPage(label, init) {
      const context = await started(browser).newContext({ viewport: { width: 1400, height: 1000 } });
      if (init) await context.addInitScript(init);
      const page = await context.newPage();
      const errors = captureErrors(page);
      opened.push({ context, errors, label });
      return { page, errors };
    },
    async trainedPage(query) {
      const page = await started(browser).newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
      await page.goto(`${started(server).url}${query}`);
      await waitTrained(page);
      return page;
    },
  };
}
