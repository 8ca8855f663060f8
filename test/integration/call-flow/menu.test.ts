import test from 'ava';
import { GOODBYE, LAST_JOKE, MENU, OPTED_OUT } from '../../../src/calls/call-flow.ts';
import { BUILTIN_JOKES } from '../../../src/jokes/builtin-jokes.ts';
import { signInPage } from '../../helpers/accounts.ts';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';

const withMenu = (text: string | undefined) => text?.endsWith(` ${MENU}`) === true && BUILTIN_JOKES.includes(text.slice(0, -MENU.length - 1));

test('when the person presses 1 once, then another joke with the menu, then goodbye at the silence, and the call completes', async (t) => {
  const { svc, placeNow, ended, simulator, timeline } = await bootWithSimulator(t);
  const id = await placeNow('+12025550901');
  t.is((await ended(id)).status, 'completed');
  const spoken = simulator.spokenTo('+12025550901');
  t.is(spoken.length, 3);
  t.true(withMenu(spoken[0]));
  t.true(withMenu(spoken[1]));
  t.is(spoken[2], GOODBYE);
  const steps = (await timeline(id)).filter((e) => e.kind === 'command' && e.name !== 'dial' && e.name !== 'dial.accepted').map((e) => e.detail?.step);
  t.deepEqual(steps, ['menu-1', 'menu-2', 'goodbye', 'hangup-last-words']);
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  t.regex(metrics, /call_menu_choices_total\{choice="another_joke"\} 1\n/);
  t.regex(metrics, /call_menu_choices_total\{choice="nothing"\} 1\n/);
  t.regex(metrics, /calls_answered_by_total\{by="human"\} 1\n/);
});

test('when the person presses 1 at every menu, then at most 3 jokes are told, then the last-joke goodbye', async (t) => {
  const { placeNow, ended, simulator } = await bootWithSimulator(t);
  const id = await placeNow('+12025550911');
  t.is((await ended(id)).status, 'completed');
  const spoken = simulator.spokenTo('+12025550911');
  t.is(spoken.length, 4);
  t.true(spoken.slice(0, 3).every(withMenu));
  t.is(spoken[3], LAST_JOKE);
  const [call] = simulator.calls().filter((c) => c.to === '+12025550911');
  t.deepEqual(call?.digitsPressed, ['1', '1', '1']);
});

test('when the person presses 9, then the number goes on the do-not-call list, confirmed by voice, and the call hangs up', async (t) => {
  const { svc, placeNow, ended, simulator, timeline } = await bootWithSimulator(t);
  const id = await placeNow('+12025550909', 'Your parcel is at the door.');
  t.is((await ended(id)).status, 'completed');
  t.deepEqual(simulator.spokenTo('+12025550909'), [`Your parcel is at the door. ${MENU}`, OPTED_OUT]);
  t.like(await svc.deps.store.getDoNotCall('+12025550909'), { number: '+12025550909', callId: id });
  const events = await timeline(id);
  t.true(events.some((e) => e.kind === 'note' && e.name === 'do-not-call'));
  t.true(events.some((e) => e.kind === 'command' && e.name === 'hangup'));
});

test('when a number pressed 9, then scheduling it again is refused 422 naming `to`, from the API and from the page', async (t) => {
  const { svc, account, placeNow, ended } = await bootWithSimulator(t);
  await ended(await placeNow('+12025550909'));
  const at = new Date(svc.deps.clock.now() + 3_600_000).toISOString();
  const api = await fetch(`${svc.url}/api/calls`, {
    method: 'POST',
    headers: account.headers,
    // Written another way: the check is on the E.164 number, not the text typed.
    body: JSON.stringify({ to: '+1 (202) 555-0909', at }),
  });
  t.is(api.status, 422);
  t.is(api.headers.get('content-type'), 'application/problem+json');
  const problem = (await api.json()) as { type: string; detail: string; errors: { path: string; message: string }[] };
  t.is(problem.type, '/problems/opted-out');
  t.deepEqual(problem.errors.map((e) => e.path), ['to']);
  t.regex(problem.errors[0]?.message ?? '', /asked not to be called again/);
  const local = new Date(svc.deps.clock.now() + 3_600_000);
  const form = new URLSearchParams({
    to: '+12025550909',
    date: local.toISOString().slice(0, 10),
    time: local.toISOString().slice(11, 16),
    timezone: 'UTC',
    message: '',
  });
  const page = await (await signInPage(svc.deps, svc.url, account)).post('/calls', Object.fromEntries(form));
  t.is(page.status, 422);
  t.regex(await page.text(), /asked not to be called again/);
  // Another number is still welcome.
  const other = await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: account.headers, body: JSON.stringify({ to: '+12025550123', at }) });
  t.is(other.status, 201);
});

test('when a number presses 9 while another call to it is already scheduled, then that call is canceled at once and never dialed', async (t) => {
  const { svc, account, placeNow, ended, waitFor, simulator } = await bootWithSimulator(t);
  // Scheduled before the opt-out, due a minute later: never due during the test, however slow the machine, so only
  // the opt-out can end it. The opt-out cancels it at once; had it been missed, the claim would refuse it (see the
  // store contract).
  const res = await fetch(`${svc.url}/api/calls`, {
    method: 'POST',
    headers: account.headers,
    body: JSON.stringify({ to: '+12025550909', at: new Date(svc.deps.clock.now() + 60_000).toISOString() }),
  });
  t.is(res.status, 201);
  const later = ((await res.json()) as { id: string }).id;
  const optOut = await placeNow('+12025550909');
  await ended(optOut);
  t.truthy(await svc.deps.store.getDoNotCall('+12025550909'));
  const note = (await svc.deps.store.listEvents(optOut)).find((e) => e.name === 'do-not-call');
  t.like(note?.detail, { scheduledCallsCanceled: 1 });
  const call = await waitFor(later, (c) => c.status !== 'scheduled');
  t.is(call.status, 'canceled');
  t.regex(call.reason ?? '', /asked not to be called again/);
  t.is(simulator.placedCount(Buffer.from(later).toString('base64')), 0);
  t.is(simulator.calls().filter((c) => c.to === '+12025550909').length, 1);
});

test('when the person presses 1 and then 9, then a second joke, then the opt-out', async (t) => {
  const { svc, placeNow, ended, simulator } = await bootWithSimulator(t);
  const id = await placeNow('+12025550919');
  t.is((await ended(id)).status, 'completed');
  const spoken = simulator.spokenTo('+12025550919');
  t.is(spoken.length, 3);
  t.true(withMenu(spoken[1]));
  t.is(spoken[2], OPTED_OUT);
  t.truthy(await svc.deps.store.getDoNotCall('+12025550919'));
});
