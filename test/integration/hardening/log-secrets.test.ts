import test from 'ava';
import { startTestService } from '../../helpers/test-service.ts';
import { postSigned, telnyxEvent } from '../../helpers/telnyx-webhooks.ts';

const BEARER = 'sekrit-bearer-7f3a';
const COOKIE = 'sekrit-cookie-91bc';
const API_KEY = 'sekrit-apikey-4d2e';
const CREDENTIALS = { authorization: `Bearer ${BEARER}`, cookie: `session=${COOKIE}; csrf=${COOKIE}`, 'x-api-key': API_KEY };
/** What the access line may hold: nothing but these, so no object from outside can ride in it unredacted. */
const ACCESS_FIELDS = ['level', 'time', 'requestId', 'method', 'path', 'status', 'durationMs', 'aborted', 'msg'];

test('when requests carrying a bearer token, a cookie and an API key hit every kind of route, then no log line holds any of them', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const sent: [string, string, string?][] = [
    ['GET', '/'],
    ['GET', '/api/calls'],
    ['POST', '/api/calls', '{"to": "+12025550123"'],
    ['POST', '/api/calls', JSON.stringify({ to: '+12025550123', at: 'tomorrow' })],
    ['GET', '/no/such/page'],
    ['POST', '/webhook', telnyxEvent('call.answered', 'c1')],
    ['GET', '/webhook'],
    ['GET', '/metrics'],
  ];
  for (const [method, path, body] of sent) {
    await fetch(`${svc.url}${path}`, { method, headers: { ...CREDENTIALS, 'content-type': 'application/json', accept: 'application/json' }, ...(body ? { body } : {}) }).then((r) => r.arrayBuffer());
  }
  // A signed webhook too, so the accepted path is covered as well as the refused one.
  await postSigned(svc.url, telnyxEvent('call.initiated', 'c2'), Buffer.alloc(32, 1).toString('base64')).then((r) => r.arrayBuffer());
  // The access line is written when the response is closed: wait for each request's.
  for (const [method, path] of sent) await svc.waitForLog((l) => l.msg === 'request' && l.method === method && l.path === path);
  // And the redacting logger still redacts what reaches it from a request.
  svc.deps.logger.warn({ req: { headers: CREDENTIALS }, err: Object.assign(new Error('probe'), { headers: CREDENTIALS, config: { apiKey: API_KEY } }) }, 'probe');
  await svc.waitForLog((l) => l.msg === 'probe');

  const text = svc.logs.map((l) => JSON.stringify(l)).join('\n');
  for (const secret of [BEARER, COOKIE, API_KEY]) t.false(text.includes(secret), `${secret} reached a log line`);
  const access = svc.logs.filter((l) => l.msg === 'request');
  t.true(access.length >= sent.length);
  for (const line of access) t.deepEqual(Object.keys(line).filter((k) => !ACCESS_FIELDS.includes(k)), [], JSON.stringify(line));
  const probe = svc.logs.find((l) => l.msg === 'probe') as { req: { headers: Record<string, string> } };
  t.deepEqual(probe.req.headers, { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' });
});
