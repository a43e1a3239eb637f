import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogConfig } from './config';
import { createLogger, type Logger } from './log';

/**
 * The Node process's logger on stdout: JSON lines for a collector, or, on a terminal (or with
 * PEDIGREE_LOG_FORMAT=pretty), one coloured line per record for a person. Both are written from this thread
 * (no transport worker: a second thread would cost the embedded server memory it does not have); JSON is
 * buffered and written asynchronously, and at exit.
 */
export function nodeLogger(config: LogConfig): Logger {
  const format = config.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'pretty') {
    const destination = pretty({
      colorize: process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      singleLine: true,
      // A request's line says these in its message already (http/request-log.ts).
      ignore: 'pid,hostname,method,route,path,status,durationMs',
      sync: true,
    });
    return createLogger({ level: config.level, destination, pretty: true });
  }
  // Written in blocks of 4 KB, not a write per line: each asynchronous write is a hop to libuv's thread
  // pool and back (a request's line cost it six system calls and two thread switches at concurrency 1).
  // What is buffered is written within a second, and at exit (pino flushes its destination then).
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      // Ended at exit (pino ends it once the loop is done): nothing is left to write.
    }
  }, FLUSH_MS).unref();
  return createLogger({ level: config.level, destination });
}

/** Longest a buffered log line waits to be written. */
const FLUSH_MS = 1000;
