import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, openPage, useBrowser } from '../support/browser';
import { type Issuer, startIssuer } from '../support/oidc-issuer';
import { useUiServer } from '../support/ui-server';

/** A call refused while no one is signed in (or with a token refused), and Chromium's console line for it. */
const REFUSED = [/HTTP 401: GET .*\/api\//, /console: Failed to load resource: .* 401 \(Unauthorized\)/];

/**
 * Single sign-on in a real browser: the web UI signs in through a real OIDC issuer on loopback
 * (authorization code + PKCE), shows the principal, signs out, and signs in again when its token expires.
 */
describe.skipIf(!chromiumPath)('web UI single sign-on', () => {
  let issuer: Issuer;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    issuer = await startIssuer();
    Object.assign(env, { PEDIGREE_OIDC_ISSUER: issuer.issuer, PEDIGREE_OIDC_CLIENT_ID: issuer.clientId });
  });
  afterAll(() => issuer.close());
  const server = useUiServer({ env, corpus: false });
  const browser = useBrowser();

  it('signs in at the issuer and back, shows the principal, and signs out', async () => {
    const { page, expectClean, close, screenshot } = await openPage(browser(), server().url);
    const before = { ...issuer.hits };
    await page.goto('/models');
    const principal = page.getByTestId('principal');
    await expect.poll(() => principal.textContent()).toBe('not signed in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // To the issuer's authorization endpoint, back to /auth/callback, then where the user was.
    await expect.poll(() => principal.textContent(), { timeout: 15_000 }).toBe('ada@example.com');
    expect(new URL(page.url()).pathname).toBe('/models');
    expect(issuer.hits.authorize - before.authorize).toBe(1);
    expect(issuer.hits.token - before.token).toBe(1);
    // The scopes the issuer granted (read, write) are the principal's; the registry reads with them.
    expect(await page.locator('.session-panel').textContent()).toContain('(may read, write)');
    await page.getByRole('link', { name: 'clf', exact: true }).first().waitFor();
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('pedigree.session') ?? '{}'));
    expect(stored.token).toMatch(/^eyJ/);
    await screenshot('sign-in-signed-in');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => principal.textContent()).toBe('not signed in');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('pedigree.session'))).toBe('{}');
    expectClean(REFUSED);
    await close();
  });

  it('sends the user to sign in again when the token has expired, back to the same page', async () => {
    const { page, expectClean, close } = await openPage(browser(), server().url);
    await page.goto('/');
    const expired = await issuer.mint({ email: 'ada@example.com', scope: 'pedigree:read' }, { expiresIn: -3600 });
    await page.evaluate(
      (token) => sessionStorage.setItem('pedigree.session', JSON.stringify({ token, obtainedAt: Date.now() - 2 * 3600_000 })),
      expired,
    );
    const before = issuer.hits.authorize;
    await page.goto('/deployments');
    const principal = page.getByTestId('principal');
    await expect.poll(() => principal.textContent(), { timeout: 15_000 }).toBe('ada@example.com');
    expect(issuer.hits.authorize - before).toBe(1);
    expect(new URL(page.url()).pathname).toBe('/deployments');
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('pedigree.session') ?? '{}'));
    expect(stored.token).not.toBe(expired);
    expectClean(REFUSED);
    await close();
  });

  it('says why, and does not loop, when Pedigree refuses the token the issuer just gave', async () => {
    const { page, expectClean, close } = await openPage(browser(), server().url);
    issuer.state.audience = 'another-api';
    try {
      await page.goto('/');
      const before = issuer.hits.authorize;
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.locator('.session-panel [role=alert]');
      await alert.waitFor({ timeout: 15_000 });
      expect(await alert.textContent()).toMatch(
        /Pedigree refused the token the issuer just gave: the token is not meant for this audience/,
      );
      await expect.poll(() => page.getByTestId('principal').textContent()).toBe('not signed in');
      await page.waitForTimeout(500);
      expect(issuer.hits.authorize - before).toBe(1);
    } finally {
      issuer.state.audience = undefined;
    }
    expectClean(REFUSED);
    await close();
  });
});
