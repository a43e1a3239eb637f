import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import worker from '../src/worker';
import { databases, useDatabase, workerdDatabase } from './support/databases';
import { asAccepted } from './support/events';
import { eventually } from './support/eventually';
import { type Issuer, startIssuer } from './support/oidc-issuer';
import { runStory } from './support/run-events';
import { count } from './support/snapshot';
import { startWranglerDev } from './support/wrangler-dev';

/**
 * The Workers entry, run in Node against the real server: Workers keep no process to normalize in, so the
 * queue is drained after the request that accepted events (ctx.waitUntil) and by the cron trigger.
 */
describe.runIf(databases.some((d) => d.name === 'postgres'))('the Workers entry, on postgres', () => {
  const ctx = useDatabase(databases.find((d) => d.name === 'postgres')!);

  /** A request's ctx: what it hands to waitUntil, to be awaited as the runtime would before the isolate goes. */
  const runtime = () => {
    const pending: Promise<unknown>[] = [];
    return { ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) }, settled: () => Promise.all(pending) };
  };
  const post = (body: unknown, path = '/api/v1/lineage') =>
    new Request(`http://worker${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers 201 at once and normalizes after the answer, within the request’s waitUntil', async () => {
    const { url, db } = ctx();
    const story = runStory();
    const { ctx: requestCtx, settled } = runtime();
    const res = await worker.fetch(post(story.events[0]), { DATABASE_URL: url! }, requestCtx);
    expect(res.status).toBe(201);
    await settled();
    expect(await count(db, 'pending_events')).toBe(0);
    expect(await count(db, 'runs', `id = '${story.runId}'`)).toBe(1);
  });

  it('answers a waiting request once its event is normalized', async () => {
    const { url, db } = ctx();
    const story = runStory();
    const { ctx: requestCtx, settled } = runtime();
    const res = await worker.fetch(post(story.events[2], '/api/v1/lineage?wait=normalized'), { DATABASE_URL: url! }, requestCtx);
    expect(await res.json()).toMatchObject({ normalization: 'normalized' });
    expect(await count(db, 'runs', `id = '${story.runId}' and state = 'COMPLETE'`)).toBe(1);
    await settled();
  });

  it('drains on the cron trigger what requests left queued', async () => {
    const { url, db, writer } = ctx();
    const story = runStory();
    // Accepted by a process that did not normalize (an isolate evicted before its waitUntil ended).
    await writer.write(asAccepted(story.events));
    expect(await count(db, 'pending_events')).toBe(4);
    const { ctx: cronCtx, settled } = runtime();
    await worker.scheduled({}, { DATABASE_URL: url! }, cronCtx);
    await settled();
    expect(await count(db, 'pending_events')).toBe(0);
    expect(await count(db, 'runs', `id = '${story.runId}' and state = 'COMPLETE'`)).toBe(1);
  });

  it('with PEDIGREE_NORMALIZE=off only accepts: neither the request nor the cron normalizes', async () => {
    const { url, db } = ctx();
    const story = runStory();
    const env = { PEDIGREE_NORMALIZE: 'off' };
    const request = runtime();
    const res = await worker.fetch(post(story.events[0]), { ...env, DATABASE_URL: url! }, request.ctx);
    expect(res.status).toBe(201);
    await request.settled();
    // Through Hyperdrive's binding too, where no DATABASE_URL is set.
    const cron = runtime();
    await worker.scheduled({}, { ...env, HYPERDRIVE: { connectionString: url! } }, cron.ctx);
    await cron.settled();
    expect(await count(db, 'pending_events')).toBe(1);
    expect(await count(db, 'runs', `id = '${story.runId}'`)).toBe(0);
    // The instance that normalizes (the default) takes it.
    const other = runtime();
    await worker.scheduled({}, { DATABASE_URL: url! }, other.ctx);
    await other.settled();
    expect(await count(db, 'pending_events')).toBe(0);
    expect(await count(db, 'runs', `id = '${story.runId}'`)).toBe(1);
  });

  describe('with single sign-on', () => {
    let issuer: Issuer;
    beforeAll(async () => {
      issuer = await startIssuer();
    });
    afterAll(() => issuer.close());

    it("keeps the issuer's discovery document and keys for the isolate's life, not one request's", async () => {
      const env = { DATABASE_URL: ctx().url!, PEDIGREE_OIDC_ISSUER: issuer.issuer, PEDIGREE_OIDC_CLIENT_ID: issuer.clientId };
      for (const email of ['ada@example.com', 'grace@example.com']) {
        const { ctx: requestCtx, settled } = runtime();
        const token = await issuer.mint({ email, scope: 'pedigree:read' });
        const res = await worker.fetch(
          new Request('http://worker/api/v1/me', { headers: { authorization: `Bearer ${token}` } }),
          env,
          requestCtx,
        );
        expect(await res.json()).toMatchObject({ name: email, scopes: ['read'], authentication: 'oidc' });
        await settled();
      }
      expect(issuer.hits).toMatchObject({ discovery: 1, jwks: 1 });
    });
  });
});

/**
 * The Worker in workerd (`wrangler dev`), over the real server through its Hyperdrive binding: what only
 * the runtime shows. The HTTP suites run there too (the vitest project `workerd`).
 */
describe.runIf(workerdDatabase)('the Worker in workerd', () => {
  const ctx = useDatabase(workerdDatabase!);

  it('serves the web UI as static assets, its pages as index.html, and the API through the Worker', async () => {
    const { app } = ctx();
    const home = await app.request('/');
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await home.text()).toContain('<div id="root">');
    // A page of the UI, as a browser navigates to it: index.html (the UI routes it).
    const page = await app.request('/models/clf', { headers: { 'sec-fetch-mode': 'navigate' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    // The API's paths reach the Worker, and an unknown one is the API's problem, not a page.
    const missing = await app.request('/api/v1/nope', { headers: { 'sec-fetch-mode': 'navigate' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await (await app.request('/healthcheck')).json()).toMatchObject({ status: 'ok' });
  });

  it('answers 201 at once and normalizes after the answer (waitUntil)', async () => {
    const { app, db } = ctx();
    const story = runStory();
    for (const event of story.events) {
      const res = await app.request('/api/v1/lineage', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
      });
      expect(res.status).toBe(201);
    }
    await eventually(async () => (await count(db, 'runs', `id = '${story.runId}' and state = 'COMPLETE'`)) === 1);
    await eventually(async () => (await count(db, 'pending_events')) === 0);
  });

  it('answers 503 with Retry-After when the database cannot be reached', async () => {
    // Straight to DATABASE_URL: Miniflare's Hyperdrive proxy ends wrangler on a socket error (on Cloudflare,
    // Hyperdrive answers the Worker with the origin's failure instead).
    const down = await startWranglerDev({ withoutHyperdrive: true, vars: { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none' } });
    try {
      const health = await fetch(`${down.url}/healthcheck`);
      expect(health.status, down.output()).toBe(503);
      expect(health.headers.get('retry-after')).toBeTruthy();
      const res = await fetch(`${down.url}/api/v1/lineage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(runStory().events[0]),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
    } finally {
      await down.stop();
    }
  });

  it('drains on the cron trigger what requests left queued', async () => {
    const { db, url, writer } = ctx();
    const story = runStory();
    await writer.write(asAccepted(story.events));
    expect(await count(db, 'pending_events')).toBe(4);
    // Without the static assets: wrangler dev hands a scheduled event to the assets router, which cannot
    // pass it on (see test/support/wrangler-dev.ts); on Cloudflare the cron reaches the Worker itself.
    const cron = await startWranglerDev({ databaseUrl: url!, withoutAssets: true });
    try {
      const res = await fetch(`${cron.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`);
      expect(`${res.status} ${await res.text()}`, cron.output()).toBe('200 ok');
      await eventually(async () => (await count(db, 'pending_events')) === 0);
      expect(await count(db, 'runs', `id = '${story.runId}' and state = 'COMPLETE'`)).toBe(1);
    } finally {
      await cron.stop();
    }
  });
});
