import test from 'ava';
import { startTestService, type TestService } from '../../helpers/test-service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({
    // A route that fails unexpectedly, appended after the router: the real error middleware must catch it.
    beforeStart: (service) =>
      service.app.use((ctx) => {
        if (ctx.path === '/boom') throw new Error('secret internal detail: password=hunter2');
      }),
  });
});
test.after.always(() => svc.stop());

const PROBLEM_KEYS = ['detail', 'requestId', 'status', 'title', 'type'];

async function problem(res: Response) {
  const body = (await res.json()) as Record<string, unknown>;
  return body;
}

test('when no route matches, then 404 problem+json with a request id', async (t) => {
  const res = await fetch(`${svc.url}/nowhere`);
  t.is(res.status, 404);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  const body = await problem(res);
  t.deepEqual(Object.keys(body).sort(), PROBLEM_KEYS);
  t.is(body.status, 404);
  t.is(body.title, 'Not Found');
  t.is(body.detail, 'No route matches GET /nowhere.');
  t.is(body.requestId, res.headers.get('x-request-id'));
});

test('when the method is wrong, then 405 problem with the Allow header', async (t) => {
  const res = await fetch(`${svc.url}/health`, { method: 'DELETE' });
  t.is(res.status, 405);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  t.regex(res.headers.get('allow') ?? '', /GET/);
  const body = await problem(res);
  t.is(body.status, 405);
  t.regex(String(body.detail), /DELETE is not allowed on \/health/);
});

test('when a JSON body is malformed, then 400 problem that says so without parser internals', async (t) => {
  const res = await fetch(`${svc.url}/nowhere`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"to": ' });
  t.is(res.status, 400);
  const body = await problem(res);
  t.is(body.detail, 'The request body is not valid JSON.');
  t.deepEqual(Object.keys(body).sort(), PROBLEM_KEYS);
});

test('when a body is over the limit, then 413 problem', async (t) => {
  const big = JSON.stringify({ pad: 'x'.repeat(svc.config.http.bodyLimitBytes + 10) });
  const res = await fetch(`${svc.url}/nowhere`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
  t.is(res.status, 413);
  const body = await problem(res);
  t.is(body.status, 413);
  t.is(body.detail, 'The request body is larger than this endpoint accepts.');
});

test('when a handler throws unexpectedly, then 500 with a generic detail, logged once with its stack', async (t) => {
  const res = await fetch(`${svc.url}/boom`, { headers: { 'x-request-id': 'boom-1' } });
  t.is(res.status, 500);
  const text = await res.text();
  t.false(text.includes('hunter2'));
  t.false(text.includes('at '));
  const body = JSON.parse(text) as Record<string, unknown>;
  t.is(body.title, 'Internal Server Error');
  t.is(body.requestId, 'boom-1');
  await svc.waitForLog((l) => l.msg === 'request' && l.requestId === 'boom-1');
  const logged = svc.logs.filter((l) => l.msg === 'unexpected error' && l.requestId === 'boom-1');
  t.is(logged.length, 1);
  t.regex(String((logged[0]?.err as { stack?: string }).stack), /secret internal detail/);
});

test('when a browser asks for HTML, then the error page is rendered with the same facts, escaped', async (t) => {
  const res = await fetch(`${svc.url}/<script>x`, { headers: { accept: 'text/html,application/xhtml+xml' } });
  t.is(res.status, 404);
  t.regex(res.headers.get('content-type') ?? '', /^text\/html/);
  const html = await res.text();
  t.true(html.includes('404'));
  t.true(html.includes(res.headers.get('x-request-id') ?? 'missing'));
  t.false(html.includes('<script>x'));
});

test('when a well-formed X-Request-Id is sent, then it is echoed; a malformed one is replaced', async (t) => {
  const ok = await fetch(`${svc.url}/health`, { headers: { 'x-request-id': 'abc-123.def' } });
  t.is(ok.headers.get('x-request-id'), 'abc-123.def');
  const bad = await fetch(`${svc.url}/health`, { headers: { 'x-request-id': 'has spaces <and> stuff' } });
  const replaced = bad.headers.get('x-request-id') ?? '';
  t.not(replaced, 'has spaces <and> stuff');
  t.regex(replaced, /^[0-9a-f-]{36}$/);
});

test('when a request completes, then one log line carries method, path, status, duration and request id', async (t) => {
  await fetch(`${svc.url}/health`, { headers: { 'x-request-id': 'log-line-1' } });
  await svc.waitForLog((l) => l.msg === 'request' && l.requestId === 'log-line-1');
  const lines = svc.logs.filter((l) => l.msg === 'request' && l.requestId === 'log-line-1');
  t.is(lines.length, 1);
  t.like(lines[0], { method: 'GET', path: '/health', status: 200 });
  t.is(typeof lines[0]?.durationMs, 'number');
});
