import { z } from 'zod';
import type { JokeSource } from '../calls/joke-source.ts';

/** The slice of a pino logger this source needs, so tests can pass a recorder. */
export type JokeSourceLogger = { warn(obj: object, msg: string): void };

/** Options for {@link createHttpJokeSource}. */
export type HttpJokeSourceOptions = {
  /** An endpoint answering `GET` with JSON such as `{ "joke": "..." }`. */
  readonly url: string | URL;
  /** Budget for the whole exchange, headers and body; default 2000 ms. */
  readonly timeoutMs?: number;
  /** Asked whenever the endpoint cannot give a usable joke. */
  readonly fallback: JokeSource;
  /** Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  readonly logger?: JokeSourceLogger;
};

/** Longer than this and the call turns into a monologue; treat it as a bad answer. */
export const MAX_HTTP_JOKE_LENGTH = 500;

const DEFAULT_TIMEOUT_MS = 2000;

const jokeResponse = z.object({
  joke: z.string().trim().min(1).max(MAX_HTTP_JOKE_LENGTH),
});

/**
 * A {@link JokeSource} backed by a remote JSON endpoint. A call must not fail or stall because a
 * joke API is slow or down, so every failure (timeout, network error, non-2xx, bad JSON, missing
 * or unusable `joke`) logs one warning and answers from `fallback` instead. Never rejects as long
 * as `fallback` keeps the port's promise.
 */
export function createHttpJokeSource(options: HttpJokeSourceOptions): JokeSource {
  const { url, fallback, logger } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  const where = redact(url);

  // Failures the endpoint reports come back as values; only transport failures throw.
  async function fetchJoke(): Promise<FetchOutcome> {
    // One signal covers the body too, so a server that sends headers and then stalls still times out.
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await doFetch(url, { headers: { Accept: 'application/json' }, signal });
    if (!response.ok) {
      // Release the connection rather than leave an unread body for the garbage collector.
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, status: response.status, reason: `joke endpoint answered ${response.status}` };
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status: response.status, reason: 'joke endpoint answered with invalid JSON' };
    }
    const parsed = jokeResponse.safeParse(body);
    if (!parsed.success) {
      return { ok: false, status: response.status, reason: 'joke endpoint answered without a usable "joke" string' };
    }
    return { ok: true, joke: parsed.data.joke };
  }

  return {
    async next() {
      let warning: object;
      try {
        const outcome = await fetchJoke();
        if (outcome.ok) return outcome.joke;
        warning = { url: where, status: outcome.status, reason: outcome.reason };
      } catch (err) {
        warning =
          err instanceof Error && err.name === 'TimeoutError'
            ? { url: where, timeoutMs, reason: `no joke within ${timeoutMs} ms` }
            : { url: where, reason: 'joke request failed', err };
      }
      logger?.warn(warning, 'joke API failed; using fallback joke');
      return fallback.next();
    },
  };
}

type FetchOutcome =
  | { readonly ok: true; readonly joke: string }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/** Joke APIs often take a key in the query string; keep it out of the logs. */
function redact(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
