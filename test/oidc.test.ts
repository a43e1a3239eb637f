import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig, SCOPES } from '../src/config';
import { actorOfClaims, claimAt, scopesOfClaim } from '../src/http/oidc-claims';
import { databases, useDatabase } from './support/databases';
import { type Issuer, startIssuer } from './support/oidc-issuer';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely.
type Json = Record<string, any>;

const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

describe('OIDC claims: principal and scopes', () => {
  const config = { scopesClaim: 'scope', scopePrefix: 'pedigree:' };

  it('names the principal by email, else sub; an email said unverified names no one', () => {
    expect(actorOfClaims({ sub: 's1', email: 'ada@example.com' }, config).name).toBe('ada@example.com');
    expect(actorOfClaims({ sub: 's1' }, config).name).toBe('s1');
    expect(actorOfClaims({ sub: 's1', email: 'ada@example.com', email_verified: false }, config).name).toBe('s1');
    expect(actorOfClaims({ sub: 's1', email: 'ada@example.com', email_verified: true }, config).authenticated).toBe(true);
  });

  it('grants a scope for each value `<prefix><scope>`, from a string or an array, and nothing else', () => {
    expect(scopesOfClaim('openid email pedigree:read pedigree:approve', 'pedigree:')).toEqual(['read', 'approve']);
    expect(scopesOfClaim(['pedigree:write', 'pedigree:nonsense', 'other:admin'], 'pedigree:')).toEqual(['write']);
    // Without the prefix a bare `read` (another application's, maybe) grants nothing.
    expect(scopesOfClaim('read write', 'pedigree:')).toEqual([]);
    expect(scopesOfClaim(['read', 'admin'], '')).toEqual(['read', 'admin']);
    expect(scopesOfClaim(42, 'pedigree:')).toEqual([]);
    expect(scopesOfClaim(undefined, 'pedigree:')).toEqual([]);
    expect(scopesOfClaim([1, 'pedigree:ingest', null], 'pedigree:')).toEqual(['ingest']);
  });

  it('finds a claim by name first (Auth0 URLs hold dots), else by a dotted path (Keycloak)', () => {
    const claims = { 'https://example.com/roles': ['a'], realm_access: { roles: ['b'] }, flat: 'c' };
    expect(claimAt(claims, 'https://example.com/roles')).toEqual(['a']);
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['b']);
    expect(claimAt(claims, 'flat.deeper')).toBeUndefined();
    expect(claimAt(claims, 'missing')).toBeUndefined();
  });
});

describe('OIDC configuration', () => {
  const issuer = 'https://id.example.com/realms/x';

  it('defaults: audience the client id, claim `scope`, prefix `pedigree:`, the UI asking for every scope', () => {
    const oidc = loadConfig({ PEDIGREE_OIDC_ISSUER: issuer, PEDIGREE_OIDC_CLIENT_ID: 'web' }).oidc!;
    expect(oidc).toMatchObject({
      issuer,
      audience: 'web',
      clientId: 'web',
      scopesClaim: 'scope',
      scopePrefix: 'pedigree:',
      timeoutMs: 5000,
    });
    expect(oidc.uiScopes).toBe(`openid profile email ${SCOPES.map((s) => `pedigree:${s}`).join(' ')}`);
    // Roles come whatever was asked: the UI asks for the usual scopes only.
    const roles = loadConfig({
      PEDIGREE_OIDC_ISSUER: issuer,
      PEDIGREE_OIDC_AUDIENCE: 'api',
      PEDIGREE_OIDC_SCOPES_CLAIM: 'roles',
      PEDIGREE_OIDC_SCOPE_PREFIX: '',
    });
    expect(roles.oidc).toMatchObject({ audience: 'api', clientId: undefined, scopePrefix: '', uiScopes: 'openid profile email' });
    expect(loadConfig({}).oidc).toBeUndefined();
  });

  it.each([
    [{ PEDIGREE_OIDC_ISSUER: 'not a url', PEDIGREE_OIDC_AUDIENCE: 'a' }, /PEDIGREE_OIDC_ISSUER must be a URL/],
    [{ PEDIGREE_OIDC_ISSUER: 'http://id.example.com', PEDIGREE_OIDC_AUDIENCE: 'a' }, /PEDIGREE_OIDC_ISSUER must be an https URL/],
    [{ PEDIGREE_OIDC_ISSUER: `${issuer}?x=1`, PEDIGREE_OIDC_AUDIENCE: 'a' }, /PEDIGREE_OIDC_ISSUER must have no query/],
    [{ PEDIGREE_OIDC_ISSUER: issuer }, /PEDIGREE_OIDC_AUDIENCE is required/],
    [{ PEDIGREE_OIDC_CLIENT_ID: 'web' }, /PEDIGREE_OIDC_CLIENT_ID is set but PEDIGREE_OIDC_ISSUER is not/],
    [
      { PEDIGREE_OIDC_ISSUER: issuer, PEDIGREE_OIDC_AUDIENCE: 'a', PEDIGREE_OIDC_TIMEOUT_SECONDS: '0' },
      /PEDIGREE_OIDC_TIMEOUT_SECONDS must be a positive integer/,
    ],
    [
      { PEDIGREE_OIDC_ISSUER: issuer, PEDIGREE_OIDC_AUDIENCE: 'a', PEDIGREE_OIDC_UI_SCOPES: 'profile' },
      /PEDIGREE_OIDC_UI_SCOPES must include openid/,
    ],
  ])('refuses %o at start-up, by name', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes http on loopback only (a development issuer)', () => {
    expect(loadConfig({ PEDIGREE_OIDC_ISSUER: 'http://127.0.0.1:8080/realms/x', PEDIGREE_OIDC_AUDIENCE: 'a' }).oidc?.issuer).toBe(
      'http://127.0.0.1:8080/realms/x',
    );
  });
});

