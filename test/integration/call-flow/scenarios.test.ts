import test from 'ava';
import { GOODBYE, MENU } from '../../../src/calls/call-flow.ts';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';
import { answeredCallScenario } from '../../helpers/answered-call-scenario.ts';

test('when a person answers and presses nothing, then a joke with the menu, goodbye, hangup, completed, every step in the timeline', async (t) => {
  await answeredCallScenario(t, await bootWithSimulator(t));
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
