import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogConfig } from './config';
import { createLogger, type Logger } from './log';

/**
 * The Node process's logger on stdout: JSON lines for a collector, or, on a terminal (or with
 * PEDIGREE_LOG_FORMAT=pretty), one coloured line per record for a person. Both are written from this thread
 * (no transport worker: a second thread would cost the embedded server memory it does not have); JSON is
 * buffered and flushed asynchronously, and at exit.
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
  return createLogger({ level: config.level, destination: pino.destination({ dest: 1, sync: false }) });
}
