import test from 'ava';
import { DateTime } from 'luxon';
import { startTestService } from '../../helpers/test-service.ts';
import { createTestAccount, signInPage } from '../../helpers/accounts.ts';

const PAYLOAD = '<script>alert(1)</script>';
const ATTR = '"><img src=x onerror=alert(1)>';

test('when a stored message, a typed number and an e-mail carry XSS payloads, then the page shows them as text', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  // Stored as it is (the parts, not the form, make the account): the template must escape what validation lets by.
  const account = await createTestAccount(svc.deps, `x${ATTR}${PAYLOAD}@example.test`);
  const visitor = await signInPage(svc.deps, svc.url, account);
  const at = DateTime.utc().plus({ days: 1 }).toISO();
  const created = await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: account.headers, body: JSON.stringify({ to: '+12025550123', at, message: `${PAYLOAD} ${ATTR}` }) });
  t.is(created.status, 201);

  const page = await (await visitor.get('/', { accept: 'text/html' })).text();
  t.false(page.includes(PAYLOAD), 'raw <script> on the page');
  t.false(page.includes('<img src=x'), 'raw <img> on the page');
  t.true(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the message or e-mail is shown, escaped');

  const partial = await (await visitor.get('/partials/calls', { accept: 'text/html' })).text();
  t.false(partial.includes(PAYLOAD));

  // The number as typed comes back in the form's error page.
  const res = await visitor.post('/calls', { to: `${ATTR}${PAYLOAD}`, date: '2026-01-01', time: '10:00', timezone: 'UTC', message: PAYLOAD });
  const form = await res.text();
  t.is(res.status, 400);
  t.false(form.includes(PAYLOAD));
  t.false(form.includes('<img src=x'));
  t.true(form.includes('&quot;&gt;&lt;img'));
});
