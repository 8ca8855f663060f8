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

test('when a timeline is told, then technical entries are left out and steps carry the gap since the one before', (t) => {
  const at = (s: number) => NOW + s * 1000;
  const steps = timelineView(
    call({ status: 'completed', answeredBy: 'human' }),
    [
      { id: 1, callId: 'c1', at: at(0), kind: 'status', name: 'scheduled', detail: null },
      { id: 2, callId: 'c1', at: at(180), kind: 'status', name: 'dialing', detail: { from: 'scheduled', latenessMs: 12_000 } },
      { id: 3, callId: 'c1', at: at(180), kind: 'command', name: 'dial', detail: null },
      { id: 4, callId: 'c1', at: at(185), kind: 'status', name: 'ringing', detail: null },
      { id: 5, callId: 'c1', at: at(190), kind: 'status', name: 'in_progress', detail: null },
      { id: 6, callId: 'c1', at: at(260), kind: 'webhook', name: 'call.hangup', detail: { cause: 'normal_clearing' } },
    ],
    berlin,
  );
  t.deepEqual(
    steps.map((s) => [s.text, s.after]),
    [
      ['Scheduled', null],
      ['Dialed, 12 s after its time', '3 min'],
      ['Ringing', '5 s'],
      ['Answered by a person', '5 s'],
      ['Hung up', '1 min 10 s'],
    ],
  );
  t.is(duration(3_725_000), '1 h 2 min');
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

test('when a call is a retry of a schedule’s occurrence, then it says which try it is and links its schedule’s row', (t) => {
  const retry = callView(call({ scheduleId: 's 1', tryNumber: 2, triesTotal: 3, retryOf: 'c0' }), berlin);
  t.is(retry.attempt, 'attempt 2 of 3');
  t.is(retry.scheduleUrl, '/schedules#schedule-s%201');
  const single = callView(call(), berlin);
  t.is(single.attempt, null);
  t.is(single.scheduleUrl, null);
});
