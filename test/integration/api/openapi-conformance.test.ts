import test from 'ava';
import http from 'node:http';
import { z } from 'zod';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { createTestAccount, TEST_PASSWORD } from '../../helpers/accounts.ts';

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
  // The accounts' limits on, one a minute per address, and X-Forwarded-For trusted: each accounts recipe speaks from
  // an address of its own, so it meets the limit only when it means to.
  // New accounts on probation, so its 403 can be provoked (other recipes make at most one schedule per account).
  const { config, dir } = testConfig({
    limits: { pendingCallsPerAccount: 3, registrationsPerAddressPerHour: 1, loginsPerAddressPer15Min: 1 },
    http: { trustProxy: true },
    probation: { days: 7, callsPerDay: 1000, unreachedSchedules: 1 },
  });
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

  // Schedules: each recipe that needs one creates it for a fresh account, so their pending calls stay under the limit.
  const DAILY = { to: '+12025550125', repeat: { every: 'day', at: '07:00' }, timezone: 'Europe/Dublin' };
  const OPTED_OUT = '+12025550199';
  await svc.deps.store.addDoNotCall({ number: OPTED_OUT, addedAt: T0, callId: null });
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = me.headers) =>
    fetch(url(path), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const newSchedule = async () => {
    const { headers } = await createTestAccount(svc.deps);
    const res = await send('POST', '/api/schedules', DAILY, headers);
    return { id: ((await res.json()) as { id: string }).id, headers };
  };
  const noAuth = (method: string, path: string) => fetch(url(path), { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? null : '{}' });
  const asText = (method: string, path: string) => fetch(url(path), { method, headers: { ...auth, 'content-type': 'text/plain' }, body: 'every day' });

  const doc = (await (await fetch(url('/openapi.json'))).json()) as Doc & { servers: { url: string }[] };
  t.deepEqual(doc.servers.map((s) => s.url), [svc.url], 'without PUBLIC_URL, the origin the request reached');
  t.true(Object.values(doc.paths).every((methods) => Object.values(methods).every((op) => typeof (op as { operationId?: unknown }).operationId === 'string')), 'an operationId on every operation');
  t.is(doc.openapi, '3.1.0');

  // Accounts: JSON posts from an address of their own; links are read from the development outbox.
  let address = 0;
  const from = () => ({ 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.${++address}` });
  const authPost = (path: string, body: unknown, headers: Record<string, string> = from()) =>
    fetch(url(`/api/auth/${path}`), { method: 'POST', headers, body: JSON.stringify(body) });
  const twice = async (path: string, body: unknown) => {
    const headers = from();
    await authPost(path, body, headers);
    return authPost(path, body, headers);
  };
  const outbox = svc.deps.outbox;
  if (!outbox) throw new Error('the test service keeps mails in the development outbox');
  const linkToken = async (to: string) => {
    const mail = await outbox.waitFor((m) => m.to === to);
    return new URL(mail.links[0] ?? '').searchParams.get('token') ?? '';
  };
  const PASSWORD = 'a long and private phrase';
  let people = 0;
  const registered = async () => {
    const email = `doc-${++people}@example.test`;
    await authPost('register', { email, password: PASSWORD });
    return email;
  };
  // fetch may not set Host; node:http may.
  const foreignHost = (path: string) =>
    new Promise<Response>((resolve, reject) => {
      const req = http.get(url(path), { headers: { host: 'elsewhere.example' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(new Response(text, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type']) } })));
      });
      req.on('error', reject);
    });
  const asTextAuth = (path: string) => fetch(url(`/api/auth/${path}`), { method: 'POST', headers: { ...from(), 'content-type': 'text/plain' }, body: 'hello' });

  // One way to provoke each documented answer. The keys must be exactly the documented ones.
  const recipes: Record<string, () => Promise<Response>> = {
    'post /api/auth/register 202': () => authPost('register', { email: 'ada@example.test', password: PASSWORD }),
    'post /api/auth/register 400': () => authPost('register', { email: 'not an address', password: '' }),
    'post /api/auth/register 415': () => asTextAuth('register'),
    'post /api/auth/register 429': () => twice('register', { email: 'limit@example.test', password: PASSWORD }),
    'post /api/auth/activate 200': async () => authPost('activate', { token: await linkToken(await registered()) }),
    'post /api/auth/activate 400': () => authPost('activate', { token: 'no-such-token' }),
    'post /api/auth/activate 415': () => asTextAuth('activate'),
    'post /api/auth/token 200': () => authPost('token', { email: me.email, password: TEST_PASSWORD }),
    'post /api/auth/token 400': () => authPost('token', { email: me.email }),
    'post /api/auth/token 401': () => authPost('token', { email: me.email, password: 'not the password' }),
    'post /api/auth/token 403': async () => authPost('token', { email: await registered(), password: PASSWORD }),
    'post /api/auth/token 415': () => asTextAuth('token'),
    'post /api/auth/token 429': () => twice('token', { email: me.email, password: TEST_PASSWORD }),
    'post /api/auth/reset-request 202': () => authPost('reset-request', { email: me.email }),
    'post /api/auth/reset-request 400': () => authPost('reset-request', { email: 'nobody' }),
    'post /api/auth/reset-request 415': () => asTextAuth('reset-request'),
    'post /api/auth/reset-request 429': () => twice('reset-request', { email: 'nobody@example.test' }),
    'post /api/auth/reset 200': async () => {
      const { email } = await createTestAccount(svc.deps);
      await authPost('reset-request', { email });
      return authPost('reset', { token: await linkToken(email), password: 'another long private phrase' });
    },
    'post /api/auth/reset 400': () => authPost('reset', { token: 'no-such-token', password: PASSWORD }),
    'post /api/auth/reset 415': () => asTextAuth('reset'),
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
    // An account that has not scheduled a call yet may not stream.
    'get /api/calls/events 403': async () => stream({ authorization: (await createTestAccount(svc.deps)).headers.authorization as string }),
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
    'post /api/schedules 201': () =>
      send('POST', '/api/schedules', { ...DAILY, message: 'Wake up', startsOn: '2026-11-23', endsOn: '2026-12-31', retry: { attempts: 2, afterMinutes: 10, onFailed: true } }),
    'post /api/schedules 400': () => send('POST', '/api/schedules', { to: '+12025550125', repeat: { every: 'week', at: '25:00' }, timezone: 'Mars/Base', extra: 1 }),
    'post /api/schedules 401': () => noAuth('POST', '/api/schedules'),
    'post /api/schedules 415': () => asText('POST', '/api/schedules'),
    'post /api/schedules 422': () => send('POST', '/api/schedules', { ...DAILY, to: OPTED_OUT }),
    'post /api/schedules 403': async () => {
      const { headers } = await createTestAccount(svc.deps);
      await send('POST', '/api/schedules', DAILY, headers);
      return send('POST', '/api/schedules', { ...DAILY, to: '+12025550127' }, headers);
    },
    'get /api/auth/challenge 200': () => fetch(url('/api/auth/challenge')),
    'get /api/auth/challenge 421': () => foreignHost('/api/auth/challenge'),
    'post /api/schedules 429': async () => {
      // Its pending calls are full, so the schedule's first occurrence is refused.
      const { headers } = await createTestAccount(svc.deps);
      for (let i = 0; i < 3; i++) await send('POST', '/api/calls', { to: '+12025550126', at: AT }, headers);
      return send('POST', '/api/schedules', DAILY, headers);
    },
    'get /api/schedules 200': async () => send('GET', '/api/schedules', undefined, (await newSchedule()).headers),
    'get /api/schedules 401': () => noAuth('GET', '/api/schedules'),
    'post /api/schedules/preview 200': () => send('POST', '/api/schedules/preview', { ...DAILY, repeat: { cron: '30 8 * * mon' } }),
    'post /api/schedules/preview 400': () => send('POST', '/api/schedules/preview', { ...DAILY, repeat: { cron: '* * *' } }),
    'post /api/schedules/preview 401': () => noAuth('POST', '/api/schedules/preview'),
    'post /api/schedules/preview 415': () => asText('POST', '/api/schedules/preview'),
    'get /api/schedules/{id} 200': async () => {
      const { id, headers } = await newSchedule();
      return send('GET', `/api/schedules/${id}`, undefined, headers);
    },
    'get /api/schedules/{id} 401': () => noAuth('GET', '/api/schedules/some-id'),
    'get /api/schedules/{id} 404': () => send('GET', '/api/schedules/no-such-schedule', undefined),
    'patch /api/schedules/{id} 200': async () => {
      const { id, headers } = await newSchedule();
      return send('PATCH', `/api/schedules/${id}`, { paused: true, message: 'Later' }, headers);
    },
    'patch /api/schedules/{id} 400': async () => {
      const { id, headers } = await newSchedule();
      return send('PATCH', `/api/schedules/${id}`, { paused: 'yes', every: 'day' }, headers);
    },
    'patch /api/schedules/{id} 401': () => noAuth('PATCH', '/api/schedules/some-id'),
    'patch /api/schedules/{id} 404': () => send('PATCH', '/api/schedules/no-such-schedule', { paused: true }),
    'patch /api/schedules/{id} 409': async () => {
      const { id, headers } = await newSchedule();
      await send('DELETE', `/api/schedules/${id}`, undefined, headers);
      return send('PATCH', `/api/schedules/${id}`, { paused: false }, headers);
    },
    'patch /api/schedules/{id} 415': async () => {
      const { id, headers } = await newSchedule();
      return fetch(url(`/api/schedules/${id}`), { method: 'PATCH', headers: { ...headers, 'content-type': 'text/plain' }, body: 'pause' });
    },
    'patch /api/schedules/{id} 422': async () => {
      const { id, headers } = await newSchedule();
      return send('PATCH', `/api/schedules/${id}`, { to: OPTED_OUT }, headers);
    },
    'delete /api/schedules/{id} 200': async () => {
      const { id, headers } = await newSchedule();
      return send('DELETE', `/api/schedules/${id}`, undefined, headers);
    },
    'delete /api/schedules/{id} 401': () => noAuth('DELETE', '/api/schedules/some-id'),
    'delete /api/schedules/{id} 404': () => send('DELETE', '/api/schedules/no-such-schedule', undefined),
    'delete /api/schedules/{id} 409': async () => {
      const { id, headers } = await newSchedule();
      await send('DELETE', `/api/schedules/${id}`, undefined, headers);
      return send('DELETE', `/api/schedules/${id}`, undefined, headers);
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
