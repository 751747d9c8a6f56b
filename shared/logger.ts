/**
 * The one logger factory. Logs are structured JSON (pino); per-node lines carry `{node, phase}`.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  component: string;
  level: LogLevel;
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const options = {
    level: opts.level,
    base: { component: opts.component },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A child logger for one node's migration step. */
export function nodeLogger(log: Logger, node: string, phase: string): Logger {
  return log.child({ node, phase });
}

/** A logger that drops everything, for tests and library defaults. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
