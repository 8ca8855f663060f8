import test, { type ExecutionContext } from 'ava';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startSmtpInbox } from '../../helpers/smtp-inbox.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { createFormClient } from '../../helpers/form-client.ts';
import { createTestAccount, TEST_PASSWORD } from '../../helpers/accounts.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');
const json = { 'content-type': 'application/json' };

async function boot(t: ExecutionContext) {
  const inbox = await startSmtpInbox();
  t.teardown(() => inbox.close());
  const clock = createManualClock(T0);
  const { config, dir } = testConfig({ mail: { smtpUrl: inbox.url, from: 'Dial-A-Joke <jokes@example.test>' } });
  const svc = await startTestService({ config, dir, deps: { clock } });
  t.teardown(() => svc.stop());
  const post = (path: string, body: unknown) => fetch(`${svc.url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
  const token = (email: string, password: string) => post('/api/auth/token', { email, password });
  return { svc, inbox, clock, post, token };
}

const linkIn = (text: string) => /(http:\/\/\S+\?token=[\w-]+)/.exec(text)?.[1] ?? '';

test('when a person registers, then a mail reaches a real SMTP server and its link, followed in a browser, activates the account', async (t) => {
  const { svc, inbox, post, token } = await boot(t);
  const res = await post('/api/auth/register', { email: 'Ada@Example.test', password: 'a long and private phrase' });
  t.is(res.status, 202);
  t.is((await token('ada@example.test', 'a long and private phrase')).status, 403, 'not activated yet');

  const mail = await inbox.next();
  t.deepEqual(mail.to, ['ada@example.test']);
  t.is(mail.from, 'jokes@example.test');
  t.is(mail.subject, 'Confirm your Dial-A-Joke account');
  const link = linkIn(mail.text);
  t.true(link.startsWith(`${svc.url}/activate?token=`));
  t.true(mail.html.includes(link.replace(/&/g, '&amp;')), 'the HTML part carries the same link');
  t.false(JSON.stringify(svc.logs).includes(link.split('token=')[1] ?? 'x'), 'the token is never logged');

  const browser = createFormClient(svc.url);
  const page = await browser.open(link.slice(svc.url.length));
  t.is(page.res.status, 200);
  const activated = await browser.submit('/activate', { token: new URL(link).searchParams.get('token') ?? '' });
  t.is(activated.status, 303);
  t.is(activated.headers.get('location'), '/login?notice=activated');

  const signedIn = await token('ada@example.test', 'a long and private phrase');
  t.is(signedIn.status, 200);
  const body = (await signedIn.json()) as { access_token: string; token_type: string; expires_in: number };
  t.is(body.token_type, 'Bearer');
  t.is(body.expires_in, 900);
  t.is(signedIn.headers.get('cache-control'), 'no-store');
  const calls = await fetch(`${svc.url}/api/calls`, { headers: { authorization: `Bearer ${body.access_token}` } });
  t.is(calls.status, 200);

  // Single use: the same link again does nothing.
  const again = await post('/api/auth/activate', { token: new URL(link).searchParams.get('token') });
  t.is(again.status, 400);
});

test('when an activation link is older than 24 hours, then it no longer works', async (t) => {
  const { inbox, post, clock, token } = await boot(t);
  await post('/api/auth/register', { email: 'late@example.test', password: 'a long and private phrase' });
  const link = linkIn((await inbox.next()).text);
  await clock.advance(24 * 3_600_000 + 1000);
  const res = await post('/api/auth/activate', { token: new URL(link).searchParams.get('token') });
  t.is(res.status, 400);
  t.like(await res.json(), { detail: 'The activation link does not work.' });
  t.is((await token('late@example.test', 'a long and private phrase')).status, 403);
});

test('when a taken and a free address register, then both get the same answer, and the owner of the taken one gets a mail instead', async (t) => {
  const { svc, inbox, post } = await boot(t);
  const owner = await createTestAccount(svc.deps, 'taken@example.test');
  const taken = await post('/api/auth/register', { email: owner.email, password: 'another long phrase here' });
  const free = await post('/api/auth/register', { email: 'free@example.test', password: 'another long phrase here' });
  t.is(taken.status, free.status);
  t.is(taken.status, 202);
  t.deepEqual(await taken.json(), await free.json());
  const mails = [await inbox.next(), await inbox.next()].sort((a, b) => (a.to[0] ?? '').localeCompare(b.to[0] ?? ''));
  t.like(mails[0], { to: ['free@example.test'], subject: 'Confirm your Dial-A-Joke account' });
  t.like(mails[1], { to: ['taken@example.test'], subject: 'Someone tried to register your address at Dial-A-Joke' });
  t.notRegex(mails[1]?.text ?? '', /token=/, 'nothing in it changes the account');
});

test('when someone registers a stranger’s address first, then the owner’s own link activates the owner’s password, not theirs', async (t) => {
  const { inbox, post, token } = await boot(t);
  await post('/api/auth/register', { email: 'victim@example.test', password: 'attacker chose this' });
  await inbox.next(); // goes to the victim, who ignores it
  await post('/api/auth/register', { email: 'victim@example.test', password: 'the owner chose this' });
  const own = linkIn((await inbox.next()).text);
  t.is((await post('/api/auth/activate', { token: new URL(own).searchParams.get('token') })).status, 200);
  t.is((await token('victim@example.test', 'the owner chose this')).status, 200);
  t.is((await token('victim@example.test', 'attacker chose this')).status, 401);
});

test('when the password is short, the address itself or a common one, then 400 names the problem and nothing is mailed', async (t) => {
  const { svc, post } = await boot(t);
  for (const [password, message] of [
    ['short', 'must be at least 10 characters'],
    ['pat@example.test', 'must not be your e-mail address'],
    ['1234567890', 'is one of the most common passwords; choose another'],
    ['Basketball', 'is one of the most common passwords; choose another'],
  ] as const) {
    const res = await post('/api/auth/register', { email: 'pat@example.test', password });
    t.is(res.status, 400, password);
    t.deepEqual(((await res.json()) as { errors: unknown[] }).errors, [{ path: 'password', message }]);
  }
  t.is(await svc.deps.store.findAccountByEmail('pat@example.test'), undefined);
});

test('when the address is unknown or the password wrong, then the same 401 problem with WWW-Authenticate', async (t) => {
  const { svc, token } = await boot(t);
  const account = await createTestAccount(svc.deps);
  const wrong = await token(account.email, 'not the password at all');
  const unknown = await token('nobody@example.test', 'not the password at all');
  for (const res of [wrong, unknown]) {
    t.is(res.status, 401);
    t.is(res.headers.get('www-authenticate'), 'Bearer');
  }
  const strip = (p: Record<string, unknown>) => ({ ...p, requestId: undefined });
  t.deepEqual(strip((await wrong.json()) as Record<string, unknown>), strip((await unknown.json()) as Record<string, unknown>));
  t.is((await token(account.email, TEST_PASSWORD)).status, 200);
});

test('when a password is reset by mail, then the new one works, the old one not, page sessions end at once and bearer tokens at their expiry', async (t) => {
  const { svc, inbox, post, token, clock } = await boot(t);
  const account = await createTestAccount(svc.deps);
  const cookie = `daj_session=${await svc.deps.sessions.open(account.id)}`;
  t.is((await fetch(`${svc.url}/api/calls`, { headers: { cookie } })).status, 200);

  const unknown = await post('/api/auth/reset-request', { email: 'nobody@example.test' });
  const known = await post('/api/auth/reset-request', { email: account.email });
  t.is(known.status, 202);
  t.deepEqual(await known.json(), await unknown.json());
  const mail = await inbox.next();
  t.deepEqual(mail.to, [account.email]);
  const resetToken = new URL(linkIn(mail.text)).searchParams.get('token');
  t.is((await post('/api/auth/reset', { token: resetToken, password: 'a brand new long phrase' })).status, 200);
  t.is((await post('/api/auth/reset', { token: resetToken, password: 'a second new long phrase' })).status, 400, 'single use');
  t.is((await token(account.email, 'a brand new long phrase')).status, 200);
  t.is((await token(account.email, TEST_PASSWORD)).status, 401);
  t.is((await fetch(`${svc.url}/api/calls`, { headers: { cookie } })).status, 401);
  // What the README warns of: a bearer token is checked by its signature alone, so it lasts until it expires.
  const bearer = { authorization: account.headers.authorization ?? 'none' }; // issued before the reset
  t.is((await fetch(`${svc.url}/api/calls`, { headers: bearer })).status, 200);
  await clock.advance(svc.deps.config.auth.accessTokenSeconds * 1000);
  t.is((await fetch(`${svc.url}/api/calls`, { headers: bearer })).status, 401);
  t.is(inbox.mails.length, 1, 'the unknown address got nothing');
});
