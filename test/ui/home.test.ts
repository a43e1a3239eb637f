import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, openPage, useBrowser } from '../support/browser';
import { httpCalls } from '../support/ui-seed';
import { useUiServer } from '../support/ui-server';

const BAD_PRODUCER = 'https://example.com/pedigree-ui-bad-producer';
const CLIENT_PRODUCER = 'https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/client';

const RECENT_PRODUCER = 'https://github.com/OpenLineage/OpenLineage/tree/1.25.0/integration/airflow';

/** Runs of this week (the corpus and the story are older): a job that keeps completing, one that failed. */
function recentEvents(now = Date.now()) {
  const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
  const event = (eventType: string, hoursAgo: number, runId: string, name: string) => ({
    eventType,
    eventTime: at(hoursAgo),
    producer: RECENT_PRODUCER,
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId, facets: {} },
    job: { namespace: 'etl', name, facets: {} },
    inputs: [],
    outputs: [],
  });
  const events = [];
  for (let day = 0; day < 3; day++) {
    const runId = randomUUID();
    events.push(event('START', 24 * day + 2, runId, 'nightly_export'), event('COMPLETE', 24 * day + 1, runId, 'nightly_export'));
  }
  const failed = randomUUID();
  events.push(event('START', 0.5, failed, 'score_customers'), event('FAIL', 0.25, failed, 'score_customers'));
  return events;
}

/**
 * The home page, the deployments pages and the producers' reports, in a real browser over the seed story;
 * above all the one-click flow from a serving endpoint to the exact data its model was trained on.
 */
