import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from './log';

/** What SIGTERM stops: the HTTP server, then the service behind it (service.ts). */
interface Stoppable {
  server: Pick<Server, 'close' | 'closeIdleConnections' | 'closeAllConnections' | 'on'>;
  service: { quiesce(options: { drainUntil?: number }): Promise<void>; close(): Promise<void> };
  logger: Logger;
  /** The whole shutdown's budget: an orchestrator (Kubernetes, systemd) kills at 10 s by default after SIGTERM. */
  timeoutMs?: number;
  exit?: (code: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * A clean stop within the budget, in the order that loses nothing answered 201:
 * 1. the server stops accepting connections, closes those idle (keep-alive), and each connection after its
 *    request in flight;
 * 2. requests in flight finish: their events commit and they are answered (a request still open when
 *    60% of the budget is gone is waited for no longer: it is cut below, unanswered, and its client retries);
 * 3. the writer's commits in flight end, then the normalizer normalizes what is queued until 2 s before
 *    the end, and stops; what is left stays queued. Requests waiting for normalization are answered (those
 *    whose events are still queued: `pending`), and given until 1 s before the end to be sent;
 * 4. remaining connections are closed, then the database (PGlite writes its files; the pool ends).
 * A second signal, or the budget running out, exits at once with status 1.
 */
export function onShutdown({ server, service, logger, timeoutMs = 10_000, exit = (code) => process.exit(code) }: Stoppable) {
  let stopping = false;
  // The answers not yet sent, so that when the signal comes each one can close its (keep-alive) connection.
  const unanswered = new Set<ServerResponse>();
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (stopping) return void response.setHeader('Connection', 'close');
    unanswered.add(response);
    response.once('close', () => unanswered.delete(response));
  });
  const quit = (code: number) => {
    logger.flush();
    exit(code);
  };
  return async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      return quit(1);
    }
    stopping = true;
    const started = Date.now();
    const deadline = started + timeoutMs;
    logger.info({ signal }, 'shutting down: no new connections, finishing the requests in flight');
    const overdue = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown overran its budget: exiting');
      quit(1);
    }, timeoutMs);
    overdue.unref();
    try {
      // A keep-alive connection would carry requests for as long as its client sends them: each answer from
      // now on closes its connection, and the connections idle between two requests are closed now.
      for (const response of unanswered) if (!response.headersSent) response.setHeader('Connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([closed, sleep(timeoutMs * 0.6)]);
      await service.quiesce({ drainUntil: deadline - 2000 });
      await Promise.race([closed, sleep(deadline - 1000 - Date.now())]);
      server.closeAllConnections();
      await service.close();
      clearTimeout(overdue);
      logger.info({ ms: Date.now() - started }, 'stopped');
      quit(0);
    } catch (error) {
      clearTimeout(overdue);
      logger.error({ err: error }, 'shutdown failed');
      quit(1);
    }
  };
}
