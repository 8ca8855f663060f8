import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createHttpJokeSource } from '../../../src/jokes/http-joke-source.ts';
import type { JokeSourceLogger } from '../../../src/jokes/http-joke-source.ts';
import type { JokeSource } from '../../../src/calls/joke-source.ts';

const FALLBACK_JOKE = 'a joke from the fallback';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real server on an ephemeral loopback port, torn down (with any held responses) when the test ends. */
async function startServer(t: ExecutionContext, handler: Handler): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(async () => {
    // Held responses keep their sockets open; cut them so close() can finish.
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/joke`, requests };
}

function respond(status: number, body: string, contentType = 'application/json'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}

function recordingLogger(): JokeSourceLogger & { warnings: Array<{ obj: object; msg: string }> } {
  const warnings: Array<{ obj: object; msg: string }> = [];
  return { warnings, warn: (obj, msg) => warnings.push({ obj, msg }) };
}

function countingFallback(): JokeSource & { calls: number } {
  const fallback = {
    calls: 0,
    next() {
      fallback.calls++;
      return Promise.resolve(FALLBACK_JOKE);
    },
  };
  return fallback;
}

test('when the endpoint answers with a joke, then that joke is told, trimmed', async (t) => {
  const { url, requests } = await startServer(t, respond(200, JSON.stringify({ joke: '  Why wait? Because.  ' })));
  const logger = recordingLogger();
  const fallback = countingFallback();
  const source = createHttpJokeSource({ url, fallback, logger });

  t.is(await source.next(), 'Why wait? Because.');
  t.is(requests[0]?.method, 'GET');
  t.is(requests[0]?.headers.accept, 'application/json');
  t.is(fallback.calls, 0);
  t.deepEqual(logger.warnings, []);
});

test('when the endpoint answers 503, then the fallback joke is told and one warning logged', async (t) => {
  const { url } = await startServer(t, respond(503, JSON.stringify({ joke: 'should be ignored' })));
  const logger = recordingLogger();
  const fallback = countingFallback();
  const source = createHttpJokeSource({ url, fallback, logger });

  t.is(await source.next(), FALLBACK_JOKE);
  t.is(fallback.calls, 1);
  t.is(logger.warnings.length, 1);
  t.like(logger.warnings[0]?.obj, { status: 503 });
});

test('when the endpoint answers with invalid JSON, then the fallback joke is told and one warning logged', async (t) => {
  const { url } = await startServer(t, respond(200, '{"joke": "unterminated'));
  const logger = recordingLogger();
  const source = createHttpJokeSource({ url, fallback: countingFallback(), logger });

  t.is(await source.next(), FALLBACK_JOKE);
  t.is(logger.warnings.length, 1);
});

for (const [label, body] of [
  ['has no joke field', { setup: 'no punchline here' }],
  ['has a joke that is not a string', { joke: 42 }],
  ['has a blank joke', { joke: '   ' }],
  ['has a joke over 500 characters', { joke: 'x'.repeat(501) }],
  ['is not an object', ['a joke in an array']],
] as const) {
  test(`when the JSON ${label}, then the fallback joke is told and one warning logged`, async (t) => {
    const { url } = await startServer(t, respond(200, JSON.stringify(body)));
    const logger = recordingLogger();
    const source = createHttpJokeSource({ url, fallback: countingFallback(), logger });

    t.is(await source.next(), FALLBACK_JOKE);
    t.is(logger.warnings.length, 1);
  });
}

test('when the joke is exactly 500 characters, then it is accepted', async (t) => {
  const joke = 'y'.repeat(500);
  const { url } = await startServer(t, respond(200, JSON.stringify({ joke })));
  const source = createHttpJokeSource({ url, fallback: countingFallback() });

  t.is(await source.next(), joke);
});

test('when the endpoint never answers within timeoutMs, then the fallback joke is told', async (t) => {
  // Hold the response open until teardown so only the client's timeout can end the wait.
  const { url } = await startServer(t, () => undefined);
  const logger = recordingLogger();
  const fallback = countingFallback();
  const source = createHttpJokeSource({ url, timeoutMs: 50, fallback, logger });

  t.is(await source.next(), FALLBACK_JOKE);
  t.is(fallback.calls, 1);
  t.is(logger.warnings.length, 1);
  t.like(logger.warnings[0]?.obj, { timeoutMs: 50 });
});

test('when the endpoint sends headers and then stalls mid-body, then the timeout still applies', async (t) => {
  const { url } = await startServer(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"joke": "this sentence never');
  });
  const logger = recordingLogger();
  const source = createHttpJokeSource({ url, timeoutMs: 50, fallback: countingFallback(), logger });

  t.is(await source.next(), FALLBACK_JOKE);
  t.is(logger.warnings.length, 1);  t.like(logger.warnings[0]?.obj, { timeoutMs: 50 });
});

test('when the network fails, then the fallback joke is told and the error is logged', async (t) => {
  const failure = new TypeError('fetch failed');
  const logger = recordingLogger();
  const source = createHttpJokeSource({
    url: 'http://127.0.0.1:9/joke',
    fallback: countingFallback(),
    fetch: () => Promise.reject(failure),
    logger,
  });

  t.is(await source.next(), FALLBACK_JOKE);
  t.is(logger.warnings.length, 1);
  t.like(logger.warnings[0]?.obj, { err: failure });
});

test('when the URL carries a key in its query string, then the warning leaves it out', async (t) => {
  const { url } = await startServer(t, respond(500, ''));
  const logger = recordingLogger();
  const source = createHttpJokeSource({ url: `${url}?api_key=secret`, fallback: countingFallback(), logger });

  await source.next();
  t.false(JSON.stringify(logger.warnings).includes('secret'));
});

test('when one request fails and the next succeeds, then each call is judged on its own', async (t) => {
  let calls = 0;
  const { url } = await startServer(t, (req, res) => {
    calls++;
    if (calls === 1) respond(502, '')(req, res);
    else respond(200, JSON.stringify({ joke: 'back again' }))(req, res);
  });
  const logger = recordingLogger();
  const source = createHttpJokeSource({ url, fallback: countingFallback(), logger });

  t.is(await source.next(), FALLBACK_JOKE);
  t.is(await source.next(), 'back again');
  t.is(logger.warnings.length, 1);
});
