/** Structured logs (pino). Redis log levels map onto pino's. */
import { type Logger, pino } from 'pino';

const LEVELS: Record<string, string> = {
  debug: 'debug',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
  nothing: 'silent',
};

export function createLogger(level = 'notice'): Logger {
  return pino({ level: LEVELS[level] ?? 'info', base: { pid: process.pid }, name: 'cairn' });
}

export type { Logger };
