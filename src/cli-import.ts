import { open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { concatBytes } from './bytes';
import type { Config } from './config';
import type { Db } from './db/client';
import { ImportInterrupted, importEvents } from './ingest/import';
import type { ImportReport, ItemOutcome } from './ingest/import-report';
import type { Normalizer } from './ingest/normalizer';
import { ingestPipeline } from './ingest/pipeline';
import type { BatchFormat } from './ingest/split';

/**
 * `pedigree import FILE|-`: the batch import of the HTTP API (the same domain function), fed from a file
 * or stdin. Exit codes: 0 all stored, 1 some items rejected (or the import stopped), 2 usage errors.
 */
export const IMPORT_USAGE = `  import FILE|- [--ndjson|--json] [--strict]
                      store the events of a JSON array (what export writes) or NDJSON, gzipped or not:
                      NDJSON for .ndjson/.jsonl files, --ndjson, or input not starting with "[";
                      --json reads JSON values one after another; --strict refuses any deviation`;

export interface ImportInput {
  name: string;
  format?: BatchFormat;
  strict: boolean;
  /** The bytes as stored (gzip or not), and their size when known (a file, not stdin). */
  source: AsyncIterable<Uint8Array>;
  size?: number;
}

/** The command's arguments with the input opened, or the usage error to print. */
export async function openImport(args: string[]): Promise<ImportInput | string> {
  const unknown = args.filter((a) => a.startsWith('--') && !['--ndjson', '--json', '--strict'].includes(a));
  const files = args.filter((a) => !a.startsWith('--'));
  if (unknown.length) return `import: unknown option ${unknown.join(', ')}`;
  if (files.length !== 1) return 'import: name one FILE, or - for stdin';
  if (args.includes('--ndjson') && args.includes('--json')) return 'import: --ndjson or --json, not both';
  const name = files[0]!;
  const flagged: BatchFormat | undefined = args.includes('--ndjson') ? 'ndjson' : args.includes('--json') ? 'json' : undefined;
  const format = flagged ?? (/\.(?:ndjson|jsonl)(?:\.gz)?$/i.test(name) ? 'ndjson' : undefined);
  const strict = args.includes('--strict');
  if (name === '-') return { name: 'stdin', format, strict, source: process.stdin };
  try {
    const file = await open(name);
    const { size } = await file.stat();
    return { name, format, strict, source: file.createReadStream(), size };
  } catch (e) {
    return `import: cannot read ${name}: ${(e as Error).message}`;
  }
}

export interface ImportIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

export async function runImport(db: Db, input: ImportInput, config: Config, io: ImportIo): Promise<number> {
  let read = 0;
  const counted = (async function* () {
    for await (const chunk of input.source) {
      read += chunk.byteLength;
      yield chunk as Uint8Array;
    }
  })();
  const inflated = await gunzipped(counted);
  const { head, chunks } = await peek(inflated, (h) => firstByte(h) !== undefined);
  const format = input.format ?? (firstByte(head) === 0x5b ? 'json' : 'ndjson');

  const progress = io.stderr.isTTY ? new Progress(io.stderr, input.size) : undefined;
  let items = 0;
  const onItem = () => {
    items++;
    progress?.show(items, read);
  };
  // The events are accepted first, then normalized in large batches: the command returns with everything it
  // stored normalized (or set aside), as no server may be there to do it (PGlite).
  const { writer, normalizer } = ingestPipeline(db, config);
  try {
    const report = await importEvents(writer, chunks, {
      format,
      strict: input.strict || config.strict,
      maxEventBytes: config.maxEventBytes,
      onItem,
    });
    progress?.clear();
    io.stdout.write(summary(input.name, format, report));
    const failed = await finishNormalizing(normalizer, io);
    return report.rejected > 0 || failed > 0 ? 1 : 0;
  } catch (e) {
    progress?.clear();
    if (!(e instanceof ImportInterrupted)) throw e;
    io.stdout.write(summary(input.name, format, e.report));
    io.stderr.write(`import stopped: ${(e.cause as Error)?.message ?? e.cause}; ${e.message}\n`);
    await finishNormalizing(normalizer, io).catch(() => {});
    return 1;
  } finally {
    await normalizer.stop();
  }
}

/** Drains the normalization queue; says which events were set aside. Returns their number. */
async function finishNormalizing(normalizer: Normalizer, io: ImportIo): Promise<number> {
  const { failed } = await normalizer.drain();
  if (failed.length) {
    io.stdout.write(
      `${count(failed.length)} stored events could not be normalized (set aside; \`pedigree replay --failed\` retries them):\n`,
    );
    for (const f of failed.slice(0, SHOWN_REJECTIONS)) io.stdout.write(`  ${f.id}: ${f.error}\n`);
  }
  return failed.length;
}

/** The input inflated when it starts with gzip's magic bytes (1f 8b), whatever its name. */
async function gunzipped(source: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const { head, chunks } = await peek(source, (h) => h.byteLength >= 2);
  if (head[0] !== 0x1f || head[1] !== 0x8b) return chunks;
  // Node's gunzip also reads concatenated gzip members (files joined with cat). pipeline() passes a read
  // error on to the gunzip stream, whose reader then throws it.
  const gunzip = createGunzip();
  pipeline(Readable.from(chunks), gunzip, () => {});
  return gunzip;
}

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const BOM = new Set([0xef, 0xbb, 0xbf]);
const firstByte = (bytes: Uint8Array) => bytes.find((b) => !isSpace(b) && !BOM.has(b));

/** Reads the first chunks until `enough` says so; the chunks returned still start at the beginning. */
async function peek(
  source: AsyncIterable<Uint8Array>,
  enough: (head: Uint8Array) => boolean,
): Promise<{ head: Uint8Array; chunks: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let head = new Uint8Array(0) as Uint8Array;
  while (!enough(head)) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
    head = concatBytes(seen);
  }
  const chunks = async function* () {
    if (head.byteLength) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  return { head, chunks: chunks() };
}

const count = (n: number) => n.toLocaleString('en-US');
const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** One line on stderr, redrawn at most ten times a second: events, bytes read (of the total), rate. */
class Progress {
  private readonly started = Date.now();
  private shown = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly total: number | undefined,
  ) {}

  show(items: number, read: number): void {
    const now = Date.now();
    if (now - this.shown < 100) return;
    this.shown = now;
    const rate = items / Math.max((now - this.started) / 1000, 0.001);
    const bytes = this.total
      ? `${megabytes(read)} / ${megabytes(this.total)} (${Math.floor((100 * read) / this.total)}%)`
      : megabytes(read);
    this.out.write(`\r${count(items)} events  ${bytes}  ${count(Math.round(rate))} events/s\x1b[K`);
  }

  clear(): void {
    this.out.write('\r\x1b[K');
  }
}

