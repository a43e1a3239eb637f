import { readFile } from 'node:fs/promises';
import type { Migration } from './migrate';

const folder = new URL('../../drizzle/', import.meta.url);

/** Reads drizzle-kit's journal and SQL files (Node only). */
export async function readMigrations(): Promise<Migration[]> {
  const journal = JSON.parse(await readFile(new URL('meta/_journal.json', folder), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  const entries = [...journal.entries].sort((a, b) => a.idx - b.idx);
  return Promise.all(
    entries.map(async ({ tag }) => {
      const text = await readFile(new URL(`${tag}.sql`, folder), 'utf8');
      const statements = text
        .split('--> statement-breakpoint')
        .map((s) => s.trim())
        .filter(Boolean);
      return { tag, statements };
    }),
  );
}
