import test from 'ava';
import type { Call } from '../../../../src/calls/call.ts';
import { callView, groupOf, pickLocale, relative } from '../../../../src/http/pages/call-view.ts';
import { formatNumber, outcomeWords } from '../../../../src/http/pages/call-words.ts';
import { resolveZoneInput, zoneLabel } from '../../../../src/http/pages/zone-options.ts';
import { duration, timelineView } from '../../../../src/http/pages/timeline-words.ts';

const NOW = Date.parse('2026-11-21T22:00:00Z'); // 23:00 in Berlin, 11:00 next day in Auckland
const berlin = { zone: 'Europe/Berlin', locale: 'en-GB', now: NOW };
const call = (patch: Partial<Call> = {}): Call => ({
  id: 'c1',
  to: '+12025550123',
  dueAt: NOW + 3 * 60_000,
  timeZone: 'Europe/Berlin',
  message: null,
  status: 'scheduled',
  reason: null,
  attempt: 0,
  createdAt: NOW,
  updatedAt: NOW,
  claimedAt: null,
  latenessMs: null,
  callControlId: null,
  endedAt: null,
  answeredBy: null,
  scheduleId: null,
  occurrenceAt: null,
  retryOf: null,
  tryNumber: 1,
  triesTotal: 1,
  retryAfterMinutes: null,
  retryOnFailed: false,
  ...patch,
});

test('when a call is shown, then the viewer’s time leads and the callee’s follows only when their clock differs', (t) => {
  const same = callView(call(), berlin);
  t.is(same.when, 'Sat 21 Nov, 23:03');
  t.is(same.relative, 'in 3 minutes');
  t.is(same.calleeWhen, null);
  t.is(same.to, '+1 202 555 0123');
  const auckland = callView(call({ timeZone: 'Pacific/Auckland' }), berlin);
  t.is(auckland.calleeWhen, 'Sun 22 Nov, 11:03 in Auckland');
  // 12-hour clocks where the locale uses them.
  t.is(callView(call(), { ...berlin, locale: 'en-US' }).when, 'Sat, Nov 21, 11:03 PM');
});

test('when a scheduled call is past its time, then it says it waits for a free line and sits under Now', (t) => {
  const waiting = callView(call({ dueAt: NOW - 5000 }), berlin);
  t.true(waiting.waiting);
  t.is(waiting.statusWord, 'Waiting for a free line');
  t.is(waiting.outcome, 'Due now: waiting for a free line.');
  t.is(groupOf(call({ dueAt: NOW - 5000 }), berlin), 'Now');
  t.is(groupOf(call({ dueAt: NOW + 3_600_000 }), berlin), 'Tomorrow'); // 00:00 in Berlin
  t.is(groupOf(call({ dueAt: NOW + 30 * 60_000 }), berlin), 'Today');
  t.is(groupOf(call({ dueAt: NOW + 3 * 86_400_000 }), berlin), 'Later');
  t.is(groupOf(call({ status: 'ringing' }), berlin), 'Now');
  t.is(groupOf(call({ status: 'busy' }), berlin), 'Recent');
});

test('when a call ended, then the outcome is in words and a raw carrier cause never shows', (t) => {
  t.is(outcomeWords(call({ status: 'failed', reason: 'the call ended before it was answered: call_rejected (sip 603)' }), NOW), 'The call could not be connected: the phone rejected the call.');
  t.is(outcomeWords(call({ status: 'failed', reason: 'the call ended: some_new_cause' }), NOW), 'The call could not be connected.');
  t.is(outcomeWords(call({ status: 'completed', answeredBy: 'machine', message: 'hi' }), NOW), 'Answered by a machine, which recorded your message.');
  t.is(outcomeWords(call({ status: 'canceled', reason: 'canceled by the person' }), NOW), 'You canceled it.');
  t.is(formatNumber('+442079460000'), '+44 20 7946 0000');
});

test('when a timeline is told, then technical entries are left out, times have seconds, and steps carry the gap since the one before (the dial: its due time)', (t) => {
  const at = (s: number) => NOW + s * 1000;
  const steps = timelineView(
    call({ status: 'completed', answeredBy: 'human', dueAt: at(168) }),
    [
      { id: 1, callId: 'c1', at: at(0), kind: 'status', name: 'scheduled', detail: null },
      { id: 2, callId: 'c1', at: at(180), kind: 'status', name: 'dialing', detail: { from: 'scheduled', latenessMs: 12_000 } },
      { id: 3, callId: 'c1', at: at(180), kind: 'command', name: 'dial', detail: null },
      { id: 4, callId: 'c1', at: at(185), kind: 'status', name: 'ringing', detail: null },
      { id: 5, callId: 'c1', at: at(190), kind: 'status', name: 'in_progress', detail: null },
      { id: 6, callId: 'c1', at: at(260), kind: 'webhook', name: 'call.hangup', detail: { hangupCause: 'normal_clearing', hangupSource: 'caller' } },
      { id: 7, callId: 'c1', at: at(260), kind: 'status', name: 'completed', detail: null },
    ],
    berlin,
  );
  t.deepEqual(
    steps.map((s) => [s.at, s.text, s.after]),
    [
      ['23:00:00', 'Scheduled', null],
      ['23:03:00', 'Dialed 12 s after its time', 'due 23:02:48'],
      ['23:03:05', 'Ringing', '+5 s'],
      ['23:03:10', 'Answered by a person', '+5 s'],
      ['23:04:20', 'Ended: answered; they heard a joke.', '+1 min 10 s'],
    ],
  );
  t.is(duration(3_725_000), '1 h 2 min');
});

