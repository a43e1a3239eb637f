import { type PGlite, parse, protocol, type Transaction } from '@electric-sql/pglite';
import type { Row } from './client';

/** Statements kept prepared at once (by default); the least recently used is closed beyond this. */
const MAX_PREPARED = 256;

type Value = string | null;

/** Names are unique in the process, so that two instances on one PGlite never take the same. */
let named = 0;

/**
 * Named prepared statements for PGlite, which prepares none: its `query` parses and plans an unnamed
 * statement every time. Parsing and planning a batch's multi-row upserts (256 rows, up to 2,048
 * parameters) costs PGlite about as much as running them, on the thread that answers requests; prepared,
 * the server keeps each statement's parse and, after a few runs, a generic plan, as PostgreSQL does for
 * postgres.js. Measured on the corpus mix: a 256-row facets upsert 17–19 ms a run unnamed, 9–10 prepared.
 *
 * PGlite is one session: a statement prepared in one transaction serves every later one (prepared
 * statements outlive rollbacks). The wire messages of one statement go as one exclusive run of PGlite's
 * query lock, which its own queries take too, in the order the statements were issued (the callers
 * pipeline statements and rely on that order). Used inside transactions only: PGlite syncs to its files
 * after a statement outside one, and COMMIT does it for those inside.
 */
export class PreparedStatements {
  /** Statement names by text, least recently used first. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly pg: PGlite,
    private readonly max = MAX_PREPARED,
  ) {}

  query(tx: Transaction, text: string, params: readonly unknown[] = []): Promise<Row[]> {
    const values = asValues(params);
    // A value PGlite would serialize by the parameter's type (a Date, an array): its own path does.
    if (!values) return tx.query<Row>(text, params as unknown[]).then((r) => r.rows);
    return this.pg.runExclusive(() => this.run(text, values));
  }

  private async run(text: string, values: Value[]): Promise<Row[]> {
    const send = async (message: Uint8Array) => (await this.pg.execProtocol(message, { syncToFs: false })).messages;
    const messages: Awaited<ReturnType<typeof send>> = [];
    try {
      let name = this.names.get(text);
      if (name === undefined) {
        const oldest = this.names.size >= this.max ? this.names.entries().next().value : undefined;
        if (oldest) {
          this.names.delete(oldest[0]);
          await send(protocol.serialize.close({ type: 'S', name: oldest[1] }));
        }
        name = `pedigree_${++named}`;
        messages.push(...(await send(protocol.serialize.parse({ name, text }))));
      } else this.names.delete(text);
      // Known from here on (once Parse succeeded), as the most recently used.
      this.names.set(text, name);
      messages.push(...(await send(protocol.serialize.bind({ statement: name, values }))));
      messages.push(...(await send(protocol.serialize.describe({ type: 'P' }))));
      messages.push(...(await send(protocol.serialize.execute({}))));
    } finally {
      // Ends the extended-protocol run, also after an error (the server skips to it).
      messages.push(...(await send(protocol.serialize.sync())));
    }
    return parse.parseResults(messages, this.pg.parsers)[0]!.rows as Row[];
  }
}

/** The parameters as the text PGlite sends, when each is text, a number, a boolean or null. */
function asValues(params: readonly unknown[]): Value[] | undefined {
  const values: Value[] = [];
  for (const p of params) {
    if (p === null || p === undefined) values.push(null);
    else if (typeof p === 'string') values.push(p);
    else if (typeof p === 'number' || typeof p === 'bigint' || typeof p === 'boolean') values.push(String(p));
    else return undefined;
  }
  return values;
}
