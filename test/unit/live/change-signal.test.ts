import test from 'ava';
import { createChangeSignal } from '../../../src/live/change-signal.ts';

test('when a change names its account, then only that account’s streams (and those listening to all) wake; a ring without one wakes every stream', (t) => {
  const signal = createChangeSignal();
  const woke: string[] = [];
  signal.listen(() => woke.push('a'), 'acct-a');
  const stopB = signal.listen(() => woke.push('b'), 'acct-b');
  signal.listen(() => woke.push('all'));
  signal.ring('acct-a');
  t.deepEqual(woke.splice(0), ['a', 'all']);
  signal.ring();
  t.deepEqual(woke.splice(0), ['a', 'b', 'all']);
  stopB();
  signal.ring('acct-b');
  t.deepEqual(woke.splice(0), ['all']);
});