test('when the callee pressed 1 then 9, then the timeline says each prompt, each key and what it did, in order', (t) => {
  const at = (ms: number) => NOW + ms;
  const menu = 'Press 1 for another joke. Press 9 to stop calls to this number.';
  const steps = timelineView(
    call({ status: 'completed', answeredBy: 'human', dueAt: at(0) }),
    [
      { id: 1, callId: 'c1', at: at(300), kind: 'status', name: 'dialing', detail: { latenessMs: 300 } },
      { id: 2, callId: 'c1', at: at(2_000), kind: 'status', name: 'ringing', detail: null },
      { id: 3, callId: 'c1', at: at(6_000), kind: 'status', name: 'in_progress', detail: null },
      { id: 4, callId: 'c1', at: at(8_500), kind: 'webhook', name: 'call.machine.detection.ended', detail: { result: 'human' } },
      { id: 5, callId: 'c1', at: at(8_600), kind: 'command', name: 'gather', detail: { step: 'menu-1', source: 'joke', text: `Joke one. ${menu}` } },
      { id: 6, callId: 'c1', at: at(20_000), kind: 'webhook', name: 'call.dtmf.received', detail: {} },
      { id: 7, callId: 'c1', at: at(20_100), kind: 'webhook', name: 'call.gather.ended', detail: { status: 'valid', digits: '1' } },
      { id: 8, callId: 'c1', at: at(20_200), kind: 'command', name: 'gather', detail: { step: 'menu-2', source: 'joke', text: `Joke two. ${menu}` } },
      { id: 9, callId: 'c1', at: at(31_000), kind: 'webhook', name: 'call.gather.ended', detail: { status: 'valid', digits: '9' } },
      { id: 10, callId: 'c1', at: at(31_100), kind: 'note', name: 'do-not-call', detail: { scheduledCallsCanceled: 1, schedulesEnded: 0 } },
      { id: 11, callId: 'c1', at: at(31_200), kind: 'command', name: 'speak', detail: { step: 'opted-out', source: 'opted-out', text: 'This number will not be called again. Goodbye.' } },
      { id: 12, callId: 'c1', at: at(35_000), kind: 'webhook', name: 'call.speak.ended', detail: {} },
      { id: 13, callId: 'c1', at: at(35_100), kind: 'command', name: 'hangup', detail: { step: 'hangup-last-words' } },
      { id: 14, callId: 'c1', at: at(35_300), kind: 'status', name: 'completed', detail: null },
    ],
    berlin,
  );
  t.deepEqual(
    steps.map((s) => [s.text, s.quote, s.after]),
    [
      ['Dialed on time', null, 'due 23:00:00'],
      ['Ringing', null, '+2 s'],
      ['Answered', null, '+4 s'],
      ['Answering-machine check: a person', null, '+3 s'],
      ['Told a joke, then the menu: press 1 for another joke, 9 to stop calls', 'Joke one.', '+0 s'],
      ['Pressed 1: another joke', null, '+12 s'],
      ['Told another joke, then the menu: press 1 for another joke, 9 to stop calls', 'Joke two.', '+0 s'],
      ['Pressed 9: stop calls to this number', null, '+11 s'],
      ['The number is on the do-not-call list now (1 scheduled call canceled)', null, '+0 s'],
      ['Confirmed by voice that the number will not be called again', 'This number will not be called again. Goodbye.', '+0 s'],
      ['Finished speaking', null, '+4 s'],
      ['Hung up after the last words', null, '+0 s'],
      ['Ended: answered; they heard a joke.', null, '+0 s'],
    ],
  );
});

test('when a finished call was paused away or its zone has a legacy name, then the page says so in current words', (t) => {
  const paused = callView(call({ status: 'canceled', reason: 'the schedule was paused', dueAt: NOW + 12 * 3_600_000, endedAt: NOW }), berlin);
  t.is(paused.statusWord, 'Paused');
  t.is(paused.relative, 'was due in 12 hours');
  t.regex(paused.outcome, /^Not made: its schedule is paused/);
  t.truthy(paused.ended);
  const kolkata = callView(call({ timeZone: 'Asia/Calcutta' }), berlin);
  t.regex(kolkata.callZone, /^Kolkata \(UTC\+5:30\)$/);
  t.regex(kolkata.calleeWhen ?? '', /in Kolkata$/);
});

test('when a zone is typed, then a city or an alias finds it, a made-up one does not; labels carry the current offset', (t) => {
  t.is(resolveZoneInput('auckland'), 'Pacific/Auckland');
  t.is(resolveZoneInput('New York (UTC−5)'), 'America/New_York');
  t.is(resolveZoneInput('US/Eastern'), 'America/New_York');
  t.is(resolveZoneInput('Atlantis'), undefined);
  t.is(zoneLabel('Asia/Kolkata', NOW), 'Kolkata (UTC+5:30)');
  t.is(zoneLabel('America/New_York', NOW), 'New York (UTC−5)');
  t.is(pickLocale(['*', 'not a tag!', 'de-DE']), 'de-DE');
  t.is(relative(NOW - 2 * 3_600_000, berlin), '2 hours ago');
});

test('when a call is a retry of a schedule’s occurrence, then it says which try it is and links its schedule’s own page', (t) => {
  const retry = callView(call({ scheduleId: 's 1', tryNumber: 2, triesTotal: 3, retryOf: 'c0' }), berlin);
  t.is(retry.attempt, 'attempt 2 of 3');
  t.is(retry.scheduleUrl, '/schedules/s%201');
  const single = callView(call(), berlin);
  t.is(single.attempt, null);
  t.is(single.scheduleUrl, null);
});
