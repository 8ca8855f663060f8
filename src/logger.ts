import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * JSON lines to `destination` (stdout by default). Pretty output is for a person at a terminal in development only:
 * it runs pino-pretty in a worker thread, which must never sit in front of a log collector.
 */
export function createLogger(options: { level: string; pretty?: boolean; destination?: DestinationStream }): Logger {
  const base = { level: options.level, base: undefined, redact: ['req.headers.authorization', 'apiKey'] };
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
export type { Logger };
