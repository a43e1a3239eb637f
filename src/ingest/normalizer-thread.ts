import { type MessagePort, Worker } from 'node:worker_threads';
import { pino } from 'pino';
import type { Logger } from '../log';
import type { NormalizationProgress } from '../metrics';
import type { NormalizerControl, NormalizerOptions, Settlement } from './normalizer';
import type { EventRow } from './plan/event-row';

/** How the normalization thread is started and what it reports to. */
export interface NormalizerThreadOptions {
  databaseUrl: string;
  /** Connections of the thread's own pool. */
  poolSize: number;
  /** The thread's normalizer's settings (plain values: they are copied to the thread). */
  normalizer: Pick<NormalizerOptions, 'maxBatchEvents' | 'concurrency' | 'lingerMs' | 'idlePollMs'>;
  /**
   * The thread's nice value (0: the process's priority; up to 19). Where acceptance and normalization compete
   * for the CPU, a lowered thread leaves it to acceptance first: the backlog absorbs a burst, and the
   * normalizer catches up on what acceptance leaves (PEDIGREE_NORMALIZE_NICE).
   */
  nice?: number;
  /** This process's metrics, told of each batch the thread normalizes. */
  progress?: NormalizationProgress;
  /** This process's logger: the thread's records (marked `thread: normalizer`) and its exits. */
  logger?: ThreadLogger;
  /** The entry script (tests); by default src/normalize-thread.ts, or its bundle beside dist/node.js. */
  entry?: URL;
}

/** What the thread's entry is given (workerData). */
export type ThreadData = Pick<NormalizerThreadOptions, 'databaseUrl' | 'poolSize' | 'normalizer'> & { nice: number };

/** The levels a normalizer logs at (normalizer.ts). */
type ThreadLogger = Pick<Logger, 'error' | 'warn' | 'info'>;
type Level = keyof ThreadLogger;

type Method = 'wake' | 'settled' | 'drain' | 'stop';
type ToThread = { kind: 'accepted'; events: { id: string; raw: string }[] } | { kind: 'call'; id: number; method: Method; args: unknown[] };
type FromThread =
  | { kind: 'ready' }
  | { kind: 'progress'; events: number; oldestAcceptedAt: number }
  | { kind: 'batch'; events: number; failed: number; seconds: number }
  | { kind: 'log'; level: Level; fields: Record<string, unknown>; message: string }
  | { kind: 'reply'; id: number; value?: unknown; error?: string };

interface Call {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
  /** What the call answers if the thread dies before it does (else it fails). */
  lost?: () => unknown;
}

const RESTART_MS = 1000;

/**
 * The normalizer on a thread of its own (Node, PostgreSQL). Acceptance and normalization each cost about
 * as much CPU per event, and on one thread they take turns: a batch of 2,000 events plans for over 100 ms
 * during which no request is answered. On its own thread, with its own connections, the normalizer runs
 * beside acceptance (src/normalize-thread.ts is its entry; the class there is the usual Normalizer, as one
 * more instance on the same queue). This side stands in for it: what the app asks (`settled` for
 * `Prefer: wait=normalized`, `wake`, `drain`, `stop`) is asked of the thread and answered back; the text
 * of accepted events is handed over as the writer commits, so it is not read back; each batch's progress
 * comes back to this process's metrics, and its log records to this process's logger. PGlite cannot be shared
 * between threads: it normalizes in its own.
 *
 * A thread that dies (it should not) is started again after a second, and logged: the events stay queued,
 * since claiming commits with what it produced; waiters of the lost thread get `pending`, as after a timeout.
 */
export class NormalizerThread implements NormalizerControl {
  private worker: Worker | undefined;
  private readonly calls = new Map<number, Call>();
  private nextId = 0;
  private stopped = false;
  private restart: ReturnType<typeof setTimeout> | undefined;
  /** Whether a thread ever ran: one that cannot start at all is not started again. */
  private ran = false;
  /** Calls made while the thread is being started again, sent once it runs. */
  private held: ToThread[] = [];

