import { describe, expect, it } from 'vitest';
import { fieldHistory } from '../../web/src/components/data-history';
import { href } from '../../web/src/links';
import { chromiumPath, openPage, useBrowser } from '../support/browser';
import { ORDERS } from '../support/model-story';
import { httpCalls } from '../support/ui-seed';
import { useUiServer } from '../support/ui-server';

describe('field history across dataset versions', () => {
  it('says when each field was added, changed type and was dropped (and re-added)', () => {
    const v = (label: string, fields: [string, string][] | null) => ({
      label,
      fields: fields ? fields.map(([name, type]) => ({ name, type })) : null,
    });
    const history = fieldHistory([
      v('4', [
        ['id', 'INT'],
        ['note', 'STRING'],
      ]),
      v('3', null),
      v('2', [['id', 'BIGINT']]),
      v('1', [
        ['id', 'INT'],
        ['note', 'STRING'],
        ['old', 'STRING'],
      ]),
    ]);
    expect(history.map((h) => [h.name, h.current, h.type])).toEqual([
      ['id', true, 'INT'],
      ['note', true, 'STRING'],
      ['old', false, 'STRING'],
    ]);
    expect(history[0]!.events).toEqual([
      { kind: 'added', version: '1', type: 'INT' },
      { kind: 'type', version: '2', from: 'INT', to: 'BIGINT' },
      { kind: 'type', version: '4', from: 'BIGINT', to: 'INT' },
    ]);
    expect(history[1]!.events.map((e) => `${e.kind} ${e.version}`)).toEqual(['added 1', 'dropped 2', 'added 4']);
    expect(history[2]!.events.map((e) => `${e.kind} ${e.version}`)).toEqual(['added 1', 'dropped 2']);
  });
});

