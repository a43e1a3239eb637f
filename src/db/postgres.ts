import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { type Database, type Db, type Query, queryOf, type Row, type RowTexts } from './client';
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
    // Write statements have fixed texts (see upsert.ts), so preparing them once per connection pays.
    prepare: true,
    // The read statements nest dozens of small subplans over a recursive walk; the planner's estimates for
    // the walk cross the JIT threshold, and compiling them took seconds where running them takes
    // milliseconds (lineage at depth 2: 3.4 s with JIT, 92 ms without). Nothing here is analytic.
    connection: { jit: 'off' },
  });
  const orm = drizzle(client, { schema }) as unknown as Database;
  const dialect = new PgDialect();
  return {
    orm,
    driver: 'postgres',
    transaction: <T>(fn: (query: Query) => Promise<T>) =>
      client.begin((tx) => fn(queryOf(dialect, statements(tx, true), undefined, statements(tx, false)))) as Promise<T>,
    autocommit: <T>(fn: (query: Query) => Promise<T>) =>
      fn(queryOf(dialect, statements(client, true), undefined, statements(client, false))),
    prepared: async <T>(query: SQL) => {
      const { sql: text, params } = dialect.sqlToQuery(query);
      return (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[];
    },
    texts: async (query: SQL) => {
      const { sql: text, params } = dialect.sqlToQuery(query);
      // Unprepared, as drizzle runs `rows`' statements: each is planned for its values (a listing's offset).
      const result = await client.unsafe(text, params as never[], { prepare: false }).raw();
      return { columns: result.columns.map((c) => ({ name: c.name, type: c.type })), rows: result as unknown as RowTexts['rows'] };
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** Runs raw statements on `on` (the pool, or a transaction's connection), prepared or planned each time. */
const statements =
  (on: Pick<postgres.Sql, 'unsafe'>, prepare: boolean) =>
  (text: string, params: unknown[] = []) =>
    on.unsafe(text, params as never[], { prepare }) as Promise<Row[]>;
