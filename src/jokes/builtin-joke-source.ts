import { BUILTIN_JOKES } from './builtin-jokes.ts';
import type { JokeSource } from '../calls/joke-source.ts';

/** Options for {@link createBuiltinJokeSource}. */
export type BuiltinJokeSourceOptions = {
  /** The collection to draw from; defaults to {@link BUILTIN_JOKES}. Duplicates are ignored. */
  readonly jokes?: readonly string[];
  /** Uniform in [0, 1); defaults to `Math.random`. Injected so tests can be deterministic. */
  readonly random?: () => number;
  /**
   * How many of the most recent jokes may not be told again (default 5). Clamped to one less
   * than the collection size, otherwise the last draw would have nothing left to choose from.
   */
  readonly avoidLast?: number;
};

const DEFAULT_AVOID_LAST = 5;

/**
 * A {@link JokeSource} that picks from an in-memory collection at random, never repeating any of
 * the last `avoidLast` jokes, so someone who schedules several calls in a row hears variety.
 *
 * @throws {RangeError} when the collection is empty, since a source that cannot answer breaks the port's promise.
 */
export function createBuiltinJokeSource(options: BuiltinJokeSourceOptions = {}): JokeSource {
  const jokes = [...new Set(options.jokes ?? BUILTIN_JOKES)];
  if (jokes.length === 0) {
    throw new RangeError('createBuiltinJokeSource needs at least one joke');
  }
  const random = options.random ?? Math.random;
  const requested = options.avoidLast ?? DEFAULT_AVOID_LAST;
  const avoidLast = Math.min(
    Math.max(0, Math.floor(Number.isFinite(requested) ? requested : DEFAULT_AVOID_LAST)),
    jokes.length - 1,
  );

  // Indices, oldest first; at most `avoidLast` long.
  const recent: number[] = [];

  function pick(): string {
    const candidates: number[] = [];
    for (let i = 0; i < jokes.length; i++) {
      if (!recent.includes(i)) candidates.push(i);
    }
    // A misbehaving `random` (1, negative, NaN) must still land on a valid candidate.
    const r = random();
    const slot = Number.isFinite(r)
      ? Math.min(Math.max(0, Math.floor(r * candidates.length)), candidates.length - 1)
      : 0;
    const index = candidates[slot] ?? 0;
    if (avoidLast > 0) {
      recent.push(index);
      if (recent.length > avoidLast) recent.shift();
    }
    return jokes[index] ?? '';
  }

  return {
    next: () => Promise.resolve(pick()),
  };
}
