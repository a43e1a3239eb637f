import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import worker from '../src/worker';
import { databases, useDatabase } from './support/databases';
import { type Issuer, startIssuer } from './support/oidc-issuer';
import { runStory } from './support/run-events';
import { count } from './support/snapshot';

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
    const { prepareEvent } = await import('../src/ingest/ingest');
    const events = story.events.map((e) => {
      const p = prepareEvent(JSON.stringify(e), { strict: false });
      if (!p.ok) throw new Error('not accepted');
      return p.event;
    });
    await writer.write(events);
    expect(await count(db, 'pending_events')).toBe(4);
    const { ctx: cronCtx, settled } = runtime();
    await worker.scheduled({}, { DATABASE_URL: url! }, cronCtx);
    await settled();
    expect(await count(db, 'pending_events')).toBe(0);
    expect(await count(db, 'runs', `id = '${story.runId}' and state = 'COMPLETE'`)).toBe(1);
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
