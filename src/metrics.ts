import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db/client';
import type { EventRow } from './ingest/plan/event-row';

/**
 * What Pedigree measures, one registry per app (src/http/context.ts's Deps; the entry points create it),
 * exported at GET /metrics in Prometheus' text format.
 *
 * The library is prom-client, the Prometheus client of the Node ecosystem: kept, plain JavaScript, no
 * native code. It is written for Node, but what it needs at run time beyond JavaScript (util; and for the
 * push gateway, unused, http and zlib) is provided by Workers' nodejs_compat: a registry of counters,
 * histograms and collect-time gauges was bundled by wrangler and served by workerd unchanged. Its one
 * Node-only part, the process metrics, is started by the Node entry alone (withProcessMetrics).
 * OpenTelemetry's Prometheus exporter was the other candidate: it serves its own HTTP listener (Node) and
 * brings a whole SDK for the same text. A hand-written exposition would be smaller, but the format's
 * escaping and histogram rules are what a kept library is for. prom-client's global registry is never
 * used: every metric is registered in `this.registry`, so two apps in one process (tests) share nothing.
 *
 * Hot paths pay an increment and prom-client's label lookup (a string built from the label values);
 * gauges whose value lives elsewhere (the pool, normalization) are read when scraped, never kept current.
 */

