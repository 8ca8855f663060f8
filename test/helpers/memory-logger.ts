import { EventEmitter, once } from 'node:events';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/kernel/logger.ts';

type Line = Record<string, unknown>;

/**
 * A real pino logger whose lines are kept in memory, so tests assert on what was logged.
 * `waitFor` resolves on the first line (already logged or to come) that matches, with no polling.
 */
export function createMemoryLogger(level = 'debug') {
  const lines: Line[] = [];
  const events = new EventEmitter();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as Line;
        lines.push(line);
        events.emit('line', line);
      }
      done();
    },
  });
  // The service's own logger factory, so tests see lines exactly as redacted in production.
  const logger: Logger = createLogger({ level, destination: stream });
  async function waitFor(match: (line: Line) => boolean): Promise<Line> {
    const found = lines.find(match);
    if (found) return found;
    for (;;) {
      await once(events, 'line');
      // All lines, not only the one that woke us: lines written in one go are emitted before this resumes.
      const hit = lines.find(match);
      if (hit) return hit;
    }
  }
  return { logger, lines, waitFor };
}
