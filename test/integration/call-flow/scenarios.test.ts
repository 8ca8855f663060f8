import test from 'ava';
import { GOODBYE, MENU } from '../../../src/calls/call-flow.ts';
import { BUILTIN_JOKES } from '../../../src/jokes/builtin-jokes.ts';
import { bootWithSimulator } from './harness.ts';

test('when a person answers and presses nothing, then a joke with the menu, goodbye, hangup, completed, every step in the timeline', async (t) => {
  const { placeNow, ended, timeline, simulator } = await bootWithSimulator(t);
  const id = await placeNow('+12025550123');
  const call = await ended(id);
  t.is(call.status, 'completed');
  t.is(call.reason, null);
  t.is(call.answeredBy, 'human');
  const spoken = simulator.spokenTo('+12025550123');
  t.is(spoken.length, 2);
  t.true(spoken[0]?.endsWith(` ${MENU}`));
  t.true(BUILTIN_JOKES.includes(spoken[0]?.slice(0, -MENU.length - 1) ?? ''));
  t.is(spoken[1], GOODBYE);
  const steps = (await timeline(id)).map((e) => `${e.kind}:${e.name}`);
  const expected = [
    'status:scheduled',
    'status:dialing',
    'command:dial',
    'command:dial.accepted',
    'webhook:call.initiated',
    'status:ringing',
    'webhook:call.answered',
    'status:in_progress',
    'webhook:call.machine.detection.ended',
    'command:gather',
    'webhook:call.gather.ended',
    'command:speak',
    'webhook:call.speak.ended',
    'command:hangup',
    'webhook:call.hangup',
    'status:completed',
  ];
  // Each step is there, in this order (other entries, such as call.speak.started, may come between).
  let at = -1;
  for (const step of expected) {
    const next = steps.indexOf(step, at + 1);
    t.true(next > at, `${step} after ${expected[expected.indexOf(step) - 1] ?? 'the start'}`);
    at = Math.max(at, next);
  }
  // Forward only: the statuses appear in their one-way order.
  t.deepEqual(
    steps.filter((s) => s.startsWith('status:')),
    ['status:scheduled', 'status:dialing', 'status:ringing', 'status:in_progress', 'status:completed'],
  );
});

test('when the call has a message, then the message is spoken instead of a joke, followed by the menu', async (t) => {
  const { placeNow, ended, simulator, timeline } = await bootWithSimulator(t);
  const id = await placeNow('+12025550124', 'Dinner is at eight. Bring the good cheese.');
  t.is((await ended(id)).status, 'completed');
  t.deepEqual(simulator.spokenTo('+12025550124'), [`Dinner is at eight. Bring the good cheese. ${MENU}`, GOODBYE]);
  const first = (await timeline(id)).find((e) => e.kind === 'command' && e.name === 'gather');
  t.like(first?.detail, { text: `Dinner is at eight. Bring the good cheese. ${MENU}`, source: 'message', step: 'menu-1' });
});

const endings: [string, string, string, RegExp | null][] = [
  ['busy', '+12025550486', 'busy', /busy/],
  ['no answer', '+12025550408', 'no_answer', /nobody answered/],
  ['rejected', '+12025550603', 'failed', /call_rejected/],
];
for (const [name, to, status, reason] of endings) {
  test(`when the callee is ${name}, then the call ends ${status} and nothing is spoken`, async (t) => {
    const { placeNow, ended, simulator } = await bootWithSimulator(t);
    const call = await ended(await placeNow(to));
    t.is(call.status, status as typeof call.status);
    if (reason) t.regex(call.reason ?? '', reason);
    t.deepEqual(simulator.spokenTo(to), []);
  });
}

test('when the carrier answers the dial with a 5xx, then it is retried with the same command id and the call completes', async (t) => {
  const { placeNow, ended, simulator } = await bootWithSimulator(t);
  const id = await placeNow('+12025550500');
  t.is((await ended(id)).status, 'completed');
  const dials = simulator.commands.filter((c) => c.kind === 'dial');
  t.is(dials.length, 2);
  t.is(dials[0]?.status, 500);
  t.is(dials[1]?.status, 200);
  t.is(dials[0]?.commandId, dials[1]?.commandId);
  t.is(simulator.calls().length, 1);
});

test('when the carrier answers the dial with 429, then it waits, retries and the call completes', async (t) => {
  const { placeNow, ended, simulator } = await bootWithSimulator(t);
  const id = await placeNow('+12025550429');
  t.is((await ended(id)).status, 'completed');
  const dials = simulator.commands.filter((c) => c.kind === 'dial');
  t.deepEqual(dials.map((d) => d.status), [429, 200]);
  // Telnyx's Retry-After (1 s) is honoured.
  t.true((dials[1]?.at ?? 0) - (dials[0]?.at ?? 0) >= 1000);
});

test('when the carrier refuses the destination (4xx), then the call ends failed with Telnyx’s reason, tried once', async (t) => {
  const { placeNow, ended, simulator } = await bootWithSimulator(t);
  const call = await ended(await placeNow('+12025550422'));
  t.is(call.status, 'failed');
  t.regex(call.reason ?? '', /^dial failed: Invalid phone number/);
  t.is(simulator.commands.filter((c) => c.kind === 'dial').length, 1);
});