describe.each(databases)('OIDC tokens on $name', (database) => {
  let issuer: Issuer;
  const env: Record<string, string> = { PEDIGREE_PRINCIPALS: JSON.stringify([{ name: 'ci', key: 'ci-ingest-key', scopes: ['ingest'] }]) };
  beforeAll(async () => {
    issuer = await startIssuer();
    Object.assign(env, { PEDIGREE_OIDC_ISSUER: issuer.issuer, PEDIGREE_OIDC_CLIENT_ID: issuer.clientId });
  });
  afterAll(() => issuer.close());
  const ctx = useDatabase(database, env);
  /** Another app over the same database, with its own verifier (nothing cached) and configuration. */
  const appWith = (more: Record<string, string>) => createApp({ ...ctx(), config: loadConfig({ ...env, ...more }) });

  async function me(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, token: string, status = 200) {
    const res = await app.request('/api/v1/me', { headers: bearer(token) });
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).toBe(status);
    return { res, body };
  }

  it("takes a valid token: the principal is its email, its scopes the claim's; API keys still work", async () => {
    const { app } = ctx();
    const token = await issuer.mint({ email: 'ada@example.com', scope: 'openid email pedigree:read pedigree:write' });
    expect((await me(app, token)).body).toEqual({
      name: 'ada@example.com',
      scopes: ['read', 'write'],
      authenticated: true,
      authentication: 'keys+oidc',
    });
    expect((await me(app, await issuer.mint({ sub: 'svc-42', scope: 'pedigree:admin' }))).body).toMatchObject({
      name: 'svc-42',
      scopes: [...SCOPES],
    });
    expect((await me(app, 'ci-ingest-key')).body).toMatchObject({ name: 'ci', scopes: ['ingest'] });
  });

  it('records the principal in the audit log', async () => {
    const { app } = ctx();
    const token = await issuer.mint({ email: 'ada@example.com', scope: 'pedigree:read pedigree:write' });
    const created = await app.request('/api/2.0/mlflow/registered-models/create', {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sso-model' }),
    });
    expect(created.status).toBe(200);
    const history = (await (await app.request('/api/v1/models/sso-model/history', { headers: bearer(token) })).json()) as Json;
    expect(history.history.map((e: Json) => [e.actor, e.action])).toEqual([['ada@example.com', 'model.registered']]);
  });

  it("answers 403 to a valid token without the route's scope, as for keys", async () => {
    const { app } = ctx();
    const reader = await issuer.mint({ scope: 'openid pedigree:read' });
    const res = await app.request('/api/v1/models/x/versions/1/approvals', {
      method: 'POST',
      headers: { ...bearer(reader), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).detail).toMatch(/lacks the 'approve' scope/);
    // No scope at all: it may still ask who it is.
    expect((await me(app, await issuer.mint({ scope: 'openid read' }))).body.scopes).toEqual([]);
  });

  it.each([
    ['an expired token', () => issuer.mint({}, { expiresIn: -120 }), /has expired/],
    ['another issuer', () => issuer.mint({}, { issuer: 'https://evil.example.com' }), /not issued by/],
    ['another audience', () => issuer.mint({}, { audience: 'someone-else' }), /not meant for this audience \(pedigree-web\)/],
    ['a bad signature (a known kid, another key)', () => issuer.mint({}, { foreignKid: 'key-1' }), /signature is not valid/],
    [
      'an unknown kid',
      () => issuer.mint({}, { foreignKid: 'key-unknown' }),
      /no key of the issuer matches the token \(kid "key-unknown"\)/,
    ],
    ['no sub', () => issuer.mint({ sub: undefined }), /no "sub" claim/],
    ['not a JWT nor a key', async () => 'not-a-configured-key', /neither a configured API key nor a JWT/],
    ['a JWT-shaped string that is not one', async () => 'eyJhbGciOiJub25lIn0.e30.c2ln', /not a valid JWT|algorithm/],
  ])('refuses %s: 401 invalid_token', async (_what, token, detail) => {
    const { res, body } = await me(ctx().app, await token(), 401);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="pedigree", error="invalid_token", error_description="/);
    expect(body.detail).toMatch(detail);
  });

  it('tolerates a small clock skew: a token expired 10 seconds ago passes', async () => {
    await me(ctx().app, await issuer.mint({}, { expiresIn: -10 }));
  });

  it('asks for a credential when none is sent; says how to sign in, publicly', async () => {
    const { app } = ctx();
    const res = await app.request('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="pedigree"');
    expect(((await res.json()) as Json).detail).toMatch(/an API key or an OIDC token is required/);
    const config = await app.request('/api/v1/auth/config');
    expect(config.status).toBe(200);
    expect(await config.json()).toEqual({
      authentication: 'keys+oidc',
      oidc: {
        issuer: issuer.issuer,
        clientId: 'pedigree-web',
        scopes: expect.stringContaining('openid'),
        audience: 'pedigree-web',
      },
    });
    // Without a client id the UI cannot sign in: the API still takes tokens.
    const apiOnly = appWith({ PEDIGREE_OIDC_CLIENT_ID: '', PEDIGREE_OIDC_AUDIENCE: 'pedigree-api' });
    expect(await (await apiOnly.request('/api/v1/auth/config')).json()).toEqual({ authentication: 'keys+oidc', oidc: null });
    expect((await me(apiOnly, await issuer.mint({}, { audience: ['pedigree-api', 'other'] }))).body.name).toBe('user-1');
    // Tokens alone, no keys: a key-shaped credential is no JWT.
    const tokensOnly = appWith({ PEDIGREE_PRINCIPALS: '' });
    expect(((await (await tokensOnly.request('/api/v1/me')).json()) as Json).detail).toMatch(/^an OIDC token is required/);
    expect((await me(tokensOnly, 'ci-ingest-key', 401)).body.detail).toBe('the token is not a JWT');
    expect((await me(tokensOnly, await issuer.mint({}))).body).toMatchObject({ name: 'user-1', authentication: 'oidc' });
    const doc = (await (await app.request('/openapi.json')).json()) as Json;
    expect(doc.paths['/api/v1/auth/config'].get.security).toBeUndefined();
  });

  it('fetches discovery and keys once, then verifies from the cache', async () => {
    const app = appWith({});
    const before = { ...issuer.hits };
    for (let i = 0; i < 5; i++) await me(app, await issuer.mint({}));
    expect(issuer.hits.discovery - before.discovery).toBe(1);
    expect(issuer.hits.jwks - before.jwks).toBe(1);
  });

  it('takes scopes from a configured claim: nested roles without a prefix', async () => {
    const app = appWith({ PEDIGREE_OIDC_SCOPES_CLAIM: 'realm_access.roles', PEDIGREE_OIDC_SCOPE_PREFIX: '' });
    const token = await issuer.mint({ scope: 'pedigree:admin', realm_access: { roles: ['read', 'approve', 'offline_access'] } });
    expect((await me(app, token)).body.scopes).toEqual(['read', 'approve']);
  });

  describe('key rotation and an issuer that goes away', () => {
    let other: Issuer;
    beforeAll(async () => {
      other = await startIssuer();
    });
    afterAll(() => other.close());
    afterEach(() => {
      vi.useRealTimers();
    });
    const appFor = (more: Record<string, string> = {}) =>
      appWith({ PEDIGREE_OIDC_ISSUER: other.issuer, PEDIGREE_OIDC_CLIENT_ID: other.clientId, ...more });

    it('refetches the keys once for an unknown kid (rotation), no more often than every 30 seconds', async () => {
      const app = appFor();
      await me(app, await other.mint({}));
      expect(other.hits.jwks).toBe(1);
      await other.rotate({ retire: true });
      const rotated = await other.mint({ email: 'new@example.com' });
      // Within jose's cooldown since the last fetch: the new kid is not looked for.
      expect((await me(app, rotated, 401)).body.detail).toMatch(/kid "key-2"/);
      expect(other.hits.jwks).toBe(1);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 31_000);
      expect((await me(app, rotated)).body.name).toBe('new@example.com');
      expect(other.hits.jwks).toBe(2);
      // A made-up kid right after is refused without asking the issuer again.
      await me(app, await other.mint({}, { foreignKid: 'made-up' }), 401);
      expect(other.hits.jwks).toBe(2);
    });

    it('answers 503 (Retry-After), not a hang, when the issuer does not answer; cached keys still verify', async () => {
      const cached = appFor({ PEDIGREE_OIDC_TIMEOUT_SECONDS: '1' });
      const token = await other.mint({});
      await me(cached, token);
      other.state.hang = true;
      const fresh = appFor({ PEDIGREE_OIDC_TIMEOUT_SECONDS: '1' });
      const started = Date.now();
      const { res, body } = await me(fresh, token, 503);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.headers.get('retry-after')).toBe('10');
      expect(body.detail).toMatch(/cannot be reached for its discovery document \(timed out\)/);
      // Keys fetched before the outage still verify.
      await me(cached, token);
      // A new kid needs the issuer: 503 once the cooldown is over, after the timeout.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 31_000);
      const unknown = await me(cached, await other.mint({}, { foreignKid: 'key-9' }), 503);
      expect(unknown.body.detail).toMatch(/cannot be reached for its keys \(timed out\)/);
      other.state.hang = false;
    });

    it('answers 503 when nothing listens at the issuer', async () => {
      const gone = await startIssuer();
      const token = await gone.mint({});
      await gone.close();
      const app = appWith({ PEDIGREE_OIDC_ISSUER: gone.issuer, PEDIGREE_OIDC_CLIENT_ID: gone.clientId });
      const { res, body } = await me(app, token, 503);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(body.detail).toMatch(new RegExp(`the OIDC issuer ${gone.issuer} cannot be reached`));
      // An API key does not need the issuer.
      expect((await me(app, 'ci-ingest-key')).body.name).toBe('ci');
    });

    it('remembers an issuer that cannot be reached for as long as its Retry-After, then asks again', async () => {
      const hanging = await startIssuer();
      try {
        const token = await hanging.mint({});
        hanging.state.hang = true;
        const app = appWith({
          PEDIGREE_OIDC_ISSUER: hanging.issuer,
          PEDIGREE_OIDC_CLIENT_ID: hanging.clientId,
          PEDIGREE_OIDC_TIMEOUT_SECONDS: '1',
        });
        const first = Date.now();
        await me(app, token, 503);
        expect(Date.now() - first).toBeGreaterThanOrEqual(900);
        // Meanwhile: answered at once, and the issuer, back already, is not asked.
        hanging.state.hang = false;
        const started = Date.now();
        const again = await me(app, token, 503);
        expect(Date.now() - started).toBeLessThan(500);
        expect(again.body.detail).toMatch(/cannot be reached for its discovery document \(timed out\)/);
        expect(hanging.hits.discovery).toBe(0);
        // Once the 10 s are over, it is asked again.
        vi.useFakeTimers({ toFake: ['Date'] });
        vi.setSystemTime(Date.now() + 11_000);
        expect((await me(app, token)).body).toMatchObject({ authenticated: true, authentication: 'keys+oidc' });
        expect(hanging.hits.discovery).toBe(1);
      } finally {
        vi.useRealTimers();
        await hanging.close();
      }
    });
  });
});
