import test from 'ava';
import { parseTelnyxWebhook, timelineDetail, toCarrierEvent } from '../../../src/telnyx/telnyx-events.ts';
import { ValidationError } from '../../../src/kernel/errors.ts';

const ev = (eventType: string, payload: Record<string, unknown> = {}) => toCarrierEvent({ eventType, payload });

test('when Telnyx reports the call steps, then each maps to our own kind', (t) => {
  t.deepEqual(ev('call.initiated'), { kind: 'initiated' });
  t.deepEqual(ev('call.answered'), { kind: 'answered' });
  t.deepEqual(ev('call.machine.greeting.ended', { result: 'beep_detected' }), { kind: 'greetingEnded' });
  t.deepEqual(ev('call.machine.premium.greeting.ended', { result: 'no_beep_detected' }), { kind: 'greetingEnded' });
  t.deepEqual(ev('call.bridged'), { kind: 'other' });
});

const detections: [string, string, string, string][] = [
  ['call.machine.detection.ended', 'human', 'human', 'person'],
  ['call.machine.detection.ended', 'machine', 'machine', 'machine'],
  ['call.machine.detection.ended', 'not_sure', 'unknown', 'unsure'],
  ['call.machine.premium.detection.ended', 'human_residence', 'human', 'person'],
  ['call.machine.premium.detection.ended', 'human_business', 'human', 'person'],
  ['call.machine.premium.detection.ended', 'machine', 'machine', 'machine'],
  ['call.machine.premium.detection.ended', 'fax_detected', 'machine', 'fax'],
  ['call.machine.premium.detection.ended', 'silence', 'unknown', 'silence'],
  ['call.machine.premium.detection.ended', 'not_sure', 'unknown', 'unsure'],
];
for (const [type, result, answeredBy, heard] of detections) {
  test(`when ${type} says ${result}, then the call was answered by ${answeredBy} (heard: ${heard})`, (t) => {
    t.deepEqual(ev(type, { result }), { kind: 'machineDetected', answeredBy, heard });
  });
}

test('when a speech ends, then completed, cut short by a hangup and cancelled are told apart', (t) => {
  t.deepEqual(ev('call.speak.ended', { status: 'completed' }), { kind: 'speechEnded', how: 'completed' });
  t.deepEqual(ev('call.speak.ended', { status: 'call_hangup' }), { kind: 'speechEnded', how: 'hangup' });
  t.deepEqual(ev('call.speak.ended', { status: 'cancelled_amd' }), { kind: 'speechEnded', how: 'cancelledByDetection' });
  t.deepEqual(ev('call.speak.ended', { status: 'cancelled' }), { kind: 'speechEnded', how: 'cancelled' });
});

test('when a gather ends, then the digits and a status of our own arrive', (t) => {
  t.deepEqual(ev('call.gather.ended', { digits: '9', status: 'valid' }), { kind: 'digitsGathered', digits: '9', status: 'valid' });
  t.deepEqual(ev('call.gather.ended', { digits: '5', status: 'invalid' }), { kind: 'digitsGathered', digits: '5', status: 'invalid' });
  t.deepEqual(ev('call.gather.ended', { status: 'timeout' }), { kind: 'digitsGathered', digits: '', status: 'timeout' });
  t.deepEqual(ev('call.gather.ended', { digits: '', status: 'call_hangup' }), { kind: 'digitsGathered', digits: '', status: 'hangup' });
  t.deepEqual(ev('call.gather.ended', { status: 'cancelled_amd' }), { kind: 'digitsGathered', digits: '', status: 'cancelledByDetection' });
  t.deepEqual(ev('call.gather.ended', { status: 'cancelled' }), { kind: 'digitsGathered', digits: '', status: 'cancelled' });
});

const hangups: [Record<string, unknown>, string, string | null][] = [
  [{ hangup_cause: 'normal_clearing', sip_hangup_cause: '200' }, 'normal', '200'],
  [{ hangup_cause: 'user_busy', sip_hangup_cause: '486' }, 'busy', '486'],
  [{ hangup_cause: 'timeout' }, 'noAnswer', null],
  [{ hangup_cause: 'no_answer' }, 'noAnswer', null],
  [{ hangup_cause: 'time_limit' }, 'timeLimit', null],
  [{ hangup_cause: 'call_rejected', sip_hangup_cause: '603' }, 'rejected', '603'],
  [{ hangup_cause: 'originator_cancel' }, 'canceled', null],
  [{ hangup_cause: 'not_found', sip_hangup_cause: '404' }, 'notFound', '404'],
  [{ hangup_cause: 'unspecified', sip_hangup_cause: '403' }, 'other', '403'],
  [{ hangup_cause: 'unspecified', sip_hangup_cause: 'unspecified' }, 'other', null],
];
for (const [payload, ending, sipCause] of hangups) {
  test(`when the hangup cause is ${String(payload.hangup_cause)} with SIP ${String(payload.sip_hangup_cause)}, then the ending is ${ending}`, (t) => {
    t.like(ev('call.hangup', { ...payload, hangup_source: 'callee' }), { kind: 'hungUp', cause: payload.hangup_cause, ending, sipCause, source: 'callee' });
  });
}

test('when a hangup names no cause, then it is unspecified with an unknown source', (t) => {
  t.deepEqual(ev('call.hangup'), { kind: 'hungUp', cause: 'unspecified', ending: 'other', sipCause: null, source: 'unknown' });
});

test('when a webhook envelope is read, then our call id comes from client_state and the time from occurred_at', (t) => {
  const event = parseTelnyxWebhook(
    {
      data: {
        id: 'ev-1',
        event_type: 'call.answered',
        occurred_at: '2026-01-02T03:04:05.000Z',
        payload: { call_control_id: 'v3:cc', client_state: Buffer.from('call-7').toString('base64') },
      },
    },
    42,
  );
  t.like(event, { eventId: 'ev-1', callId: 'call-7', callControlId: 'v3:cc', eventType: 'call.answered', occurredAt: Date.parse('2026-01-02T03:04:05.000Z'), receivedAt: 42 });
});

test('when a webhook is not a Telnyx event, then a validation error names the fields', (t) => {
  const err = t.throws(() => parseTelnyxWebhook({ data: { id: 'x' } }, 0), { instanceOf: ValidationError });
  t.true(err.errors.some((e) => e.path === 'data.event_type'));
});

test('when an event is kept in the timeline, then only its causes, results and digits are, in our casing', (t) => {
  t.deepEqual(timelineDetail({ payload: { hangup_cause: 'user_busy', sip_hangup_cause: '486', to: '+12025550123', from: '+1' } }), {
    hangupCause: 'user_busy',
    sipHangupCause: '486',
  });
});
