import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './http/context';
import { packageRoot } from './package-root';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The web UI from dist/web/ (built by `npm run build:web`, part of `npm ci`), for Node. Files under
 * /assets/ carry a content hash in their name: cached for good. Every other path the UI does not hold is
 * one of its pages (`/datasets/…`, `/models/clf/versions/2`): index.html, never cached, so a new build is
 * picked up. Gzipped copies written by the build are served to clients that accept them. Workers serve the
 * same folder as static assets (wrangler.toml).
 */
export function nodeUi(dir = join(packageRoot, 'dist', 'web')): MiddlewareHandler<AppEnv> {
  const cacheControl = (path: string, c: Parameters<MiddlewareHandler>[0]) => {
    c.header('Cache-Control', path.includes(`${join(dir, 'assets')}`) ? IMMUTABLE : 'no-cache');
  };
  const files = serveStatic({ root: dir, precompressed: true, onFound: cacheControl });
  const index = serveStatic({ path: join(dir, 'index.html'), precompressed: true, onFound: cacheControl });
  // Once built, the UI stays built: the file system is asked until then, not on every request.
  let built = false;
  return async (c, next) => {
    built ||= existsSync(join(dir, 'index.html'));
    if (!built) {
      return c.text('The web UI is not built: run `npm run build:web` (npm ci does). The API is under /api.', 503);
    }
    const found = await files(c, async () => {});
    if (found) return found;
    // A missing hashed asset is a 404 (an old page asking for a chunk a new build replaced says so and reloads).
    if (c.req.path.startsWith('/assets/')) return next();
    return (await index(c, async () => {})) ?? next();
  };
}
