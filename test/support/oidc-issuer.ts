import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** Who the issuer signs in (its authorization endpoint consents at once) and what it may grant. */
export interface IssuerUser {
  sub: string;
  email?: string;
  /** Scope values the user may be granted, when asked for (`pedigree:read`): the `scope` claim is their intersection. */
  grants: string[];
  /** More claims in every token (`roles`, `realm_access`, `email_verified`). */
  claims?: Record<string, unknown>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  nonce: string | undefined;
  audience: string | undefined;
  user: IssuerUser;
}

export interface MintOptions {
  /** Seconds from now until `exp` (negative: already expired). Default one hour. */
  expiresIn?: number;
  /** `aud`; default the issuer's client id. */
  audience?: string | string[];
  /** `iss`; default the issuer itself. */
  issuer?: string;
  /** Sign with a key the issuer never published, under this kid (an unknown kid, or a known kid and a bad signature). */
  foreignKid?: string;
  /** `alg`; default RS256. */
  alg?: 'RS256' | 'ES256';
}

export type Issuer = Awaited<ReturnType<typeof startIssuer>>;

const newKey = async (kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
};

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * A real OpenID Connect issuer on loopback, for the tests: keys generated here (jose), discovery, a JWKS,
 * an authorization endpoint that consents at once for `user` and redirects back with a code, and a token
 * endpoint that checks the code, the client, the redirect URI and the PKCE verifier (S256) before it
 * issues a signed access token and ID token. CORS is open, as the browser's token request needs.
 * `rotate()` publishes a new key and signs with it; `hang` leaves every request unanswered; `close()`
 * takes it off the network. `hits` counts requests per endpoint.
 */
export async function startIssuer(options: { clientId?: string; path?: string } = {}) {
  const clientId = options.clientId ?? 'pedigree-web';
  const path = options.path ?? '/realms/pedigree';
  let keys: SigningKey[] = [await newKey('key-1')];
  let kidCount = 1;
  const codes = new Map<string, PendingCode>();
  const hits = { discovery: 0, jwks: 0, authorize: 0, token: 0 };
  const sockets = new Set<Socket>();
  const state = {
    user: { sub: 'user-1', email: 'ada@example.com', grants: ['pedigree:read', 'pedigree:write'] } as IssuerUser,
    hang: false,
    accessTokenSeconds: 3600,
    /** The access tokens' `aud`, whatever the authorization request asked for (a misconfigured issuer). */
    audience: undefined as string | undefined,
  };

  const server = createServer((req, res) => {
    if (state.hang) return; // never answered: the caller's timeout is what ends it
    handle(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${path}`;

  const signing = () => keys[keys.length - 1]!;

  async function sign(claims: JWTPayload, key: { kid: string; privateKey: CryptoKey }, alg: string, expiresIn: number) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iat: now, exp: now + expiresIn, ...claims })
      .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  /** A token as the issuer would sign it (or, with options, as it would not). */
  async function mint(claims: JWTPayload, opts: MintOptions = {}): Promise<string> {
    const alg = opts.alg ?? 'RS256';
    const key = opts.foreignKid ? await newKey(opts.foreignKid, alg) : signing();
    const base = { iss: opts.issuer ?? issuer, aud: opts.audience ?? clientId, sub: state.user.sub };
    return sign({ ...base, ...claims }, key, alg, opts.expiresIn ?? 3600);
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, {
      'content-type': 'application/json',
      'access-control-allow-origin': '*',
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      });
      return res.end();
    }
    switch (url.pathname) {
      case `${path}/.well-known/openid-configuration`:
        hits.discovery++;
        return send(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
        });
      case `${path}/jwks`:
        hits.jwks++;
        return send(res, 200, { keys: keys.map((k) => k.jwk) });
      case `${path}/authorize`:
        hits.authorize++;
        return authorize(url, res);
      case `${path}/token`:
        hits.token++;
        if (req.method !== 'POST') return send(res, 405, { error: 'invalid_request' });
        return token(await readForm(req), res);
      default:
        return send(res, 404, { error: 'not_found' });
    }
  }

  /** Consents at once for `state.user`, and redirects back with a code bound to the PKCE challenge. */
  function authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== clientId || !redirectUri.startsWith('http://127.0.0.1:')) {
      return send(res, 400, { error: 'invalid_request', error_description: 'unknown client or redirect_uri' });
    }
    const back = new URL(redirectUri);
    const challenge = q.get('code_challenge');
    if (q.get('response_type') !== 'code' || !challenge || q.get('code_challenge_method') !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
    } else {
      const code = randomBytes(16).toString('base64url');
      codes.set(code, {
        clientId,
        redirectUri,
        challenge,
        scope: q.get('scope') ?? '',
        nonce: q.get('nonce') ?? undefined,
        audience: q.get('audience') ?? undefined,
        user: state.user,
      });
      back.searchParams.set('code', code);
      back.searchParams.set('iss', issuer);
    }
    const st = q.get('state');
    if (st) back.searchParams.set('state', st);
    res.writeHead(302, { location: back.href }).end();
  }

  /** Exchanges a code once, for the client and redirect URI it was issued to, given the verifier of its challenge. */
  async function token(form: URLSearchParams, res: ServerResponse) {
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code);
    const refuse = (description: string) => send(res, 400, { error: 'invalid_grant', error_description: description });
    if (form.get('grant_type') !== 'authorization_code' || !pending) return refuse('unknown or used code');
    if (form.get('client_id') !== pending.clientId || form.get('redirect_uri') !== pending.redirectUri)
      return refuse('client or redirect_uri differs');
    if (s256(form.get('code_verifier') ?? '') !== pending.challenge) return refuse('PKCE verification failed');
    const { user } = pending;
    const asked = pending.scope.split(' ').filter(Boolean);
    const granted = asked.filter((s) => ['openid', 'profile', 'email'].includes(s) || user.grants.includes(s)).join(' ');
    const identity = { sub: user.sub, ...(user.email ? { email: user.email } : {}), ...user.claims };
    const seconds = state.accessTokenSeconds;
    const accessToken = await sign(
      { iss: issuer, aud: state.audience ?? pending.audience ?? clientId, azp: clientId, scope: granted, jti: randomUUID(), ...identity },
      signing(),
      'RS256',
      seconds,
    );
    const idToken = await sign(
      { iss: issuer, aud: clientId, ...(pending.nonce ? { nonce: pending.nonce } : {}), ...identity },
      signing(),
      'RS256',
      3600,
    );
    return send(res, 200, { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: seconds, scope: granted });
  }

  return {
    issuer,
    clientId,
    hits,
    state,
    mint,
    /** Publishes a new signing key, keeping the old ones published unless `retire`; returns the new kid. */
    async rotate({ retire = false } = {}): Promise<string> {
      const key = await newKey(`key-${++kidCount}`);
      keys = retire ? [key] : [...keys, key];
      return key.kid;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
