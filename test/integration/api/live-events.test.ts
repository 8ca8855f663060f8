import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { createTestAccount } from '../../helpers/accounts.ts';
import { readSse, type SseMessage } from '../../helpers/sse-reader.ts';
import { createStore } from '../../../src/store/create-store.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');
const AT = '2026-11-21T20:00:00+01:00';

async function boot(t: ExecutionContext, dir?: string) {
  const clock = createManualClock(T0);
  const fake = createFakeTelephony(clock);
  const { config, dir: folder } = testConfig({}, dir);
  const svc = await startTestService({ config, dir: folder, keepDir: dir !== undefined, deps: { clock, telephony: fake.telephony } });
  t.teardown(() => svc.stop());
  return { svc, clock, dir: folder };
}

/** An account that has scheduled a call (a stream needs one: stream-limits.test.ts). */
async function as(svc: Awaited<ReturnType<typeof boot>>['svc']) {
  const me = await createTestAccount(svc.deps);
  const auth = { authorization: me.headers.authorization as string };
  const schedule = async (to = '+12025550123') => {
    const res = await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: me.headers, body: JSON.stringify({ to, at: AT }) });
    return ((await res.json()) as { id: string }).id;
  };
  await schedule('+12025550100');
  return {
    me,
    schedule,
    cancel: (id: string) => fetch(`${svc.url}/api/calls/${id}`, { method: 'DELETE', headers: auth }),
    events: async (headers: Record<string, string> = {}) => {
      const controller = new AbortController();
      const res = await fetch(`${svc.url}/api/calls/events`, { headers: { ...auth, ...headers }, signal: controller.signal });
      return { res, sse: readSse(res), close: () => controller.abort() };
    },
  };
}

const isCall = (id: string, status?: string) => (m: SseMessage) =>
  m.event === 'call' && (JSON.parse(m.data ?? '{}') as { id: string; status: string }).id === id && (status === undefined || m.data?.includes(`"status":"${status}"`) === true);

test('when a call of mine is scheduled and canceled, then my stream sends each change as an event with an id', async (t) => {
  const { svc } = await boot(t);
  const me = await as(svc);
  const stream = await me.events();
  t.teardown(stream.close);
  t.is(stream.res.status, 200);
  t.regex(stream.res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const id = await me.schedule();
  const scheduled = await stream.sse.next(isCall(id, 'scheduled'));
  t.is(scheduled.id, String(T0));
  t.like(JSON.parse(scheduled.data ?? ''), { id, status: 'scheduled', timezone: 'UTC', at: '2026-11-21T19:00:00.000Z' });
  await me.cancel(id);
  t.like(JSON.parse((await stream.sse.next(isCall(id, 'canceled'))).data ?? ''), { id, status: 'canceled' });
});

test('when another account changes its calls, then my stream says nothing of them', async (t) => {
  const { svc, clock } = await boot(t);
  const me = await as(svc);
  const other = await as(svc);
  const stream = await me.events();
  t.teardown(stream.close);
  const theirs = await other.schedule('+12025550111');
  const mine = await me.schedule('+12025550122');
  await stream.sse.next(isCall(mine));
  // A later change of mine: once it is read, anything of theirs (older) would have been read before it.
  await clock.advance(1);
  await me.cancel(mine);
  await stream.sse.next(isCall(mine, 'canceled'));
  t.false(stream.sse.pending().some(isCall(theirs)));
  t.false(JSON.stringify(stream.sse.pending()).includes(theirs));
});

test('when a client reconnects with Last-Event-ID, then it gets the changes after that id and not the older ones', async (t) => {
  const { svc, clock } = await boot(t);
  const me = await as(svc);
  const old = await me.schedule('+12025550101');
  await clock.advance(60_000);
  const first = await me.events();
  const seenId = await me.schedule('+12025550103');
  const seen = await first.sse.next(isCall(seenId));
  t.is(seen.id, String(T0 + 60_000));
  first.close();
  await clock.advance(60_000);
  const missed = await me.schedule('+12025550102');
  const again = await me.events({ 'last-event-id': seen.id ?? '' });
  t.teardown(again.close);
  const got = await again.sse.next(isCall(missed));
  t.is(got.id, String(T0 + 120_000));
  t.false(again.sse.pending().some(isCall(old)), 'a change a minute before the resumed id is not sent again');
});

test('when nothing changes for 15 s, then the stream sends a comment heartbeat', async (t) => {
  const { svc, clock } = await boot(t);
  const me = await as(svc);
  const stream = await me.events();
  t.teardown(stream.close);
  await stream.sse.next((m) => m.event === undefined && m.comment === undefined); // the opening `retry:` line
  t.is(svc.deps.live.size, 1);
  await clock.advance(15_000);
  t.deepEqual(await stream.sse.next((m) => m.comment !== undefined), { comment: 'heartbeat' });
});

test('when another instance changes a call in the shared database, then my stream finds it at its next poll', async (t) => {
  const { svc, clock } = await boot(t, undefined);
  const me = await as(svc);
  const stream = await me.events();
  t.teardown(stream.close);
  // A second writer on the same database, not through this instance's store (so nothing rings here).
  const elsewhere = createStore(svc.deps.config.databaseUrl, ROOT_DIR);
  t.teardown(() => elsewhere.close());
  await elsewhere.insertCall({ id: 'from-b', to: '+12025550199', dueAt: T0 + 3_600_000, timeZone: 'Asia/Tokyo', message: null, createdAt: clock.now(), accountId: me.me.id });
  await clock.advance(1000);
  t.like(JSON.parse((await stream.sse.next(isCall('from-b'))).data ?? ''), { timezone: 'Asia/Tokyo', status: 'scheduled' });
});

test('when one account opens more streams than allowed, then the extra one is a 429 problem; without a token a 401', async (t) => {
  const { svc } = await boot(t);
  const me = await as(svc);
  const open: { close: () => void }[] = [];
  for (let i = 0; i < 8; i++) open.push(await me.events());
  t.teardown(() => open.forEach((s) => s.close()));
  const extra = await me.events();
  t.is(extra.res.status, 429);
  t.is(extra.res.headers.get('content-type'), 'application/problem+json');
  t.truthy(extra.res.headers.get('retry-after'));
  const anonymous = await fetch(`${svc.url}/api/calls/events`);
  t.is(anonymous.status, 401);
});

test('when the service stops, then open streams end and the stop does not wait for them', async (t) => {
  const { svc } = await boot(t);
  const me = await as(svc);
  const stream = await me.events();
  await svc.service.stop();
  // Read to the end: a stream left open would wait here for ever.
  await t.throwsAsync(stream.sse.next(() => false), { message: 'stream ended' });
  t.is(svc.deps.live.size, 0);
});
