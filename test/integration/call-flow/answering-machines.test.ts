import test from 'ava';
import { MENU } from '../../../src/calls/call-flow.ts';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';

/** Where each step first appears in a timeline (-1: absent). */
const positions = (names: string[]) => (name: string) => names.indexOf(name);

test('when an answering machine picks up, then the message alone is spoken after its greeting ends, and answeredBy is machine', async (t) => {
  const { svc, account, placeNow, ended, simulator, timeline } = await bootWithSimulator(t);
  const id = await placeNow('+12025550700', 'The dentist moved your appointment to Tuesday.');
  const call = await ended(id);
  t.is(call.status, 'completed');
  t.is(call.answeredBy, 'machine');
  // A machine cannot press keys: no menu, just the message.
  t.deepEqual(simulator.spokenTo('+12025550700'), ['The dentist moved your appointment to Tuesday.']);
  const names = (await timeline(id)).map((e) => `${e.kind}:${e.name}`);
  const at = positions(names);
  const answered = at('webhook:call.answered');
  const detected = at('webhook:call.machine.detection.ended');
  const greeting = at('webhook:call.machine.greeting.ended');
  const speak = at('command:speak');
  const hangup = at('command:hangup');
  t.true(answered >= 0 && answered < detected, 'detection follows the answer');
  t.true(detected < greeting, 'the greeting ends after the detection');
  t.true(greeting < speak, 'the message waits for the greeting to end');
  t.true(speak < hangup, 'then the call is hung up');
  const [carrierCall] = simulator.calls().filter((c) => c.to === '+12025550700');
  t.is(carrierCall?.answeredBy, 'machine');
  // The API shows who answered.
  const json = (await (await fetch(`${svc.url}/api/calls/${id}`, { headers: account.headers })).json()) as { answeredBy?: string };
  t.is(json.answeredBy, 'machine');
  t.regex(await (await fetch(`${svc.url}/metrics`)).text(), /calls_answered_by_total\{by="machine"\} 1\n/);
});

test('when a person picks up, then the menu is spoken as soon as detection says human, without waiting for a greeting', async (t) => {
  const { placeNow, ended, timeline } = await bootWithSimulator(t);
  const id = await placeNow('+12025550123');
  const call = await ended(id);
  t.is(call.answeredBy, 'human');
  const names = (await timeline(id)).map((e) => `${e.kind}:${e.name}`);
  t.false(names.includes('webhook:call.machine.greeting.ended'));
  const at = positions(names);
  const detected = at('webhook:call.machine.detection.ended');
  const gather = at('command:gather');
  t.true(detected >= 0 && detected < gather);
});

test('when detection is off, then whoever answers hears the menu at once and answeredBy is unknown', async (t) => {
  const { placeNow, ended, simulator, timeline } = await bootWithSimulator(t, { config: { telnyx: { answeringMachineDetection: 'disabled' } } });
  const id = await placeNow('+12025550123', 'Hello there.');
  const call = await ended(id);
  t.is(call.status, 'completed');
  t.is(call.answeredBy, 'unknown');
  t.is(simulator.spokenTo('+12025550123')[0], `Hello there. ${MENU}`);
  const names = (await timeline(id)).map((e) => `${e.kind}:${e.name}`);
  t.false(names.some((n) => n.startsWith('webhook:call.machine.')));
  const dial = simulator.commands.find((c) => c.kind === 'dial');
  t.is(dial?.body.answering_machine_detection, 'disabled');
});

test('when detection is on, then the dial asks Telnyx for greeting_end detection', async (t) => {
  const { placeNow, ended, simulator } = await bootWithSimulator(t);
  await ended(await placeNow('+12025550123'));
  t.is(simulator.commands.find((c) => c.kind === 'dial')?.body.answering_machine_detection, 'greeting_end');
});

test('when detection does not report greetings (mode detect), then a machine hears the message as soon as it is detected', async (t) => {
  const { placeNow, ended, simulator, timeline } = await bootWithSimulator(t, { config: { telnyx: { answeringMachineDetection: 'detect' } } });
  const id = await placeNow('+12025550700', 'Your table is booked.');
  const call = await ended(id);
  t.is(call.answeredBy, 'machine');
  t.deepEqual(simulator.spokenTo('+12025550700'), ['Your table is booked.']);
  const at = positions((await timeline(id)).map((e) => `${e.kind}:${e.name}`));
  t.is(at('webhook:call.machine.greeting.ended'), -1);
  t.true(at('webhook:call.machine.detection.ended') < at('command:speak'));
});
