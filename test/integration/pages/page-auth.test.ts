import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { createTestAccount, signInPage, TEST_PASSWORD } from '../../helpers/accounts.ts';
import { createFormClient } from '../../helpers/form-client.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');
const FORM = { to: '+12025550123', date: '2026-11-21', time: '18:00', timezone: 'UTC', message: '' };

async function boot(t: ExecutionContext, overrides: Record<string, unknown> = {}) {
  const clock = createManualClock(T0);
  const { config, dir } = testConfig(overrides);
  const svc = await startTestService({ config, dir, deps: { clock, telephony: createFakeTelephony(clock).telephony } });
  t.teardown(() => svc.stop());
  return { svc, clock };
}

test('when a stranger opens the page or its fragment, then the first page says what this is with sign-in and registration side by side, and the fragment answers 401', async (t) => {
  const { svc } = await boot(t);
  const res = await fetch(`${svc.url}/`, { redirect: 'manual' });
  t.is(res.status, 200);
  const html = await res.text();
  t.regex(html, /<h1 id="intro-title">A phone call that tells a joke/);
  t.regex(html, /<form method="post" action="\/login"[\s\S]*<form method="post" action="\/register"/);
  t.regex(html, /Simulated mode: no Telnyx account is configured/, 'the test service runs on the simulator, and the first page says so');
  t.is((await fetch(`${svc.url}/schedules`, { redirect: 'manual' })).headers.get('location'), '/login?next=%2Fschedules');
  t.is((await fetch(`${svc.url}/partials/calls`)).status, 401);
  t.is((await fetch(`${svc.url}/login`)).status, 200);
  t.is((await fetch(`${svc.url}/register`)).status, 200);
});

test('when a form is posted without its CSRF token or with another visitor’s, then 403 and nothing is stored', async (t) => {
  const { svc } = await boot(t);
  const page = await signInPage(svc.deps, svc.url);
  const other = await signInPage(svc.deps, svc.url);
  for (const csrf of [null, '', 'made-up-token', await other.csrfToken()]) {
    const res = await page.post('/calls', FORM, { csrf });
    t.is(res.status, 403, String(csrf));
    t.regex(await res.text(), /This form has expired or was sent from another site/);
  }
  t.deepEqual(await svc.deps.store.listCalls({ limit: 5 }), []);
  t.is((await page.post('/calls', FORM)).status, 303);
});

test('when a person signs in with the form, then an HttpOnly SameSite=Lax cookie (Secure over https) opens the page; sign-out ends it server-side', async (t) => {
  const { svc } = await boot(t, { http: { trustProxy: true } });
  const account = await createTestAccount(svc.deps);
  const browser = createFormClient(svc.url);
  await browser.open('/login?next=%2F');
  const wrong = await browser.submit('/login', { email: account.email, password: 'not my password', next: '/' });
  t.is(wrong.status, 401);
  t.regex(await wrong.text(), /The e-mail address or the password is wrong\./);
  const res = await browser.submit('/login', { email: account.email, password: TEST_PASSWORD, next: '/' });
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/');
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('daj_session='));
  t.regex(cookie ?? '', /; path=\/; .*samesite=lax; httponly/i);
  t.notRegex(cookie ?? '', /secure/i);
  const stolen = `daj_session=${browser.jar.get('daj_session') ?? ''}`;
  const home = await browser.open('/');
  t.is(home.res.status, 200);
  t.regex(home.html, new RegExp(account.email.replace('.', '\\.')));

  t.is((await browser.submit('/logout', {})).status, 303);
  // The cookie a thief copied before sign-out no longer opens anything.
  t.is((await fetch(`${svc.url}/schedules`, { headers: { cookie: stolen }, redirect: 'manual' })).status, 303);
  t.notRegex(await (await fetch(`${svc.url}/`, { headers: { cookie: stolen } })).text(), new RegExp(account.email.replace('.', '\\.')), 'the first page for strangers, not the account\'s');

  const overHttps = createFormClient(svc.url);
  await overHttps.open('/login');
  const secure = await overHttps.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
    body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec((await overHttps.open('/login')).html)?.[1] ?? '', email: account.email, password: TEST_PASSWORD }).toString(),
  });
  t.is(secure.status, 303);
  t.regex(secure.headers.getSetCookie().find((c) => c.startsWith('daj_session=')) ?? '', /; secure/i);
});