describe.skipIf(!chromiumPath)('web UI: home, deployments, producers', () => {
  const server = useUiServer();
  const browser = useBrowser();

  beforeAll(async () => {
    const call = httpCalls(server().url);
    await call('POST', '/api/v1/lineage/batch', recentEvents());
    // One event Pedigree refuses (its run id is no UUID), from a producer of its own.
    const refused = await fetch(new URL('/api/v1/lineage', server().url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...recentEvents()[0], producer: BAD_PRODUCER, run: { runId: 'not-a-uuid', facets: {} } }),
    });
    expect(refused.status).toBe(400);
    // A second environment with a history: v1 then v2 at /predict-canary in staging.
    await call('POST', '/api/v1/deployments', { endpoint: '/predict-canary', model: 'clf', version: '1', environment: 'staging' }, 'dave');
    await call('POST', '/api/v1/deployments', { endpoint: '/predict-canary', model: 'clf', version: '2', environment: 'staging' }, 'erin');
  }, 60_000);

  it('home: recent and failing runs, events per day, clf v1 in production at /predict; one click to its data', async () => {
    const { page, expectClean, screenshot, close } = await openPage(browser(), server().url);
    await page.goto('/');
    // The app names the page once it renders: the HTML's own title is only "Pedigree".
    await expect.poll(() => page.title()).toBe('Pedigree · Pedigree');

    const recent = page.getByRole('region', { name: 'Recent runs' });
    await recent.getByRole('link', { name: 'train_clf', exact: true }).waitFor();
    expect(await recent.getByRole('link', { name: 'nightly_export', exact: true }).count()).toBe(1);
    const failing = page.getByRole('region', { name: 'Failing runs' });
    await failing.getByRole('link', { name: 'score_customers', exact: true }).waitFor();
    expect(await failing.getByText('FAILED').count()).toBe(1);
    expect(await failing.getByRole('link', { name: 'train_clf', exact: true }).count()).toBe(0);

    // Events per day: 8 events this week, one a failure; the picture has words and a table.
    const events = page.getByRole('region', { name: 'Lineage events, last 7 days' });
    await events.getByText('8 lineage events over the last 7 days, 1 of them failures or aborts.').waitFor();
    expect(await events.getByRole('img', { name: /Lineage events per day/ }).count()).toBe(1);
    await events.getByRole('button', { name: 'Show as table' }).click();
    await page.waitForURL(/\?events=table$/);
    const rows = events.getByRole('table').getByRole('row');
    expect(await rows.count()).toBe(8); // a header and 7 days
    const totals = await events.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => Number(tr.lastElementChild?.textContent)));
    expect(totals.reduce((a, b) => a + b, 0)).toBe(8);
    await events.getByRole('button', { name: 'Show as chart' }).click();
    await page.waitForURL(`${server().url}/`);

    const production = page.getByRole('region', { name: 'Models in production' });
    const row = production.getByRole('row', { name: /clf v1/ });
    await row.waitFor();
    expect(await row.getByText('Production', { exact: true }).count()).toBe(1);
    expect(await page.getByText('Namespaces').count()).toBe(1);
    await screenshot('home');
    expectClean();

    // THE ONE-CLICK FLOW: the endpoint, then everything its model came from.
    await row.getByRole('link', { name: '/predict' }).click();
    await page.waitForURL(/\/deployments\/production\/%2Fpredict$/);
    await page.getByRole('heading', { level: 1, name: '/predict' }).waitFor();
    const model = page.getByRole('region', { name: 'Model version' });
    await model.getByRole('link', { name: 'clf version 1' }).waitFor();
    expect(await model.getByText('Production', { exact: true }).count()).toBe(1);
    expect(await model.getByText('in Production and the policy passes').count()).toBe(1);
    const run = page.getByRole('region', { name: 'Training run' });
    await run.getByText('exp-47b', { exact: true }).waitFor();
    expect(await run.getByRole('link', { name: 'train_clf', exact: true }).count()).toBe(1);
    expect(await run.getByText('a1b2c3d').count()).toBe(1);
    expect(await run.getByRole('row', { name: /learning_rate/ }).textContent()).toContain('0.01');
    const data = page.getByRole('region', { name: 'Training data, at the versions read' });
    const orders = data.getByRole('link', { name: 'public.orders at version 2.1' });
    const users = data.getByRole('link', { name: 'public.users at version 3.0' });
    expect(await orders.textContent()).toBe('2.1');
    expect(await users.textContent()).toBe('3.0');
    expect(await page.getByRole('link', { name: 'Open in the lineage explorer' }).getAttribute('href')).toBe(
      `/lineage?node=${encodeURIComponent('deployment:production:/predict')}`,
    );
    const history = page.getByRole('region', { name: 'Deployment history' });
    expect(await history.getByRole('row', { name: /carol/ }).textContent()).toContain('serving now');
    await screenshot('deployment');
    expectClean();

    // Each link of the ancestry leads to its page.
    const pageUrl = page.url();
    const follow = async (link: ReturnType<typeof page.getByRole>, path: string | RegExp, query?: Record<string, RegExp>) => {
      await link.click();
      await page.waitForURL((url) => (typeof path === 'string' ? decodeURIComponent(url.pathname) === path : path.test(url.pathname)));
      for (const [name, value] of Object.entries(query ?? {})) expect(new URL(page.url()).searchParams.get(name)).toMatch(value);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.goBack();
      await page.waitForURL(pageUrl);
    };
    await follow(orders, '/datasets/postgres://warehouse:5432/public.orders', { version: /^2\.1$/ });
    await follow(users, '/datasets/postgres://warehouse:5432/public.users', { version: /^3\.0$/ });
    await follow(run.getByRole('link', { name: /training run/ }), `/runs/${server().trainingRuns[0]}`);
    await follow(model.getByRole('link', { name: 'clf version 1' }), '/models/clf/versions/1');
    expectClean();
    await close();
  });

  it('deployments: every endpoint per environment, what it serves and what it served', async () => {
    const { page, expectClean, close } = await openPage(browser(), server().url);
    await page.goto('/deployments');
    const production = page.getByRole('region', { name: 'production · 1 endpoint' });
    const predict = production.getByRole('row', { name: /\/predict/ });
    await predict.waitFor();
    expect(await predict.getByRole('link', { name: 'clf v1' }).count()).toBe(1);
    expect(await predict.getByText('carol').count()).toBe(1);
    const staging = page.getByRole('region', { name: 'staging · 1 endpoint' });
    const canary = staging.getByRole('row', { name: /\/predict-canary/ });
    expect(await canary.getByRole('link', { name: 'clf v2' }).count()).toBe(1);
    // The version's stage may come a moment after its row: waited for, then counted.
    await canary.getByText('Staging', { exact: true }).waitFor();
    expect(await canary.getByText('Staging', { exact: true }).count()).toBe(1);
    expect(await canary.getByRole('list', { name: /earlier deployments/ }).textContent()).toMatch(/clf v1.*by dave/);

    await page.getByLabel('Environment').selectOption('staging');
    await page.waitForURL(/\?environment=staging$/);
    expect(await page.getByRole('region', { name: /^production/ }).count()).toBe(0);
    await page.reload();
    await staging.waitFor();
    expect(await page.getByLabel('Environment').inputValue()).toBe('staging');
    await staging.getByRole('link', { name: '/predict-canary' }).click();
    await page.waitForURL(/\/deployments\/staging\/%2Fpredict-canary$/);
    await page.getByRole('link', { name: 'clf version 2' }).first().waitFor();
    const history = page.getByRole('region', { name: 'Deployment history' });
    expect(await history.getByRole('row').count()).toBe(3);
    expectClean();
    await close();
  });

  it('producers: the corpus producers with their counts; a report groups warnings and lists rejections', async () => {
    const { page, expectClean, screenshot, close } = await openPage(browser(), server().url);
    await page.goto('/producers');
    const table = page.getByRole('table');
    await table.getByRole('row', { name: /Spark 1\.23\.0/ }).waitFor();
    for (const name of [/Airflow provider 1\.14\.0/, /Airflow 1\.25\.0/, /OpenLineage client v1-0-0/, /Python client 0\.0\.1/])
      expect(await table.getByRole('row', { name }).count()).toBe(1);
    const client = table.getByRole('row', { name: /OpenLineage client v1-0-0/ });
    const cells = await client.getByRole('cell').allTextContents();
    expect(Number(cells[1])).toBeGreaterThan(0); // warnings
    expect(Number(cells[2])).toBeGreaterThan(0); // rejected
    await screenshot('producers');

    await page.getByLabel('only those with warnings or rejections').check();
    await page.waitForURL(/problems=1/);
    expect(await table.getByRole('row', { name: /pedigree-ui-bad-producer/ }).count()).toBe(1);
    expectClean();

    // The client's report: warnings grouped by pointer and message, its refused event with its errors.
    await client.getByRole('link').click();
    await page.waitForURL((url) => url.pathname === '/producers/report' && url.searchParams.get('producer') === CLIENT_PRODUCER);
    await page.getByRole('heading', { level: 1, name: 'OpenLineage client v1-0-0' }).waitFor();
    const warnings = page.getByRole('region', { name: 'Warnings' });
    const grouped = warnings.getByRole('row', { name: /\/inputs\/0\/inputFacets\/dataQualityMetrics\/columnMetrics/ });
    await grouped.waitFor();
    expect(await grouped.textContent()).toContain("must have required property 'columnMetrics'");
    expect(await grouped.getByRole('cell').nth(2).textContent()).toBe('2'); // two events, one row
    expect(await warnings.getByRole('row', { name: /\/outputs\/0\/facets\/dataSource\/uri/ }).textContent()).toContain(
      'must match format "uri"',
    );
    const rejections = page.getByRole('region', { name: 'Rejected events' });
    expect(await rejections.getByRole('list', { name: 'Why it was refused' }).first().textContent()).toContain('/run/runId');
    await screenshot('producer-report');
    expectClean();

    // The event refused in this test, under its producer, with its pointer and its text.
    await page.goto(`/producers/report?producer=${encodeURIComponent(BAD_PRODUCER)}`);
    const refused = page.getByRole('region', { name: 'Rejected events' });
    await refused.getByText('/run/runId').waitFor();
    expect(await refused.getByText('not-a-uuid').count()).toBeGreaterThan(0);
    expect(await page.getByRole('region', { name: 'Warnings' }).getByText('None of its stored events carried a warning.').count()).toBe(1);
    expectClean();
    await close();
  });
});