  constructor(private readonly options: NormalizerThreadOptions) {}

  /**
   * Starts the thread; resolves once its normalizer runs, fails if it ends first (it cannot start: the
   * service does not either). Later exits restart it.
   */
  start(): Promise<void> {
    if (this.worker || this.stopped) return Promise.resolve();
    const entry = this.options.entry ?? defaultEntry();
    const data: ThreadData = {
      databaseUrl: this.options.databaseUrl,
      poolSize: this.options.poolSize,
      normalizer: this.options.normalizer,
      nice: this.options.nice ?? 0,
    };
    // From the TypeScript sources (tests, `npm run dev`) the thread loads its entry through tsx: Node 20's
    // threads do not take the loader this process registered, nor one given with `--import`.
    const worker = entry.pathname.endsWith('.ts')
      ? new Worker(
          `import(${JSON.stringify(tsxApi())}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`,
          {
            eval: true,
            workerData: data,
          },
        )
      : new Worker(entry, { workerData: data });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromThread) => {
        if (m.kind !== 'ready') return this.received(m);
        this.ran = true;
        this.restart = undefined;
        for (const message of this.held.splice(0)) worker.postMessage(message);
        resolve();
      });
      worker.on('error', (error) => {
        this.options.logger?.error({ err: error }, 'normalization thread failed');
        reject(error);
      });
      worker.on('exit', (code) => {
        reject(new Error(`the normalization thread exited (code ${code})`));
        this.exited(worker, code);
      });
    });
  }

  accepted(events: readonly Pick<EventRow, 'id' | 'raw'>[]): void {
    // Only what the thread keeps crosses (a whole row would be copied).
    this.post({ kind: 'accepted', events: events.map(({ id, raw }) => ({ id, raw })) });
  }

  wake(): void {
    void this.call('wake', []).catch(() => {});
  }

  settled(ids: readonly string[], timeoutMs: number, queuedNow: ReadonlySet<string> = new Set()): Promise<Map<string, Settlement>> {
    const pending = () => new Map(ids.map((id) => [id, { state: 'pending' } as Settlement]));
    return this.call('settled', [ids, timeoutMs, queuedNow], pending);
  }

  drain(options: { deadline?: number } = {}): Promise<{ normalized: number; failed: { id: string; error: string }[] }> {
    // A thread that is not running normalizes nothing: what is queued stays so.
    return this.call('drain', [options], () => ({ normalized: 0, failed: [] }));
  }

  /** Stops the thread's normalizer (its batch in flight commits or rolls back), closes its pool, ends it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restart);
    const worker = this.worker;
    if (worker) {
      try {
        await this.call('stop', []);
      } finally {
        await worker.terminate();
      }
    }
    this.abandonCalls('the normalization thread is stopped');
  }

  /** The calls no thread will answer: what they answer then (`lost`), else they fail. */
  private abandonCalls(why: string): void {
    this.held = [];
    for (const call of this.calls.values()) {
      if (call.lost) call.resolve(call.lost() as never);
      else call.reject(new Error(why));
    }
    this.calls.clear();
  }

  /** Sends to the thread; while it is being started again, calls wait for it (texts are read back instead). */
  private post(message: ToThread): boolean {
    if (this.worker) this.worker.postMessage(message);
    else if (this.restart && message.kind === 'call') this.held.push(message);
    else return false;
    return true;
  }

  private call<T>(method: Method, args: unknown[], lost?: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = ++this.nextId;
      if (!this.post({ kind: 'call', id, method, args })) {
        if (lost) resolve(lost());
        else reject(new Error('the normalization thread is not running'));
        return;
      }
      this.calls.set(id, { resolve: resolve as (value: never) => void, reject, lost });
    });
  }

  private received(m: Exclude<FromThread, { kind: 'ready' }>): void {
    if (m.kind === 'progress') {
      this.options.progress?.normalized(m.events, m.oldestAcceptedAt);
      return;
    }
    if (m.kind === 'batch') {
      this.options.progress?.batched(m.events, m.failed, m.seconds);
      return;
    }
    if (m.kind === 'log') {
      this.options.logger?.[m.level]({ ...m.fields, thread: 'normalizer' }, m.message);
      return;
    }
    const call = this.calls.get(m.id);
    if (!call) return;
    this.calls.delete(m.id);
    if (m.error !== undefined) call.reject(new Error(m.error));
    else call.resolve(m.value as never);
  }

  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.abandonCalls(`the normalization thread exited (code ${code})`);
    if (this.stopped || !this.ran) return;
    this.options.logger?.error({ code }, 'normalization thread exited: starting it again');
    // A start that fails exits too, and comes back here.
    this.restart = setTimeout(() => void this.start().catch(() => {}), RESTART_MS);
    (this.restart as { unref?: () => void }).unref?.();
  }
}

