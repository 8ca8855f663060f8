import test, { type ExecutionContext } from 'ava';
import { MENU } from '../../../src/calls/call-flow.ts';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';

const MESSAGE = 'Your parcel arrives on Friday.';
/** The simulator's far ends (see its README): a person, a machine that beeps, one that never does, a fax. */
const PERSON = '+12025550123';
const MACHINE = '+12025550700';
const BEEPLESS = '+12025550701';
const FAX = '+12025550329';

const MODES = ['detect', 'detect_beep', 'detect_words', 'greeting_end', 'premium'] as const;
/** Modes in which Telnyx reports a greeting's end only when it hears a beep. */
const BEEP_ONLY = new Set(['detect_beep', 'premium']);

async function boot(t: ExecutionContext, mode: (typeof MODES)[number]) {
  // A short bounded wait; the reconciler (every 10 min in tests) plays no part.
  return bootWithSimulator(t, { config: { telnyx: { answeringMachineDetection: mode, greetingWaitSecs: 1 } } });
}

const names = async (h: Awaited<ReturnType<typeof boot>>, id: string) => (await h.timeline(id)).map((e) => `${e.kind}:${e.name}`);

for (const mode of MODES) {
  test(`when detection is ${mode}, then a person hears the menu, a machine with a beep and one without hear the message${mode === 'premium' ? ', and a fax hears nothing' : ''}`, async (t) => {
    const h = await boot(t, mode);
    const person = await h.placeNow(PERSON, MESSAGE);
    const machine = await h.placeNow(MACHINE, MESSAGE);
    const beepless = await h.placeNow(BEEPLESS, MESSAGE);
    const fax = mode === 'premium' ? await h.placeNow(FAX, MESSAGE) : undefined;

    const [p, m, b] = await Promise.all([h.ended(person), h.ended(machine), h.ended(beepless)]);
    t.is(p.answeredBy, 'human');
    t.is(h.simulator.spokenTo(PERSON)[0], `${MESSAGE} ${MENU}`);

    t.is(m.answeredBy, 'machine');
    t.deepEqual(h.simulator.spokenTo(MACHINE), [MESSAGE]);
    const machineSteps = await names(h, machine);
    if (mode === 'detect') t.false(machineSteps.includes('note:greeting.waiting'));
    else t.true(machineSteps.indexOf('command:speak') > machineSteps.findIndex((n) => n.startsWith('webhook:call.machine') && n.endsWith('greeting.ended')));
    t.false(machineSteps.includes('note:greeting.not-heard'), 'a beep ends the wait before its bound');

    // A machine that never beeps hears the message all the same: after the greeting's end where the mode reports
    // it without a beep, after the bounded wait where it does not (said so in the timeline), at once in `detect`.
    t.is(b.answeredBy, 'machine');
    t.deepEqual(h.simulator.spokenTo(BEEPLESS), [MESSAGE]);
    const beeplessSteps = await names(h, beepless);
    t.is(beeplessSteps.includes('note:greeting.not-heard'), BEEP_ONLY.has(mode));
    if (BEEP_ONLY.has(mode)) t.true(beeplessSteps.indexOf('note:greeting.not-heard') < beeplessSteps.indexOf('command:speak'));
    t.deepEqual(h.simulator.answeredNeverSpoken().filter((c) => c.to !== FAX), []);

    if (fax) {
      const f = await h.ended(fax);
      t.is(f.status, 'completed');
      t.deepEqual(h.simulator.spokenTo(FAX), []);
      const faxSteps = await names(h, fax);
      t.true(faxSteps.includes('note:fax'));
      t.true(faxSteps.includes('command:hangup'));
    }
  });
}

test('when premium detection hears silence or a person at a business, then the menu is spoken at once (whoever is there may press a key)', async (t) => {
  const h = await boot(t, 'premium');
  const silence = await h.placeNow('+12025550702', MESSAGE);
  const business = await h.placeNow('+12025550703', MESSAGE);
  const [s, b] = await Promise.all([h.ended(silence), h.ended(business)]);
  t.is(s.answeredBy, 'unknown');
  t.is(b.answeredBy, 'human');
  t.is(h.simulator.spokenTo('+12025550702')[0], `${MESSAGE} ${MENU}`);
  t.is(h.simulator.spokenTo('+12025550703')[0], `${MESSAGE} ${MENU}`);
  const results = (await h.timeline(silence)).filter((e) => e.name === 'call.machine.premium.detection.ended').map((e) => e.detail?.result);
  t.deepEqual(results, ['silence']);
});

test('when the carrier cancels the first words as detection finishes (cancelled_amd), then they are said again, not left in silence', async (t) => {
  // Detection reports 3 s after the answer; a nudge (the reconciler's, played here at once) speaks first, and the
  // prompt (90 characters at 60 ms) still plays when detection ends and cancels it.
  const h = await bootWithSimulator(t, {
    simulator: { amdDelayMs: 3000, speakMsPerChar: 60 },
    config: { telnyx: { answeringMachineDetection: 'detect', menuTimeoutMs: 20 } },
  });
  const id = await h.placeNow(PERSON, MESSAGE);
  await h.waitFor(id, (c) => c.status === 'in_progress');
  t.true(await h.svc.deps.inboxWorker.serialise(id, () => h.svc.deps.callFlow.nudge(id)));
  const call = await h.ended(id);
  t.is(call.status, 'completed');
  const [carrierCall] = h.simulator.calls().filter((c) => c.to === PERSON);
  t.true(carrierCall?.events.includes('call.gather.ended'));
  const timeline = await h.timeline(id);
  const gatherEnds = timeline.filter((e) => e.name === 'call.gather.ended').map((e) => e.detail?.status);
  t.is(gatherEnds[0], 'cancelled_amd');
  t.true(timeline.some((e) => e.kind === 'note' && e.name === 'speech.cancelled-by-detection'));
  // The same words twice (the first play was cut off), then the goodbye.
  const spoken = h.simulator.spokenTo(PERSON);
  t.is(spoken[0], `${MESSAGE} ${MENU}`);
  t.is(spoken[1], `${MESSAGE} ${MENU}`);
  t.is(new Set(h.simulator.commands.filter((c) => c.kind === 'gather').map((c) => c.commandId)).size, 2);
});
