import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Db } from './client';
import * as schema from './schema';

export interface PostgresOptions {
  max?: number;
  connectTimeoutSeconds?: number;
}

/** A real PostgreSQL server through postgres.js (a pool of `max` connections). */
export function openPostgres(url: string, options: PostgresOptions = {}): Db {
  const client = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    onnotice: () => {},
    // Statements are built per batch with varying row counts: preparing each would fill the cache.
    prepare: false,
  });
  const orm = drizzle(client, { schema }) as unknown as Database;
  return { orm, driver: 'postgres', close: () => client.end({ timeout: 5 }) };
}
