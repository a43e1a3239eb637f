import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { openApiDocument } from '../openapi';
import { databaseUnavailable } from '../problem';

export const healthRoutes = new Hono<AppEnv>();

/** 200 when the database answers, 503 (problem+json) when it does not. */
healthRoutes.get('/healthcheck', async (c) => {
  try {
    await c.get('deps').db.orm.execute(sql`select 1`);
  } catch {
    throw databaseUnavailable();
  }
  return c.json({ status: 'ok' });
});

/** Pedigree's OpenAPI document (no key needed: it describes, it does not read data). */
healthRoutes.get('/openapi.json', (c) => c.json(openApiDocument));