const SHOWN_REJECTIONS = 10;

function summary(name: string, format: BatchFormat, r: ImportReport): string {
  const lines = [
    `${name} (${format === 'ndjson' ? 'NDJSON' : 'JSON'}): ${count(r.received)} events, ${count(r.accepted)} stored, ${count(r.rejected)} rejected`,
  ];
  for (const item of r.rejections.slice(0, SHOWN_REJECTIONS)) lines.push(`  ${place(item)}: ${reason(item)}`);
  if (r.rejected > SHOWN_REJECTIONS) lines.push(`  … and ${count(r.rejected - SHOWN_REJECTIONS)} more rejected`);
  if (r.warnings.length) {
    lines.push('stored with warnings:');
    for (const w of r.warnings.slice(0, SHOWN_REJECTIONS)) lines.push(`  ${count(w.count)} × ${w.pointer || '/'}: ${w.message}`);
  }
  return `${lines.join('\n')}\n`;
}

const place = (item: ItemOutcome) => (item.line === undefined ? `item ${item.index}` : `line ${item.line}`);

function reason(item: ItemOutcome): string {
  if (item.outcome === 'accepted') return 'stored';
  const [first, ...more] = item.errors;
  const text = first ? (first.pointer ? `${first.pointer}: ${first.message}` : first.message) : item.outcome;
  return more.length ? `${text} (and ${more.length} more)` : text;
}
