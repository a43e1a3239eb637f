import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

const CANDIDATES = [process.env.PEDIGREE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Debian's Chromium (apt-get install chromium; .ci/run installs it), or PEDIGREE_CHROMIUM. */
export const chromiumPath = CANDIDATES.find((path): path is string => !!path && existsSync(path));
if (process.env.CI && !chromiumPath) {
  throw new Error('CI is set but no Chromium was found: the web UI must be tried in a real browser (see .ci/run)');
}

export const screenshotDir = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('browser not ready');
    return browser;
  };
}

/**
 * A page that keeps what went wrong: console errors, uncaught exceptions, API answers of 400 or more and
 * requests that failed. `expectClean()` asserts there were none (a test that expects a 4xx says so with
 * `allow`).
 */
export async function openPage(browser: Browser, baseUrl: string, options: { width?: number; height?: number } = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: options.width ?? 1400, height: options.height ?? 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A request the page itself abandoned (navigation away, a superseded search) is not a failure.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return {
    page,
    problems,
    /** Asserts nothing went wrong, except problems matching `allow`; forgets them. */
    expectClean(allow: RegExp[] = []) {
      const left = problems.filter((p) => !allow.some((re) => re.test(p)));
      problems.length = 0;
      expect(left).toEqual([]);
    },
    async screenshot(name: string, target: Page = page) {
      mkdirSync(screenshotDir, { recursive: true });
      await target.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
    },
    close: () => context.close(),
  };
}