test('when sign-in is asked to return elsewhere, then it returns only to a path on this site', async (t) => {
  const { svc } = await boot(t);
  const account = await createTestAccount(svc.deps);
  for (const [next, expected] of [['//evil.example/', '/'], ['https://evil.example/', '/'], ['/partials/calls', '/partials/calls']] as const) {
    const browser = createFormClient(svc.url);
    await browser.open('/login');
    const res = await browser.submit('/login', { email: account.email, password: TEST_PASSWORD, next });
    t.is(res.headers.get('location'), expected, next);
  }
});

test('when someone cancels another account’s call with the form, then it is not found and stays scheduled', async (t) => {
  const { svc } = await boot(t);
  const owner = await signInPage(svc.deps, svc.url);
  t.is((await owner.post('/calls', FORM)).status, 303);
  const [call] = await svc.deps.store.listCalls({ limit: 1 });
  const stranger = await signInPage(svc.deps, svc.url);
  // The confirmation step does not show another account's call; the confirmed post says it could not cancel.
  t.is((await stranger.post(`/calls/${call?.id ?? ''}/cancel`, {})).status, 404);
  t.is((await stranger.post(`/calls/${call?.id ?? ''}/cancel`, { confirmed: 'yes' })).status, 303);
  t.is((await svc.deps.store.getCall(call?.id ?? ''))?.status, 'scheduled');
  t.notRegex(await (await stranger.get('/')).text(), /\+12025550123/, 'and the stranger’s list does not show it');
});

test('when an XSS payload is the message or the e-mail address, then the page shows it as text', async (t) => {
  const { svc } = await boot(t);
  const payload = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  const page = await signInPage(svc.deps, svc.url, await createTestAccount(svc.deps, `"<svg/onload=alert(3)>"@example.test`));
  t.is((await page.post('/calls', { ...FORM, message: payload })).status, 303);
  const html = await (await page.get('/')).text();
  t.false(html.includes('<img src=x'));
  t.false(html.includes('<script>alert'));
  t.false(html.includes('<svg/onload'));
  t.true(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  t.true(html.includes('&lt;svg/onload=alert(3)&gt;'));
});

test('when no dev outbox is configured, then /dev/mail does not exist; when it is, then it lists the mails with their links', async (t) => {
  const { svc } = await boot(t);
  t.is((await fetch(`${svc.url}/dev/mail`)).status, 404);
  const dev = await boot(t, { mail: { devOutbox: true } });
  const browser = createFormClient(dev.svc.url);
  await browser.open('/register');
  t.is((await browser.submit('/register', { email: 'new@example.test', password: 'a long enough phrase' })).status, 200);
  const mail = await dev.svc.deps.outbox?.waitFor((m) => m.to === 'new@example.test');
  const list = await browser.open('/dev/mail');
  t.regex(list.html, new RegExp(`/dev/mail/${mail?.id ?? 'none'}`));
  const one = await browser.open(`/dev/mail/${mail?.id ?? ''}`);
  t.regex(one.html, /class="mail-link"/);
  t.true(one.html.includes(`${dev.svc.url}/activate?token=`));
});

test('when a client that is not on this machine asks for the dev outbox, then 403 and no link leaves; loopback still reads it', async (t) => {
  const { svc } = await boot(t, { mail: { devOutbox: true }, http: { trustProxy: true } });
  const remote = { 'x-forwarded-for': '203.0.113.9', accept: 'application/json' };
  const register = await fetch(`${svc.url}/api/auth/register`, {
    method: 'POST',
    headers: { ...remote, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'victim@example.test', password: 'a long enough phrase' }),
  });
  t.is(register.status, 202);
  const mail = await svc.deps.outbox?.waitFor((m) => m.to === 'victim@example.test');
  for (const path of ['/dev/mail', `/dev/mail/${mail?.id ?? 'none'}`]) {
    const res = await fetch(`${svc.url}${path}`, { headers: remote });
    t.is(res.status, 403, path);
    t.is(res.headers.get('content-type'), 'application/problem+json');
    const body = await res.text();
    t.regex(body, /answers only on the loopback interface/);
    t.false(body.includes('token='), 'no activation link in the refusal');
  }
  const local = await fetch(`${svc.url}/dev/mail/${mail?.id ?? 'none'}`);
  t.is(local.status, 200);
  t.true((await local.text()).includes(`${svc.url}/activate?token=`));
});

test('when a form is posted by a client that does not ask for HTML, then a failure comes back as problem+json', async (t) => {
  const { svc } = await boot(t);
  const browser = createFormClient(svc.url);
  await browser.open('/login');
  const res = await browser.request('/login', {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec((await browser.open('/login')).html)?.[1] ?? '', email: 'x@example.test', password: 'wrong password here' }).toString(),
  });
  t.is(res.status, 401);
  t.is(res.headers.get('content-type'), 'application/problem+json');
});
