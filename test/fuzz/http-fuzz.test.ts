import test from 'ava';
import net from 'node:net';
import nock from 'nock';
import type Koa from 'koa';
import { startTestService, testConfig } from '../helpers/test-service.ts';
import { signInPage } from '../helpers/accounts.ts';
import { generateRequest, seededRandom, type FuzzRequest, type Route } from './generate.ts';

// The fuzzer writes malformed HTTP to its own loopback server only; nock's interception would parse it first.
nock.restore();

const REQUESTS = 4000;
const PARALLEL = 8;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

/** Every route of the app, read from its routers (so routes added later are fuzzed without touching this file). */
function routesOf(app: Koa): Route[] {
  const routes: Route[] = [];
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: { stack: { path: string; methods: string[] }[] } }).router;
    for (const layer of router?.stack ?? []) routes.push({ path: layer.path, methods: layer.methods.filter((m) => m !== 'HEAD') });
  }
  return routes;
}

type Answer = { status: number; type: string; closedWithoutAnswer: boolean };

/** Sends one request byte for byte; resolves with the status line and type, or rejects past `deadlineMs`. */
function send(port: number, req: FuzzRequest, deadlineMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const head = `${req.method} ${req.path} HTTP/1.1\r\n${[...req.headers, ['Connection', 'close']].map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    // write, not end: a client that half-closes at once makes Node abort a request still being read (decompressed).
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), req.body])));
    let text = '';
    let settled = false;
    const done = (answer: Answer | Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    socket.setTimeout(deadlineMs, () => done(new Error(`no answer within ${deadlineMs} ms`)));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? NaN);
      const type = /\r\ncontent-type: *([^\r]*)/i.exec(text.slice(0, end + 2))?.[1] ?? '';
      // The live stream never ends by design: its headers are the answer.
      if (type.startsWith('text/event-stream')) done({ status, type, closedWithoutAnswer: false });
      else if (status) done({ status, type, closedWithoutAnswer: false });
    });
    socket.on('error', () => done({ status: 0, type: '', closedWithoutAnswer: text === '' }));
    socket.on('close', () => done({ status: 0, type: '', closedWithoutAnswer: true }));
  });
}

test(`when ${REQUESTS} random requests hit every route (seed ${SEED}), then none is a 5xx, every error is a problem, none hangs`, async (t) => {
  t.log(`FUZZ_SEED=${SEED} reproduces this run`);
  const { config } = testConfig({ http: { headersTimeoutMs: 2000, requestTimeoutMs: 4000 } });
  const svc = await startTestService({ config });
  t.teardown(() => svc.stop());
  const routes = routesOf(svc.service.app);
  t.true(routes.length >= 10, `only ${routes.length} routes found`);
  const random = seededRandom(SEED);
  const host = `127.0.0.1:${svc.port}`;
  const visitor = await signInPage(svc.deps, svc.url);
  const credentials = { bearer: visitor.account.token, cookie: visitor.cookie, csrf: await visitor.csrfToken() };
  const requests = Array.from({ length: REQUESTS }, () => generateRequest(random, routes, host, credentials));
  const deadline = config.http.requestTimeoutMs + config.http.headersTimeoutMs + 1000;

  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  async function worker() {
    while (next < requests.length) {
      const index = next++;
      const req = requests[index] as FuzzRequest;
      const where = `#${index} ${req.method} ${req.path.slice(0, 80)} (seed ${SEED})`;
      let answer: Answer;
      try {
        answer = await send(svc.port, req, deadline);
      } catch (err) {
        failures.push(`${where}: ${(err as Error).message}`);
        continue;
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.closedWithoutAnswer) failures.push(`${where}: connection closed without an answer`);
      else if (answer.status >= 500) failures.push(`${where}: ${answer.status}`);
      else if (answer.status >= 400) {
        const html = answer.type.startsWith('text/html');
        const accept = req.headers.find(([k]) => k === 'Accept')?.[1] ?? '';
        // The HTML error page only for a client that asked for HTML or for anything (a browser's form post).
        const asked = accept === '' || accept.includes('text/html') || accept.includes('*/*');
        if (!(answer.type === 'application/problem+json' || (html && asked))) {
          failures.push(`${where}: ${answer.status} as ${answer.type || 'no type'} (Accept: ${accept || 'none'})`);
        }
      }
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, () => worker()));
  t.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  t.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
  const unexpected = svc.logs.filter((l) => l.msg === 'unexpected error');
  t.deepEqual(unexpected.slice(0, 3), [], `${unexpected.length} unexpected errors logged`);
});