/**
 * The thread's side: answers the calls of a NormalizerThread with `normalizer`, hands it the accepted
 * texts, and reports each batch's progress (wired by the entry through `progress`). `close` runs after the
 * normalizer stopped, before `stop` is answered (the thread's pool).
 */
export function serveNormalizer(port: MessagePort, normalizer: NormalizerControl, close: () => Promise<void>): void {
  port.on('message', (m: ToThread) => {
    if (m.kind === 'accepted') {
      normalizer.accepted(m.events);
      return;
    }
    void answer(m.method, m.args).then(
      (value) => port.postMessage({ kind: 'reply', id: m.id, value } satisfies FromThread),
      (error: unknown) =>
        port.postMessage({ kind: 'reply', id: m.id, error: error instanceof Error ? error.message : String(error) } satisfies FromThread),
    );
  });

  async function answer(method: Method, args: unknown[]): Promise<unknown> {
    switch (method) {
      case 'wake':
        return normalizer.wake();
      case 'settled':
        return normalizer.settled(...(args as Parameters<NormalizerControl['settled']>));
      case 'drain':
        return normalizer.drain(...(args as Parameters<NormalizerControl['drain']>));
      case 'stop':
        await normalizer.stop();
        return close();
    }
  }
}

/** Tells the process that started this thread that its normalizer runs. */
export function ready(port: MessagePort): void {
  port.postMessage({ kind: 'ready' } satisfies FromThread);
}

/** The progress a thread's normalizer reports, sent to the process's metrics. */
export function progressTo(port: MessagePort): NormalizationProgress {
  return {
    normalized: (events, oldestAcceptedAt) => port.postMessage({ kind: 'progress', events, oldestAcceptedAt } satisfies FromThread),
    batched: (events, failed, seconds) => port.postMessage({ kind: 'batch', events, failed, seconds } satisfies FromThread),
  };
}

/**
 * A logger for the thread's normalizer that hands each record to the process's logger: one destination
 * (stdout, JSON or pretty as configured), whose lines two threads writing could interleave. An error is sent
 * as pino would log it (type, message, stack and its own fields, such as a SQLSTATE `code`).
 */
export function loggerTo(port: MessagePort): ThreadLogger {
  const send =
    (level: Level) =>
    (fields: unknown, message?: string): void => {
      const plain = Object.fromEntries(
        Object.entries(fields as Record<string, unknown>).map(([k, v]) => [k, v instanceof Error ? pino.stdSerializers.err(v) : v]),
      );
      port.postMessage({ kind: 'log', level, fields: plain, message: message ?? '' } satisfies FromThread);
    };
  return { error: send('error'), warn: send('warn'), info: send('info') } as ThreadLogger;
}

/** tsx's API (a dev dependency: only the sources need it), as a URL the thread can import from anywhere. */
function tsxApi(): string {
  return import.meta.resolve('tsx/esm/api');
}

/** src/normalize-thread.ts, whether this module runs from the sources or from a bundle in dist/ (which has it beside). */
function defaultEntry(): URL {
  const fromSources = import.meta.url.endsWith('.ts');
  return new URL(fromSources ? '../normalize-thread.ts' : './normalize-thread.js', import.meta.url);
}
