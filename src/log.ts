import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/** Workers Logs take a record's level from the console method that wrote it. */
const CONSOLE: Record<string, (line: string) => void> = {
  trace: (l) => console.debug(l),
  debug: (l) => console.debug(l),
  info: (l) => console.info(l),
  warn: (l) => console.warn(l),
  error: (l) => console.error(l),
  fatal: (l) => console.error(l),
};

/** Errors under `err` keep their type, message, stack and cause (pino's serializer). */
const serializers = { err: pino.stdSerializers.err };

/**
 * The one logger of a process (or of a Worker's isolate). Runtime-neutral: on Node the entry point gives
 * the destination (JSON lines on stdout, or pino-pretty on a terminal: src/node.ts); on Workers, where
 * bundlers take pino's browser build and there is no stdout, each record is written to the console as one
 * JSON line (console.info, warn, error… by its level), which Workers Logs keep as structured fields. Levels are labels (`"level":"info"`), times ISO.
 */
export function createLogger(options: { level: LogLevel; destination?: DestinationStream; pretty?: boolean }): Logger {
  const json: LoggerOptions = {
    level: options.level,
    serializers,
    timestamp: pino.stdTimeFunctions.isoTime,
    // pino-pretty reads numeric levels; a JSON reader prefers their names.
    formatters: options.pretty ? {} : { level: (label) => ({ level: label }) },
    browser: {
      asObject: true,
      serialize: true,
      formatters: { level: (label) => ({ level: label }) },
      write: (record) => CONSOLE[(record as { level?: string }).level ?? 'info']?.(JSON.stringify(record)),
    },
  };
  return options.destination ? pino(json, options.destination) : pino(json);
}

/** Logs nothing: apps built without a logger (tests, scripts, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });
