import test from 'ava';
import type { HungUp } from '../../../src/calls/carrier-event.ts';
import { endingFor } from '../../../src/calls/handle-event.ts';

const hungUp = (ending: HungUp['ending'], cause: string, sipCause: string | null = null): HungUp => ({ kind: 'hungUp', cause, ending, sipCause, source: 'callee' });

const table: [HungUp, boolean, string, RegExp | null][] = [
  [hungUp('normal', 'normal_clearing'), true, 'completed', null],
  [hungUp('normal', 'normal_clearing'), false, 'failed', /before it was answered: normal_clearing/],
  [hungUp('timeLimit', 'time_limit'), true, 'completed', /time limit/],
  [hungUp('timeLimit', 'time_limit'), false, 'failed', /time_limit/],
  [hungUp('busy', 'user_busy'), false, 'busy', /busy/],
  [hungUp('noAnswer', 'timeout'), false, 'no_answer', /nobody answered/],
  [hungUp('rejected', 'call_rejected'), false, 'failed', /^the call ended: call_rejected$/],
  [hungUp('other', 'unspecified', '403'), false, 'failed', /^the call ended: unspecified \(SIP 403\)$/],
];
for (const [event, answered, status, reason] of table) {
  test(`when the hangup is ${event.cause}${event.sipCause ? ` (SIP ${event.sipCause})` : ''} ${answered ? 'after' : 'before'} an answer, then the call ends ${status}`, (t) => {
    const ending = endingFor(event, answered);
    t.is(ending.status, status as typeof ending.status);
    if (reason) t.regex(ending.reason ?? '', reason);
    else t.is(ending.reason, null);
  });
}
