import { describe, expect, it } from 'vitest';
import { chromiumPath, openPage, useBrowser } from '../support/browser';
import { useUiServer } from '../support/ui-server';

/** The web UI's frame, in a real browser against the real server: served at `/`, every page a URL. */
describe.skipIf(!chromiumPath)('web UI shell', () => {
  const server = useUiServer();
  const browser = useBrowser();

  it('serves the UI at / and its pages at their own URLs, the API staying the API', async () => {
    const home = await fetch(`${server().url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    expect(home.headers.get('cache-control')).toBe('no-cache');
    const html = await home.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const script = await fetch(`${server().url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(script.headers.get('content-encoding')).toBe('gzip');

    // A deep link (a dataset name holding dots and an encoded namespace) is a page, not a file.
    const deep = await fetch(`${server().url}/datasets/${encodeURIComponent('postgres://warehouse:5432')}/public.orders`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    // A chunk a new build replaced is a 404, not the page.
    expect((await fetch(`${server().url}/assets/gone-1234.js`)).status).toBe(404);
    // The API's unknown paths stay problems.
    const api = await fetch(`${server().url}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('opens the home page without a failed call or a console error; `/` focuses the search', async () => {
    const { page, expectClean, close } = await openPage(browser(), server().url);
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.keyboard.press('/');
    const search = page.getByRole('combobox', { name: /search datasets/i });
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true);
    await search.fill('orders');
    // Arrows move through the results, Enter opens the chosen one.
    const options = page.getByRole('option');
    await page
      .getByRole('option', { name: /public\.orders/ })
      .first()
      .waitFor();
    const names = await options.allTextContents();
    const index = names.findIndex((n) => n.includes('public.orders') && n.includes('postgres://warehouse:5432'));
    expect(index, names.join(' | ')).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < index; i++) await search.press('ArrowDown');
    await search.press('Enter');
    await page.waitForURL(/\/datasets\//);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe('/datasets/postgres://warehouse:5432/public.orders');
    await page.goBack();
    await page.waitForURL(`${server().url}/`);
    expectClean();
    await close();
  });

  it('says what failed, with a retry, when the API fails; the retry recovers', async () => {
    const { page, expectClean, close } = await openPage(browser(), server().url);
    let failing = true;
    await page.route('**/api/v1/deployments*', (route) =>
      failing
        ? route.fulfill({
            status: 503,
            contentType: 'application/problem+json',
            body: JSON.stringify({ status: 503, title: 'Service Unavailable', detail: 'the database does not answer' }),
          })
        : route.continue(),
    );
    await page.goto('/deployments');
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toContain('the database does not answer');
    failing = false;
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('/predict').first().waitFor();
    // Chromium also logs each failed answer (the first try and React Query's two retries) on the console.
    expectClean([/HTTP 503: GET .*\/api\/v1\/deployments/, /console: Failed to load resource: .* 503 \(Service Unavailable\)/]);
    await close();
  });
});
