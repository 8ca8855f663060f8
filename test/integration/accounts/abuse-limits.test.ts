import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { createTestAccount, signInPage, TEST_PASSWORD, type TestAccount } from '../../helpers/accounts.ts';
import type { Config } from '../../../src/config/schema.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const T0 = Date.parse('2026-11-21T12:00:00Z');
const json = { 'content-type': 'application/json' };
const LOOSE = { callsPerAccountPerDay: 1000, pendingCallsPerAccount: 1000, callsPerNumberPerDay: 1000, loginsPerAddressPer15Min: 1000, loginFailuresPerAccountPer15Min: 1000, loginFailuresPerAccountAndAddressPer15Min: 1000, registrationsPerAddressPerHour: 1000, mailsPerRecipientPerHour: 1000 };

async function boot(t: ExecutionContext, limits: Partial<Config['limits']>, dir?: string, http: Partial<Config['http']> = {}) {
  const clock = createManualClock(T0);
  // Tokens live a day here, so tests can move the clock by hours; a fixed secret keeps them valid across a restart.
  const { config, dir: used } = testConfig(
    { limits: { ...LOOSE, ...limits }, http, auth: { jwtSecret: 'a fixed secret of at least 32 bytes!!', accessTokenSeconds: 86_400 } },
    dir,
  );
  const svc = await startTestService({ config, dir: used, keepDir: dir !== undefined, deps: { clock, telephony: createFakeTelephony(clock).telephony } });
  t.teardown(() => svc.stop());
  const schedule = (who: TestAccount, to = '+12025550123', minute = 30) =>
    fetch(`${svc.url}/api/calls`, { method: 'POST', headers: who.headers, body: JSON.stringify({ to, at: `2026-11-21T13:${minute}:00Z` }) });
  const login = (email: string, password: string) => fetch(`${svc.url}/api/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
  return { svc, clock, schedule, login };
}

async function expectLimited(t: ExecutionContext, res: Response, detail: RegExp) {
  t.is(res.status, 429);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  t.true(Number(res.headers.get('retry-after')) >= 1, `Retry-After: ${res.headers.get('retry-after')}`);
  const problem = (await res.json()) as { type: string; detail: string };
  t.is(problem.type, '/problems/limit');
  t.regex(problem.detail, detail);
  return Number(res.headers.get('retry-after'));
}

test('when an account schedules more calls in 24 h than allowed, then 429 with Retry-After until the oldest is a day old', async (t) => {
  const { svc, schedule, clock } = await boot(t, { callsPerAccountPerDay: 2 });
  const me = await createTestAccount(svc.deps);
  t.is((await schedule(me, '+12025550101')).status, 201);
  await clock.advance(3_600_000);
  t.is((await schedule(me, '+12025550102', 40)).status, 201);
  const wait = await expectLimited(t, await schedule(me, '+12025550103', 50), /scheduled 2 calls in the last 24 hours/);
  t.is(wait, 23 * 3600);
  await clock.advance(wait * 1000);
  me.headers.authorization = `Bearer ${await svc.deps.tokens.accessToken(me.id, 3600)}`;
  const later = await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: me.headers, body: JSON.stringify({ to: '+12025550103', at: '2026-11-22T18:00:00Z' }) });
  t.is(later.status, 201);
});

test('when an account has as many calls waiting as allowed, then 429 until one is placed or canceled', async (t) => {
  const { svc, schedule } = await boot(t, { pendingCallsPerAccount: 2 });
  const me = await createTestAccount(svc.deps);
  const first = (await (await schedule(me, '+12025550101', 10)).json()) as { id: string };
  await schedule(me, '+12025550102', 20);
  const wait = await expectLimited(t, await schedule(me, '+12025550103'), /2 calls waiting/);
  t.is(wait, 70 * 60, 'until the soonest is due');
  await fetch(`${svc.url}/api/calls/${first.id}`, { method: 'DELETE', headers: me.headers });
  t.is((await schedule(me, '+12025550103')).status, 201);
});

test('when one number has been scheduled as often as allowed by all accounts together, then 429 for everyone', async (t) => {
  const { svc, schedule } = await boot(t, { callsPerNumberPerDay: 2 });
  const [a, b] = [await createTestAccount(svc.deps), await createTestAccount(svc.deps)];
  t.is((await schedule(a, '+12025550199')).status, 201);
  t.is((await schedule(b, '+12025550199', 40)).status, 201);
  await expectLimited(t, await schedule(b, '+12025550199', 50), /This number already has 2 calls due within 24 hours of that time/);
  t.is((await schedule(b, '+12025550100', 50)).status, 201, 'other numbers are fine');
});

test('when a number on the do-not-call list is scheduled over a limit too, then 422 opted out (waiting would not help), with limits off as well, and nothing is stored', async (t) => {
  const { svc, schedule } = await boot(t, { pendingCallsPerAccount: 1 });
  const me = await createTestAccount(svc.deps);
  await svc.deps.store.addDoNotCall({ number: '+12025550909', addedAt: T0, callId: null });
  t.is((await schedule(me, '+12025550101')).status, 201);
  await expectLimited(t, await schedule(me, '+12025550102', 40), /1 calls waiting/);
  const res = await schedule(me, '+12025550909', 50);
  t.is(res.status, 422);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  const problem = (await res.json()) as { type: string; errors: { path: string; message: string }[] };
  t.is(problem.type, '/problems/opted-out');
  t.deepEqual(problem.errors.map((e) => e.path), ['to']);
  const off = await boot(t, { pendingCallsPerAccount: 0, callsPerAccountPerDay: 0, callsPerNumberPerDay: 0, callsPerNumberPerAccountPerDay: 0 });
  const other = await createTestAccount(off.svc.deps);
  await off.svc.deps.store.addDoNotCall({ number: '+12025550909', addedAt: T0, callId: null });
  t.is((await off.schedule(other, '+12025550909')).status, 422);
  t.deepEqual((await svc.deps.store.listCalls({ limit: 10 })).map((c) => c.to), ['+12025550101']);
  t.deepEqual(await off.svc.deps.store.listCalls({ limit: 10 }), []);
});

test('when calls to one number were scheduled on different days but fall due within 24 h of each other, then the next one near them is refused', async (t) => {
  const { svc, clock } = await boot(t, { callsPerNumberPerDay: 2 });
  const [a, b, c] = [await createTestAccount(svc.deps), await createTestAccount(svc.deps), await createTestAccount(svc.deps)];
  const schedule = async (who: TestAccount, at: string) => {
    // Each day a fresh token: the boot's tokens live one day.
    who.headers.authorization = `Bearer ${await svc.deps.tokens.accessToken(who.id, 3600)}`;
    return fetch(`${svc.url}/api/calls`, { method: 'POST', headers: who.headers, body: JSON.stringify({ to: '+12025550177', at }) });
  };
  t.is((await schedule(a, '2026-11-24T09:00:00Z')).status, 201);
  await clock.advance(25 * 3_600_000);
  const second = (await (await schedule(b, '2026-11-24T09:00:00Z')).json()) as { id: string };
  await clock.advance(25 * 3_600_000);
  // Created a day apart each, but due in the same minute: the person would be rung three times at once.
  await expectLimited(t, await schedule(c, '2026-11-24T09:00:00Z'), /This number already has 2 calls due within 24 hours of that time/);
  await expectLimited(t, await schedule(c, '2026-11-25T08:59:00Z'), /2 calls due within 24 hours/);
  await expectLimited(t, await schedule(c, '2026-11-25T09:00:00Z'), /2 calls due within 24 hours/);
  t.is((await schedule(c, '2026-11-25T09:01:00Z')).status, 201, 'more than 24 h after both is fine');
  // A canceled call does not ring, so it does not count.
  b.headers.authorization = `Bearer ${await svc.deps.tokens.accessToken(b.id, 3600)}`;
  t.is((await fetch(`${svc.url}/api/calls/${second.id}`, { method: 'DELETE', headers: b.headers })).status, 200);
  t.is((await schedule(c, '2026-11-24T09:00:00Z')).status, 201);
});

test('when the page schedules over a limit, then it says so plainly with 429 and Retry-After', async (t) => {
  const { svc } = await boot(t, { callsPerAccountPerDay: 1 });
  const page = await signInPage(svc.deps, svc.url);
  const form = { to: '+12025550123', date: '2026-11-21', time: '18:00', timezone: 'UTC', message: '' };
  t.is((await page.post('/calls', form)).status, 303);
  const res = await page.post('/calls', { ...form, time: '19:00' });
  t.is(res.status, 429);
  t.truthy(res.headers.get('retry-after'));
  t.regex(await res.text(), /<p class="problem" role="alert">You have scheduled 1 calls in the last 24 hours, the most allowed\. Try again in \d+ min\.<\/p>/);
});

test('when one client address tries to sign in too often, then 429, whichever accounts it tries', async (t) => {
  const { svc, login } = await boot(t, { loginsPerAddressPer15Min: 3 });
  const me = await createTestAccount(svc.deps);
  for (const email of ['a@example.test', 'b@example.test', me.email]) t.not((await login(email, 'wrong password here')).status, 429);
  await expectLimited(t, await login(me.email, TEST_PASSWORD), /Too many sign-in attempts from your network/);
});

test('when an account has too many failed sign-ins, then even the right password waits; the limit survives a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await boot(t, { loginFailuresPerAccountPer15Min: 2 }, dir);
  const me = await createTestAccount(first.svc.deps);
  t.is((await first.login(me.email, 'wrong password one')).status, 401);
  t.is((await first.login(me.email, 'wrong password two')).status, 401);
  await expectLimited(t, await first.login(me.email, TEST_PASSWORD), /Too many failed sign-ins for this account/);
  await first.svc.stop();

  const second = await boot(t, { loginFailuresPerAccountPer15Min: 2 }, dir);
  await expectLimited(t, await second.login(me.email, TEST_PASSWORD), /Too many failed sign-ins/);
  await second.clock.advance(15 * 60_000);
  t.is((await second.login(me.email, TEST_PASSWORD)).status, 200);
});

test('when one address fails to sign in to an account too often, then that address waits but the owner elsewhere signs in; many addresses together still hit the account cap', async (t) => {
  const { svc, clock } = await boot(t, { loginFailuresPerAccountAndAddressPer15Min: 2, loginFailuresPerAccountPer15Min: 5 }, undefined, { trustProxy: true });
  const me = await createTestAccount(svc.deps);
  const loginFrom = (address: string, password: string) =>
    fetch(`${svc.url}/api/auth/token`, { method: 'POST', headers: { ...json, 'x-forwarded-for': address }, body: JSON.stringify({ email: me.email, password }) });
  const owner = '198.51.100.7';
  t.is((await loginFrom('203.0.113.1', 'wrong password one')).status, 401);
  t.is((await loginFrom('203.0.113.1', 'wrong password two')).status, 401);
  await expectLimited(t, await loginFrom('203.0.113.1', TEST_PASSWORD), /Too many failed sign-ins for this account from your network/);
  // A stranger who knows the address cannot lock its owner out from one network.
  t.is((await loginFrom(owner, TEST_PASSWORD)).status, 200);
  // A guesser spread over many networks is still stopped, for everyone, at the account's own cap.
  for (const address of ['203.0.113.2', '203.0.113.3', '2001:db8:0:1::5']) t.is((await loginFrom(address, 'another wrong one')).status, 401, address);
  await expectLimited(t, await loginFrom(owner, TEST_PASSWORD), /Too many failed sign-ins for this account from many networks\. A device that signed in to it before still can/);
  await clock.advance(15 * 60_000);
  t.is((await loginFrom(owner, TEST_PASSWORD)).status, 200);
});

test('when one address registers too often in an hour, then 429, and the answer does not depend on the address', async (t) => {
  const { svc } = await boot(t, { registrationsPerAddressPerHour: 2 });
  const register = (email: string) => fetch(`${svc.url}/api/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'a long enough phrase' }) });
  t.is((await register('one@example.test')).status, 202);
  t.is((await register('two@example.test')).status, 202);
  const wait = await expectLimited(t, await register('three@example.test'), /Too many registrations/);
  t.is(wait, 3600);
});
