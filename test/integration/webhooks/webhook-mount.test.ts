import test from 'ava';
import { startTestService } from '../../helpers/test-service.ts';
import { telnyxEvent } from '../../helpers/telnyx-webhooks.ts';

test('when /webhook is posted to, then it is answered by its own short stack: a problem on refusal, an access line, no page headers', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const refused = await fetch(`${svc.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: telnyxEvent('call.answered', 'c1') });
  t.is(refused.status, 401);
  t.is(refused.headers.get('content-type'), 'application/problem+json');
  t.truthy(refused.headers.get('x-request-id') ?? (await refused.clone().json() as { requestId?: string }).requestId);
  // Mounted before helmet: none of the page headers, which the page itself still gets.
  t.is(refused.headers.get('content-security-policy'), null);
  t.truthy((await fetch(`${svc.url}/`)).headers.get('content-security-policy'));
  const wrongMethod = await fetch(`${svc.url}/webhook`);
  t.is(wrongMethod.status, 405);
  t.is(wrongMethod.headers.get('allow'), 'POST');
  const line = await svc.waitForLog((l) => l.msg === 'request' && l.path === '/webhook' && l.status === 405);
  t.is(line.method, 'GET');
});
