import { beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/config';
import { databases, useDatabase } from './support/databases';
import { DeclaredAnswers } from './support/declared';

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked freely.
type Json = Record<string, any>;

const PRINCIPALS = JSON.stringify([
  { name: 'airflow', key: 'ingest-only-key', scopes: ['ingest'] },
  { name: 'alice', key: 'alice-reads-key', scopes: ['read', 'approve'] },
]);

describe.each(databases)('GET /api/v1/me on $name', (database) => {
  const open = useDatabase(database);
  const keyed = useDatabase(database, { PEDIGREE_PRINCIPALS: PRINCIPALS, PEDIGREE_API_KEYS: 'legacy-admin-key' });
  let declared: DeclaredAnswers;
  beforeAll(async () => {
    declared = await DeclaredAnswers.of(keyed().app);
  });

  async function me(app: ReturnType<typeof open>['app'], headers: Record<string, string>, status = 200): Promise<Json> {
    const res = await declared.request(app, '/api/v1/me', { headers });
    expect(res.status).toBe(status);
    return (await res.json()) as Json;
  }
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('with keys off: the actor X-Pedigree-Actor names, with every scope', async () => {
    expect(await me(open().app, { 'x-pedigree-actor': 'alice' })).toEqual({
      name: 'alice',
      scopes: [...SCOPES],
      authenticated: false,
      authentication: 'off',
    });
    expect((await me(open().app, {})).name).toBe('anonymous');
  });

  it("with keys on: the key's principal and the scopes it may use, whatever they are", async () => {
    const { app } = keyed();
    expect(await me(app, bearer('ingest-only-key'))).toEqual({
      name: 'airflow',
      scopes: ['ingest'],
      authenticated: true,
      authentication: 'keys',
    });
    // No read scope: it may ask who it is, not read.
    expect((await app.request('/api/v1/producers', { headers: bearer('ingest-only-key') })).status).toBe(403);
    expect(await me(app, bearer('alice-reads-key'))).toMatchObject({ name: 'alice', scopes: ['read', 'approve'] });
    // An API key is a principal with admin, which implies every scope: all are listed.
    expect(await me(app, bearer('legacy-admin-key'))).toMatchObject({ name: 'api-key-1', scopes: [...SCOPES] });
    // X-Pedigree-Actor names no one once keys are configured.
    expect((await me(app, { ...bearer('alice-reads-key'), 'x-pedigree-actor': 'mallory' })).name).toBe('alice');
  });

  it('with keys on: 401 without a valid key', async () => {
    expect((await me(keyed().app, {}, 401)).status).toBe(401);
    expect((await me(keyed().app, bearer('not-a-key'), 401)).status).toBe(401);
  });

  it('is documented as needing a key and no scope; the report as needing read', async () => {
    const doc = (await (await keyed().app.request('/openapi.json')).json()) as Json;
    expect(doc.paths['/api/v1/me'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/v1/producers'].get.security).toEqual([{ bearer: ['read'] }]);
    expect(doc.paths['/api/v1/producers/report'].get.security).toEqual([{ bearer: ['read'] }]);
  });
});
