import type { ExecutionContext } from 'ava';
import { GOODBYE, MENU } from '../../src/calls/call-flow.ts';
import { BUILTIN_JOKES } from '../../src/jokes/builtin-jokes.ts';
import type { bootWithSimulator } from './call-flow-harness.ts';

/**
 * The main scenario, shared by the SQLite and PostgreSQL runs: a person answers and presses nothing, and hears a
 * joke with the menu, then goodbye; the call completes with every step in its timeline, in order.
 */
export async function answeredCallScenario(t: ExecutionContext, booted: Awaited<ReturnType<typeof bootWithSimulator>>): Promise<void> {
  const { placeNow, ended, timeline, simulator } = booted;
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
  // The dial's answer and the carrier's first webhooks race (the simulator, like Telnyx, sends call.initiated as the
  // answer leaves): their order in the timeline is only fixed when the store writes synchronously, as SQLite does.
  t.true(steps.indexOf('command:dial.accepted') > steps.indexOf('command:dial'), 'command:dial.accepted after command:dial');
  // Forward only: the statuses appear in their one-way order.
  t.deepEqual(
    steps.filter((s) => s.startsWith('status:')),
    ['status:scheduled', 'status:dialing', 'status:ringing', 'status:in_progress', 'status:completed'],
  );
}