/** The dataset, job and run pages in a real browser over the seeded story and the shared corpus. */
describe.skipIf(!chromiumPath)('web UI: dataset, job and run pages', () => {
  const server = useUiServer();
  const browser = useBrowser();

  it('shows a dataset: fields and their history, versions and their runs, jobs, models at a version', async () => {
    const { page, expectClean, screenshot, close } = await openPage(browser(), server().url);
    await page.goto(href.dataset(ORDERS.namespace, ORDERS.name));
    await page.getByRole('heading', { level: 1, name: 'public.orders' }).waitFor();
    const schema = page.getByRole('table', { name: 'Fields and their history' });
    for (const field of ['id', 'customer_id', 'amount', 'discount'])
      await schema.getByRole('rowheader', { name: new RegExp(`^${field}`) }).waitFor();
    const discount = schema.getByRole('row', { name: /^discount/ });
    await expect.poll(() => discount.textContent()).toContain('dropped in 2.2');
    expect(await discount.textContent()).toContain('added in 2.1');

    const versions = page.getByRole('table', { name: /Versions, newest first/ });
    const rows = versions.getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(1).getByRole('rowheader').textContent()).toContain('2.2');
    expect(await rows.nth(2).getByRole('rowheader').textContent()).toContain('2.1');
    for (const i of [1, 2]) {
      expect(await rows.nth(i).getByRole('link', { name: 'build_tables' }).count()).toBe(1);
      expect(await rows.nth(i).getByRole('link', { name: /^run / }).count()).toBe(1);
    }
    await page.getByRole('list', { name: 'Producers' }).getByRole('link', { name: 'build_tables' }).waitFor();
    await page.getByRole('list', { name: 'Consumers' }).getByRole('link', { name: 'train_clf' }).waitFor();

    const models = page.getByRole('table', { name: 'Model versions trained on the dataset' });
    const v1 = models.getByRole('row', { name: /clf v1/ });
    await v1.waitFor();
    // The row's stage, aliases and deployments may come with a later answer than the row itself.
    await expect.poll(() => v1.textContent()).toContain('Production');
    await expect.poll(() => v1.textContent()).toContain('/predict');
    await expect.poll(() => v1.textContent()).toContain('@champion');
    await models.getByRole('row', { name: /clf v2/ }).waitFor();
    expect(await page.getByRole('link', { name: 'Open in the lineage explorer' }).getAttribute('href')).toBe(
      href.lineage(`dataset:${ORDERS.namespace}:${ORDERS.name}`),
    );
    await screenshot('dataset');

    // At version 2.1 (the select is the URL): only v1 was trained on it; the version is highlighted.
    await page.getByRole('combobox', { name: 'Version' }).selectOption('2.1');
    await page.waitForURL(/\?version=2\.1$/);
    await page.getByRole('heading', { name: 'Models trained on version 2.1' }).waitFor();
    // Counted together: while the answer for 2.1 loads, the table is not there and both counts are 0.
    const count = (name: RegExp) => models.getByRole('row', { name }).count();
    await expect.poll(async () => [await count(/clf v1/), await count(/clf v2/)]).toEqual([1, 0]);
    await expect.poll(() => versions.locator('tr[aria-current="true"]').textContent()).toContain('2.1');
    await page.goBack();
    await page.getByRole('heading', { name: 'Models trained on it' }).waitFor();
    expectClean();
    await close();
  });

  it('shows a job with its runs, and a training run with its exact inputs, parameters, code, events and model', async () => {
    const { page, expectClean, screenshot, close } = await openPage(browser(), server().url);
    await page.goto(href.job('ml', 'train_clf'));
    await page.getByRole('heading', { level: 1, name: 'train_clf' }).waitFor();
    const runs = page.getByRole('table', { name: 'Runs, newest first' });
    await expect.poll(() => runs.getByRole('row').count()).toBe(3);
    for (const i of [1, 2]) {
      const text = await runs.getByRole('row').nth(i).textContent();
      expect(text).toContain('COMPLETED');
      expect(text).toContain('30 min 0 s');
    }
    await page.getByRole('list', { name: 'Inputs' }).getByRole('link', { name: 'public.orders' }).waitFor();
    await page.getByRole('link', { name: 'https://github.com/acme/clf/blob/e4f5a6b/train.py' }).waitFor();
    await screenshot('job');

    const runId = server().trainingRuns[0];
    await runs.getByRole('link', { name: `run ${runId}` }).click();
    await page.waitForURL(`**${href.run(runId)}`);
    await page.getByRole('heading', { level: 1, name: 'Run of train_clf' }).waitFor();
    const inputs = page.getByRole('table', { name: /Datasets it read/ });
    await expect.poll(() => inputs.getByRole('row', { name: /public\.orders/ }).textContent()).toContain('2.1');
    await expect.poll(() => inputs.getByRole('row', { name: /public\.users/ }).textContent()).toContain('3.0');
    expect(await inputs.getByRole('link', { name: '2.1' }).getAttribute('href')).toBe(
      `${href.dataset(ORDERS.namespace, ORDERS.name)}?version=2.1`,
    );
    const params = page.getByRole('table', { name: 'Execution parameters' });
    expect(await params.getByRole('row', { name: /learning_rate/ }).textContent()).toContain('0.01');
    await page.getByRole('region', { name: 'Source code' }).getByText('a1b2c3d', { exact: true }).waitFor();
    const model = page.getByRole('link', { name: 'model clf version 1' });
    await model.waitFor();
    expect(await model.getAttribute('href')).toBe(href.modelVersion('clf', 1));
    const events = page.locator('.data-events details');
    await expect.poll(() => events.count()).toBe(2);
    expect(await events.nth(0).locator('summary').textContent()).toContain('START');
    expect(await events.nth(1).locator('summary').textContent()).toContain('COMPLETE');
    await events.nth(0).locator('summary').click();
    const json = page.getByRole('region', { name: 'START event' });
    expect(await json.textContent()).toContain('"learning_rate"');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot('run');

    // The input opens the dataset at the version the run read.
    await inputs.getByRole('link', { name: '2.1' }).click();
    await page.getByRole('heading', { name: 'Models trained on version 2.1' }).waitFor();
    expectClean();
    await close();
  });

  it('opens corpus datasets whose names hold `://`, dots, slashes, `%`, `:` and spaces, and an Airflow DAG run with its task runs', async () => {
    const { page, expectClean, close } = await openPage(browser(), server().url);
    await page.goto('/');
    const search = page.getByRole('combobox', { name: /search datasets/i });
    await search.fill('result.csv');
    await page
      .getByRole('option', { name: /result\.csv/ })
      .first()
      .waitFor();
    await search.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'result.csv' }).waitFor();
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe('/datasets/gs://mock-bucket/result.csv');
    await page.getByText('gs://mock-bucket', { exact: true }).first().waitFor();
    const columns = page.getByRole('table', { name: 'Each field and the input fields it comes from' });
    await columns.getByRole('row', { name: /^a/ }).first().waitFor();
    expect(await columns.getByRole('link', { name: 'mock-project.test.upload_cp' }).count()).toBeGreaterThan(0);

    // A name that the URL must carry exactly: every segment encoded once and decoded once.
    const namespace = 'odd ns://host:1/a%3Ab';
    const name = 'dir/sub:part%25 x.y';
    const call = httpCalls(server().url);
    await call('POST', '/api/v1/lineage', {
      eventType: 'COMPLETE',
      eventTime: '2026-05-01T00:00:00Z',
      producer: 'https://example.com/pedigree-tests',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: { runId: '0195f3a4-0000-7000-8000-000000000001' },
      job: { namespace: 'odd jobs', name: 'job/with:odd%2F name' },
      inputs: [],
      outputs: [{ namespace, name, facets: {} }],
    });
    await page.goto(href.dataset(namespace, name));
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.getByText(namespace, { exact: true }).first().waitFor();
    await page.getByRole('list', { name: 'Producers' }).getByRole('link', { name: 'job/with:odd%2F name' }).click();
    await page.getByRole('heading', { level: 1, name: 'job/with:odd%2F name' }).waitFor();
    await page.getByRole('list', { name: 'Outputs' }).getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();

    // The Airflow DAG run gcs_hook and its task runs, and back from a task run to its parent.
    await page.goto(href.job('airflow', 'gcs_hook'));
    await page.getByRole('heading', { level: 1, name: 'gcs_hook' }).waitFor();
    const dagRun = '01936898-5bd1-70bf-9ca2-4953116e45e1';
    await page
      .getByRole('table', { name: 'Runs, newest first' })
      .getByRole('link', { name: `run ${dagRun}` })
      .click();
    const children = page.getByRole('table', { name: 'Child runs, in the order they started' });
    await children.getByRole('link', { name: 'gcs_hook.copy_task' }).waitFor();
    expect(await children.getByRole('row').count()).toBeGreaterThan(4);
    await children
      .getByRole('row', { name: /gcs_hook\.copy_task/ })
      .getByRole('link', { name: /^run / })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Run of gcs_hook.copy_task' }).waitFor();
    await page.getByRole('link', { name: `run ${dagRun}` }).waitFor();
    expectClean();
    await close();
  });
});
