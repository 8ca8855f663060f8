import test from 'ava';
import { endingFor } from '../../../src/calls/handle-event.ts';

const table: [unknown, string][] = [
  ['normal_clearing', 'completed'],
  ['user_busy', 'busy'],
  ['no_answer', 'no_answer'],
  ['timeout', 'no_answer'],
  ['call_rejected', 'failed'],
  ['unspecified', 'failed'],
  [undefined, 'failed'],
];
for (const [cause, status] of table) {
  test(`when the hangup cause is ${String(cause)}, then the call ends ${status}`, (t) => {
    const ending = endingFor(cause);
    t.is(ending.status, status as typeof ending.status);
    if (status === 'failed') t.regex(ending.reason ?? '', /^the call ended: /);
  });
}
