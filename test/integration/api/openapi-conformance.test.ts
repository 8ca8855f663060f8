import test from 'ava';
import { z } from 'zod';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { createTestAccount } from '../../helpers/accounts.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');
const AT = '2026-11-21T20:00:00+01:00';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
};

/** The document's schema with its `$ref`s to components inlined, as zod (zod reads JSON Schema). */
function schemaOf(doc: Doc, schema: unknown): z.ZodType {
  const inline = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(inline);
    if (s === null || typeof s !== 'object') return s;
    const ref = (s as { $ref?: string }).$ref;
    if (ref) return inline(doc.components.schemas[ref.split('/').pop() ?? '']);
    return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, inline(v)]));
  };
  return z.fromJSONSchema(inline(schema) as Parameters<typeof z.fromJSONSchema>[0]);
}

test('when every documented route and status is requested, then the server answers it with the documented content type and body shape', async (t) => {
  const clock = createManualClock(T0);
  const { config, dir } = testConfig({ limits: { pendingCallsPerAccount: 3 } });
  const svc = await startTestService({ config, dir, deps: { clock, telephony: createFakeTelephony(clock).telephony } });
  t.teardown(() => svc.stop());
  const me = await createTestAccount(svc.deps);
  const auth = { authorization: me.headers.authorization as string };
  const url = (path: string) => `${svc.url}${path}`;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url('/api/calls'), { method: 'POST', headers: { ...me.headers, ...headers }, body: JSON.stringify(body) });
  const newCall = async () => ((await (await post({ to: '+12025550123', at: AT })).json()) as { id: string }).id;
  const streams: AbortController[] = [];
  t.teardown(() => streams.forEach((s) => s.abort()));
  const stream = (headers: Record<string, string>) => {
    const controller = new AbortController();
    streams.push(controller);
    return fetch(url('/api/calls/events'), { headers, signal: controller.signal });
  };

  const doc = (await (await fetch(url('/openapi.json'))).json()) as Doc;
  t.is(doc.openapi, '3.1.0');

  // One way to provoke each documented answer. The keys must be exactly the documented ones.
  const recipes: Record<string, () => Promise<Response>> = {
    'post /api/calls 201': () =>
      post({ to: '+1 202 555 0123', at: AT, timezone: 'Europe/Dublin', message: 'hi', retry: { attempts: 1, afterMinutes: 5 } }, { 'idempotency-key': 'doc-1' }),
    'post /api/calls 400': () => post({ to: 'x', at: 'yesterday', extra: 1 }),
    'post /api/calls 401': () => fetch(url('/api/calls'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    'post /api/calls 415': () => fetch(url('/api/calls'), { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'call me' }),
    'post /api/calls 422': () => post({ to: '+1 202 555 0123', at: AT, message: 'other' }, { 'idempotency-key': 'doc-1' }),
    'post /api/calls 429': async () => {
      // Another account fills its pending calls, so this one's recipes are not limited.
      const other = await createTestAccount(svc.deps);
      const send = () => fetch(url('/api/calls'), { method: 'POST', headers: other.headers, body: JSON.stringify({ to: '+12025550124', at: AT }) });
      for (let i = 0; i < 3; i++) await send();
      return send();
    },
    'get /api/calls 200': () => fetch(url('/api/calls?status=scheduled,canceled&limit=2'), { headers: auth }),
    'get /api/calls 400': () => fetch(url('/api/calls?limit=0'), { headers: auth }),
    'get /api/calls 401': () => fetch(url('/api/calls')),
    'get /api/calls/events 200': () => stream(auth),
    'get /api/calls/events 401': () => stream({}),
    'get /api/calls/events 429': async () => {
      for (let i = 0; i < 8; i++) await stream(auth);
      return stream(auth);
    },
    'get /api/calls/{id} 200': async () => fetch(url(`/api/calls/${await newCall()}`), { headers: auth }),
    'get /api/calls/{id} 401': () => fetch(url('/api/calls/some-id')),
    'get /api/calls/{id} 404': () => fetch(url('/api/calls/no-such-call'), { headers: auth }),
    'delete /api/calls/{id} 200': async () => fetch(url(`/api/calls/${await newCall()}`), { method: 'DELETE', headers: auth }),
    'delete /api/calls/{id} 401': () => fetch(url('/api/calls/some-id'), { method: 'DELETE' }),
    'delete /api/calls/{id} 404': () => fetch(url('/api/calls/no-such-call'), { method: 'DELETE', headers: auth }),
    'delete /api/calls/{id} 409': async () => {
      const id = await newCall();
      await fetch(url(`/api/calls/${id}`), { method: 'DELETE', headers: auth });
      return fetch(url(`/api/calls/${id}`), { method: 'DELETE', headers: auth });
    },
  };
  const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).flatMap(([method, op]) => Object.keys(op.responses).map((status) => `${method} ${path} ${status}`)),
  );
  t.deepEqual([...documented].sort(), Object.keys(recipes).sort(), 'every documented answer has a recipe, and nothing undocumented is tried');

  for (const key of documented) {
    const [method = '', path = '', status = ''] = key.split(' ');
    const recipe = recipes[key];
    if (!recipe) continue;
    const res = await recipe();
    t.is(res.status, Number(status), key);
    const content = doc.paths[path]?.[method]?.responses[status]?.content ?? {};
    const [type] = Object.keys(content);
    t.is(res.headers.get('content-type')?.split(';')[0], type, `${key} content type`);
    if (type === 'text/event-stream') continue; // a stream; its events are tested in live-events.test.ts
    const body: unknown = await res.json();
    const parsed = schemaOf(doc, content[type ?? '']?.schema).safeParse(body);
    t.true(parsed.success, `${key}: ${JSON.stringify(parsed.error?.issues ?? [])} in ${JSON.stringify(body)}`);
  }
});

test('when a problem type is followed, then it leads to a page that explains it; the API reference is served from here', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const problem = (await (await fetch(`${svc.url}/api/calls`)).json()) as { type: string };
  t.is(problem.type, '/problems/unauthorized');
  const page = await fetch(`${svc.url}${problem.type}`);
  t.is(page.status, 200);
  t.regex(await page.text(), /<h1 id="problem-title">Unauthorized<\/h1>/);
  t.is((await fetch(`${svc.url}/problems/nothing-like-this`)).status, 404);
  const reference = await fetch(`${svc.url}/docs/api`);
  const html = await reference.text();
  t.regex(html, /<script src="\/docs\/api\/swagger-ui-bundle.js">/);
  t.notRegex(html, /https?:\/\//);
  t.regex(reference.headers.get('content-security-policy') ?? '', /script-src 'self';/);
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'start.js']) {
    t.is((await fetch(`${svc.url}/docs/api/${file}`)).status, 200, file);
  }
});