/** Why an ingest request or item was refused: the `reason` label of pedigree_events_rejected_total. */
export const REJECTION_REASONS = [
  /** The body is not UTF-8. */
  'not_utf8',
  /** Not JSON, or a batch whose array or NDJSON line is broken. */
  'not_json',
  /** JSON, but not an OpenLineage event Pedigree can understand, or holding a value the database refuses. */
  'invalid',
  /** Deviations from the spec that strict mode refuses. */
  'strict',
  /** Over PEDIGREE_MAX_EVENT_BYTES (an event) or PEDIGREE_MAX_BATCH_BYTES (a batch). */
  'too_large',
  /** A compressed body inflating more than PEDIGREE_MAX_INFLATION_RATIO times (a gzip bomb). */
  'inflation',
  /** A body that is not the gzip or deflate data its Content-Encoding says. */
  'decompression',
  /** A Content-Type that is not JSON, or a Content-Encoding Pedigree cannot read. */
  'unsupported_media',
  /** No API key, or an unknown one (401). */
  'unauthorized',
  /** A key without the ingest scope (403). */
  'forbidden',
  /** The database could not be reached (503): the client retries. */
  'unavailable',
  /** An unexpected error (500). */
  'error',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface MetricsOptions {
  /**
   * Distinct producers given a label value of their own; later ones are counted as `other`. Producers
   * are URIs that carry their version, and a client may send any: unbounded, they would be unbounded
   * series.
   */
  maxProducers?: number;
}

/** What /healthcheck and the normalization gauges report. */
export interface NormalizationState {
  /** Seconds from an event's receipt to its normalization (see Normalization.current). */
  lagSeconds: number;
  /** Events accepted and not yet normalized. */
  backlog: number;
  /** Events set aside because their normalization failed, and not normalized since. */
  failed: number;
}

/** The label a value longer than this gets is `other`: a label is for grouping, not for storing text. */
const MAX_LABEL = 200;

/**
 * A label whose values come from clients, bounded: the first `max` distinct values are kept, the rest
 * are `other`, absent ones `unknown`. First come, first kept: a producer keeps its series for the life
 * of the process, so its rates stay continuous.
 */
export class BoundedLabel {
  private readonly kept = new Set<string>();
  constructor(private readonly max: number) {}

  of(value: string | null | undefined): string {
    if (!value) return 'unknown';
    if (this.kept.has(value)) return value;
    if (this.kept.size >= this.max || value.length > MAX_LABEL) return 'other';
    this.kept.add(value);
    return value;
  }
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** What a normalizer reports of its work (Normalization; a normalization thread's is sent over to it). */
export type NormalizationProgress = Pick<Normalization, 'normalized' | 'batched'>;

/**
 * Normalization's progress, reported by the normalizer (src/ingest/normalizer.ts): `normalized` and
 * `batched` after each batch it commits; and the queue as it is (`pending`), read from the database when
 * /healthcheck or /metrics asks (http/metrics.ts refreshBacklog), whoever's normalizer runs.
 */
export class Normalization {
  private waiting = 0;
  private oldestWaitingAt: number | undefined;
  private lastLagSeconds = 0;
  private setAside = 0;

  constructor(
    private readonly series: {
      /** pedigree_events_normalized_total: with accepted, the throughput of each side. */
      normalized: Counter;
      failures: Counter;
      batchEvents: Histogram;
      batchSeconds: Histogram;
    },
  ) {}

  /** `events` were normalized (committed); the earliest of them was received at `oldestReceivedAt` (ms since the epoch). */
  normalized(events: number, oldestReceivedAt: number, now = Date.now()): void {
    this.series.normalized.inc(events);
    this.lastLagSeconds = Math.max(0, now - oldestReceivedAt) / 1000;
  }

  /** A batch took `events` off the queue and committed after `seconds`, `failed` of them set aside. */
  batched(events: number, failed: number, seconds: number): void {
    this.series.batchEvents.observe(events);
    this.series.batchSeconds.observe(seconds);
    if (failed > 0) this.series.failures.inc(failed);
  }

  /**
   * `backlog` events are accepted and not yet normalized, the earliest of them received at
   * `oldestReceivedAt`; `failed` are set aside (all of them as the database has them, every instance's).
   */
  pending(backlog: number, oldestReceivedAt: number | undefined, failed: number): void {
    this.waiting = backlog;
    this.oldestWaitingAt = backlog > 0 ? oldestReceivedAt : undefined;
    this.setAside = failed;
  }

  /**
   * The lag is that of the last batch normalized, or the age of the oldest event still waiting when that
   * is more: a normalizer that stopped shows a lag that keeps growing, not the last one it reported.
   */
  current(now = Date.now()): NormalizationState {
    const waited = this.oldestWaitingAt === undefined ? 0 : Math.max(0, now - this.oldestWaitingAt) / 1000;
    return { lagSeconds: Math.max(this.lastLagSeconds, waited), backlog: this.waiting, failed: this.setAside };
  }
}

export class Metrics {
  readonly registry = new Registry();
  readonly normalization: Normalization;

  private readonly acceptedProducers: BoundedLabel;
  private readonly rejectedProducers: BoundedLabel;
  private readonly accepted: Counter<'producer' | 'kind'>;
  private readonly rejected: Counter<'reason' | 'producer'>;
  private readonly requests: Histogram<'method' | 'route' | 'status_class'>;
  private readonly batchEvents: Histogram;
  private readonly batchSeconds: Histogram;
  private poolSize = 0;
  private transactions = 0;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    // Separate bounds: a client sending refused events under made-up producers cannot use up the labels
    // of the producers whose events are accepted.
    this.acceptedProducers = new BoundedLabel(options.maxProducers ?? 100);
    this.rejectedProducers = new BoundedLabel(options.maxProducers ?? 100);
    this.accepted = new Counter({
      name: 'pedigree_events_accepted_total',
      help: 'OpenLineage events committed (an event already stored counts again: it was answered as accepted), by producer and kind (run, dataset, job)',
      labelNames: ['producer', 'kind'],
      registers,
    });
    this.rejected = new Counter({
      name: 'pedigree_events_rejected_total',
      help: `Ingest requests and batch items refused, by reason (${REJECTION_REASONS.join(', ')}) and producer (unknown when the body was not read)`,
      labelNames: ['reason', 'producer'],
      registers,
    });
    this.requests = new Histogram({
      name: 'pedigree_http_request_duration_seconds',
      help: 'HTTP requests, from their arrival to the answer (a streamed answer then still sends its body), by method, route template and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.batchEvents = new Histogram({
      name: 'pedigree_ingest_batch_events',
      help: 'Events per write transaction (group commit: concurrent requests share one)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'pedigree_ingest_batch_duration_seconds',
      help: 'Write transactions, from their start to their commit',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.normalization = new Normalization({
      normalized: new Counter({ name: 'pedigree_events_normalized_total', help: 'Events normalized into the lineage model', registers }),
      failures: new Counter({
        name: 'pedigree_normalization_failures_total',
        help: "Events this process's normalizer set aside because their normalization failed (GET /api/v1/events/failed); a retry that fails again counts again",
        registers,
      }),
      batchEvents: new Histogram({
        name: 'pedigree_normalization_batch_events',
        help: 'Events per normalization batch (taken off the queue in one transaction: normalized or set aside)',
        buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
        registers,
      }),
      batchSeconds: new Histogram({
        name: 'pedigree_normalization_batch_duration_seconds',
        help: 'Normalization batches, from their claim to their commit (the documents they change are built behind them)',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
    });
    const normalization = this.normalization;
    new Gauge({
      name: 'pedigree_normalization_lag_seconds',
      help: 'From receipt to normalization: of the last batch normalized, or of the oldest event waiting when that is more',
      registers,
      collect() {
        this.set(normalization.current().lagSeconds);
      },
    });
    new Gauge({
      name: 'pedigree_normalization_backlog_events',
      help: 'Events accepted and not yet normalized',
      registers,
      collect() {
        this.set(normalization.current().backlog);
      },
    });
    new Gauge({
      name: 'pedigree_normalization_failed_events',
      help: "Events set aside because their normalization failed, and not normalized since, every instance's (counted to 100,000): GET /api/v1/events/failed lists them, `pedigree replay --failed` retries them",
      registers,
      collect() {
        this.set(normalization.current().failed);
      },
    });
    const pool = () => ({ size: this.poolSize, transactions: this.transactions });
    new Gauge({
      name: 'pedigree_db_pool_size',
      help: 'Connections the database pool may open (PEDIGREE_DB_POOL; 1 for embedded PGlite; 0 when not measured, as on Workers); a normalization thread has its own beside it (PEDIGREE_NORMALIZE_CONCURRENCY + 2)',
      registers,
      collect() {
        this.set(pool().size);
      },
    });
    new Gauge({
      name: 'pedigree_db_transactions_in_flight',
      help: 'Transactions begun and not ended, each holding a pool connection (or waiting for one when more than the pool size)',
      registers,
      collect() {
        this.set(pool().transactions);
      },
    });
  }

  /** Events committed by the writer, in one transaction of `seconds` that took them all. */
  committed(events: readonly EventRow[], seconds: number): void {
    for (const event of events) this.accepted.inc({ producer: this.acceptedProducers.of(event.producer), kind: event.kind });
    this.batchEvents.observe(events.length);
    this.batchSeconds.observe(seconds);
  }

  /** An ingest request or batch item refused; `producer` when the event said it (its body was read). */
  refused(reason: RejectionReason, producer?: string | null): void {
    this.rejected.inc({ reason, producer: this.rejectedProducers.of(producer) });
  }

  /** A request answered: `route` is the template it matched (bounded), never the path. */
  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe(
      { method: METHODS.has(method) ? method : 'other', route, status_class: STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other' },
      seconds,
    );
  }

  /**
   * The database's pool, measured from outside: postgres.js exposes no count of the connections it has
   * busy (porsager/postgres#443), so what is counted is the transactions in flight through the returned
   * Db (every write goes through one). `size`: the pool's size. Node only: on Workers each request opens
   * its own one-connection pool.
   */
  watchPool(db: Db, size: number): Db {
    this.poolSize = size;
    return {
      ...db,
      transaction: async (fn) => {
        this.transactions++;
        try {
          return await db.transaction(fn);
        } finally {
          this.transactions--;
        }
      },
    };
  }

  /** The process's CPU, memory, event loop and GC metrics (prom-client's defaults). Node only. */
  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }

  /** The exposition, in Prometheus' text format 0.0.4. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
}
