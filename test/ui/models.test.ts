import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumPath, openPage, useBrowser } from '../support/browser';
import { useUiServer } from '../support/ui-server';

const READ_ONLY_KEY = 'read-only-key-0001';

const section = (page: Page, name: string | RegExp) => page.getByRole('region', { name });

/** The model pages in a real browser: the registry, a model, a version (questions 1 and 4), the diff, and the writes. */
describe.skipIf(!chromiumPath)('web UI: models', () => {
  const server = useUiServer();
  // With API keys: a principal `viewer` that may only read.
  const keyed = useUiServer({
    env: { PEDIGREE_PRINCIPALS: JSON.stringify([{ name: 'viewer', key: READ_ONLY_KEY, scopes: ['read'] }]) },
    corpus: false,
  });
  const browser = useBrowser();

  it('shows the registry, the timeline, where v1 came from and its approval, and the diff 1 → 2', async () => {
    const { page, expectClean, screenshot, close } = await openPage(browser(), server().url);

    await page.goto('/models');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'clf', exact: true }) });
    await row.waitFor();
    await expect.poll(() => row.getByRole('link', { name: '/predict' }).count()).toBe(1);
    expect(await row.textContent()).toMatch(/v1\s*Production/);
    expect(await row.textContent()).toContain('churn classifier');
    expect(await row.textContent()).toContain('@champion');
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('v1'); // In Production
    await screenshot('models');

    await row.getByRole('link', { name: 'clf', exact: true }).click();
    await page.waitForURL(/\/models\/clf$/);
    const timeline = page.getByRole('img', { name: /stage timeline of clf: 2 versions/i });
    await timeline.waitFor();
    expect(await timeline.locator('text').allTextContents()).toEqual(expect.arrayContaining(['v1', 'v2', 'Production', 'Staging']));
    // The table alternative says the same.
    await page.getByText('The timeline as a table').click();
    const spans = page.getByRole('table', { name: /stages of each version/i });
    expect(await spans.getByRole('row').count()).toBe(1 + 3 + 2); // v1 None, Staging, Production; v2 None, Staging
    await screenshot('model');

    await page.getByRole('link', { name: 'v1', exact: true }).first().click();
    await page.waitForURL(/\/models\/clf\/versions\/1$/);
    const lineage = section(page, 'Where it came from');
    await lineage.getByRole('row', { name: /public\.orders/ }).waitFor();
    expect(await lineage.getByRole('row', { name: /public\.orders/ }).textContent()).toContain('2.1');
    expect(await lineage.getByRole('row', { name: /public\.users/ }).textContent()).toContain('3.0');
    expect(await lineage.getByRole('link', { name: 'a1b2c3d' }).getAttribute('href')).toContain('github.com/acme/clf');
    expect(await lineage.getByRole('row', { name: /learning_rate/ }).textContent()).toContain('0.01');
    expect(await lineage.getByRole('row', { name: /mlflow\.run_id/ }).textContent()).toContain('exp-47b');
    expect(await page.getByText('exp-47b', { exact: true }).count()).toBeGreaterThan(0);
    const runLink = lineage.getByRole('link', { name: server().trainingRuns[0] });
    expect(await runLink.getAttribute('href')).toBe(`/runs/${server().trainingRuns[0]}`);

    const approval = section(page, 'Is it approved?');
    await approval.getByText('Approved for production').waitFor();
    const rules = approval.getByRole('table', { name: /promotion policy/i });
    for (const rule of ['Required tags', 'Approvals', 'Model card']) {
      expect(await rules.getByRole('row', { name: new RegExp(rule) }).textContent()).toContain('pass');
    }
    const approvals = approval.getByRole('table', { name: 'Approvals' });
    expect(await approvals.getByRole('row', { name: /bob/ }).textContent()).toContain('metrics reviewed');

    const card = section(page, 'Model card');
    // Rendered Markdown: the heading, the bold text, the list (not the source).
    await card.getByRole('heading', { name: 'clf v1' }).waitFor();
    expect(await card.locator('strong', { hasText: 'growth' }).count()).toBe(1);
    expect(await card.getByRole('listitem').filter({ hasText: 'validation AUC 0.91' }).count()).toBe(1);
    expect(await card.textContent()).not.toContain('**growth**');
    expect(await card.textContent()).toContain('churn scoring');

    const links = section(page, 'Links');
    await links.getByRole('table').waitFor();
    expect(await links.getByRole('row', { name: /registry_run_id/ }).textContent()).toContain('confirmed');
    expect(await links.getByRole('row', { name: /public\.orders/ }).textContent()).toMatch(/candidate/);

    const history = section(page, 'Audit history');
    expect(await history.getByRole('row', { name: /bob/ }).textContent()).toContain('approved');
    expect(await history.getByRole('row', { name: /carol/ }).textContent()).toContain('/predict');

    expect(await page.getByRole('link', { name: 'Lineage explorer' }).getAttribute('href')).toBe('/lineage?node=model%3Aclf%3A1');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot('model-version');

    await page.goto('/models/clf/diff?from=1&to=2');
    await page.getByRole('heading', { name: 'clf: v1 → v2' }).waitFor();
    const causes = section(page, /likely causes/i);
    expect(await causes.getByRole('listitem').first().textContent()).toContain('column discount dropped');
    const data = section(page, 'Training data');
    const orders = data.getByRole('row', { name: /public\.orders/ });
    expect(await orders.textContent()).toMatch(/2\.1.*2\.2/);
    expect(await orders.locator('.dropped', { hasText: 'discount' }).count()).toBe(1);
    expect(await data.getByRole('row', { name: /public\.users/ }).textContent()).toContain('unchanged');
    const code = section(page, 'Code');
    expect(await code.getByRole('link', { name: 'a1b2c3d' }).count()).toBe(1);
    expect(await code.getByRole('link', { name: 'e4f5a6b' }).count()).toBe(1);
    expect(await code.textContent()).toContain('The code changed');
    expect(
      await section(page, 'Parameters')
        .getByRole('row', { name: /learning_rate/ })
        .textContent(),
    ).toMatch(/0\.01\s*0\.05/);
    await screenshot('model-diff');

    // The selects change the URL; back returns to the earlier pair.
    await page.getByLabel('From', { exact: true }).selectOption('2');
    await page.waitForURL(/from=2&to=2/);
    await page.goBack();
    await page.waitForURL(/from=1&to=2/);
    await page.getByRole('heading', { name: 'clf: v1 → v2' }).waitFor();

    // A version that does not exist: said once, with the way back.
    await page.goto('/models/clf/versions/9');
    const missing = page.getByRole('alert');
    await missing.waitFor();
    expect(await missing.textContent()).toMatch(/Could not load clf version 9 \(404/);
    expect(await page.getByRole('link', { name: 'All versions of clf' }).getAttribute('href')).toBe('/models/clf');

    expectClean([/HTTP 404: GET .*\/versions\/9\//, /status of 404/]);
    await close();
  });

  it('writes as dave: a refused promotion, a refused self-approval, an approval, a card, a link decision, then Production', async () => {
    const { page, expectClean, close } = await openPage(browser(), server().url);
    const actAs = async (name: string) => {
      await page.getByRole('button', { name: 'Change', exact: true }).click();
      await page.getByLabel('Act as').fill(name);
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByTestId('principal').textContent()).toBe(name);
    };
    await page.goto('/models/clf/versions/2');
    const approval = section(page, 'Is it approved?');
    await approval.getByText('Not approved for production').waitFor();

    // Production is refused by the policy: each unmet rule said.
    await actAs('dave');
    await approval.getByLabel('New stage').selectOption('Production');
    await approval.getByRole('button', { name: 'Change stage' }).click();
    const refusal = approval.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Refused');
    expect(await refusal.textContent()).toContain('0 of 1 approval');
    expect(await refusal.textContent()).toContain('no model card');

    // The registrant cannot approve: the 403's detail is shown.
    await actAs('alice');
    await approval.getByRole('button', { name: 'Approve' }).click();
    const forbidden = approval.getByRole('alert').filter({ hasText: 'Not allowed' });
    await forbidden.waitFor();
    expect(await forbidden.textContent()).toContain('alice registered clf version 2 and cannot approve it');

    // dave approves: the audit entry is shown, and the history has it.
    await actAs('dave');
    await approval.getByLabel('Approval comment').fill('diff reviewed');
    await approval.getByRole('button', { name: 'Approve' }).click();
    const recorded = approval.getByRole('status').filter({ hasText: 'Recorded in the audit log' });
    await recorded.waitFor();
    expect(await recorded.textContent()).toMatch(/dave approved “diff reviewed”/);
    expect(await approval.getByRole('table', { name: 'Approvals' }).getByRole('row', { name: /dave/ }).count()).toBe(1);
    const history = section(page, 'Audit history');
    expect(await history.getByRole('row', { name: /dave/ }).first().textContent()).toMatch(/approved.*diff reviewed/);

    // The card: written, previewed, saved, shown rendered.
    const card = section(page, 'Model card');
    await card.getByRole('button', { name: 'Write card' }).click();
    await card.getByLabel('Card (Markdown)').fill('# clf v2\n\nRetrained without the **discount** column.');
    await card.getByLabel('Intended use').fill('churn scoring');
    await card.getByRole('button', { name: 'Preview' }).click();
    await card.getByRole('heading', { name: 'clf v2' }).waitFor();
    await card.getByRole('button', { name: 'Save card' }).click();
    await card.getByRole('status').filter({ hasText: 'Saved the card' }).waitFor();
    expect(await card.getByRole('status').textContent()).toMatch(/dave updated the card/);
    expect(await card.locator('strong', { hasText: 'discount' }).count()).toBe(1);
    expect(await card.textContent()).toContain('Last written by dave');

    // A link confirmed: its status and who decided.
    const links = section(page, 'Links');
    await links.getByRole('button', { name: 'Confirm the link to public.orders 2.2' }).click();
    await links.getByRole('status').filter({ hasText: 'Confirmed the link to public.orders 2.2' }).waitFor();
    const orders = links.getByRole('row', { name: /public\.orders/ });
    await expect.poll(() => orders.textContent()).toMatch(/confirmed.*by dave/);
    await links.getByRole('button', { name: 'Reject the link to public.users 3.0' }).click();
    await expect.poll(() => links.getByRole('row', { name: /public\.users/ }).textContent()).toMatch(/rejected.*by dave/);

    // Every rule passes now: Production is accepted, v1 archived.
    await expect.poll(() => approval.getByText(/the policy passes: it may be promoted/).count()).toBe(1);
    await approval.getByLabel('New stage').selectOption('Production');
    await approval.getByRole('button', { name: 'Change stage' }).click();
    await approval.getByRole('status').filter({ hasText: 'Moved clf v2 to Production' }).waitFor();
    await approval.getByText('Approved for production').waitFor();
    expect(
      await history
        .getByRole('row', { name: /Staging → Production/ })
        .first()
        .textContent(),
    ).toContain('dave');

    expectClean([/HTTP 409: POST .*\/versions\/2\/stage/, /HTTP 403: POST .*\/versions\/2\/approvals/, /status of 40[39]/]);
    await close();
  });

  it('with a read-only API key, every write button is disabled and says why', async () => {
    const { page, expectClean, close } = await openPage(browser(), keyed().url);
    await page.goto('/models/clf/versions/1');
    await page.getByRole('button', { name: 'Set API key' }).click();
    await page.getByLabel('API key').fill(READ_ONLY_KEY);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('principal').textContent()).toBe('viewer');
    const approval = section(page, 'Is it approved?');
    await approval.getByText('Approved for production').waitFor();
    const approve = approval.getByRole('button', { name: 'Approve' });
    expect(await approve.isDisabled()).toBe(true);
    expect(await approval.getByText('viewer does not have the approve scope').count()).toBe(1);
    expect(await approval.getByRole('button', { name: 'Change stage' }).isDisabled()).toBe(true);
    expect(await approval.getByText('viewer does not have the write scope').count()).toBe(1);
    const card = section(page, 'Model card');
    expect(await card.getByRole('button', { name: 'Edit card' }).isDisabled()).toBe(true);
    const links = section(page, 'Links');
    await links.getByRole('table').waitFor();
    for (const button of await links.getByRole('button', { name: /^(Confirm|Reject) the link/ }).all())
      expect(await button.isDisabled()).toBe(true);
    expect(await links.getByText(/Deciding a link needs the write scope: viewer does not have the write scope/).count()).toBe(1);
    // Before the key was set, the server answered 401.
    expectClean([/HTTP 401/, /status of 401/]);
    await close();
  });
});
