import test from 'ava';
import { StreamSlots } from '../../../src/live/stream-slots.ts';

/** Opens streams as `admit` allows, ending the evicted one; returns what each open got. */
function opener(slots: StreamSlots<null>) {
  let n = 0;
  return (accountId: string): 'open' | 'refused' | `open, evicted ${string}` => {
    const admission = slots.admit(accountId);
    if (!admission.ok) return 'refused';
    const evicted = admission.evict ? slots.remove(admission.evict) : undefined;
    slots.add(`s${++n}`, accountId, null);
    return evicted ? `open, evicted ${evicted.accountId}` : 'open';
  };
}

test('when slots are free, then anyone gets one', (t) => {
  const slots = new StreamSlots<null>(3);
  const open = opener(slots);
  t.deepEqual(['a', 'a', 'b'].map(open), ['open', 'open', 'open']);
  t.is(slots.countOf('a'), 2);
});

test('when the slots are full, then a newcomer takes the oldest stream of the account holding the most', (t) => {
  const slots = new StreamSlots<null>(5);
  const open = opener(slots);
  for (const who of ['a', 'b', 'b', 'a', 'b']) open(who);
  t.is(open('c'), 'open, evicted b');
  // b's oldest (s2) went; its newer ones stay.
  t.deepEqual(slots.ids(), ['s1', 's3', 's4', 's5', 's6']);
});

test('when the largest holders are tied, then the one whose oldest stream is oldest gives one up', (t) => {
  const slots = new StreamSlots<null>(4);
  const open = opener(slots);
  for (const who of ['b', 'a', 'a', 'b']) open(who);
  t.is(open('c'), 'open, evicted b');
  t.deepEqual(slots.ids(), ['s2', 's3', 's4', 's5']);
});

test('when no account holds two more than the newcomer, then it is refused, so two accounts never take turns evicting each other', (t) => {
  const slots = new StreamSlots<null>(4);
  const open = opener(slots);
  for (const who of ['a', 'a', 'b', 'c']) open(who);
  t.is(open('d'), 'open, evicted a');
  // Now every holder has one: the evicted account's reconnect, or anyone's second, is refused.
  t.is(open('a'), 'refused');
  t.is(open('b'), 'refused');
  t.is(open('e'), 'refused');
});

test('when 65 accounts each want 8 of 500 slots, then a bystander still gets its first stream', (t) => {
  const slots = new StreamSlots<null>(500);
  const open = opener(slots);
  for (let a = 0; a < 65; a++) for (let i = 0; i < 8; i++) open(`attacker-${a}`);
  t.is(slots.size, 500);
  t.regex(open('bystander'), /^open, evicted attacker-/);
  t.is(slots.countOf('bystander'), 1);
});

test('when a stream is removed twice, then the second time is nothing and counts stay right', (t) => {
  const slots = new StreamSlots<null>(2);
  slots.add('x', 'a', null);
  t.truthy(slots.remove('x'));
  t.is(slots.remove('x'), undefined);
  t.is(slots.countOf('a'), 0);
  t.is(slots.size, 0);
});
