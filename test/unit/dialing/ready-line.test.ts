import test from 'ava';
import type { DueEntry } from '../../../src/calls/call-store.ts';
import { createDueWindow } from '../../../src/dialing/due-window.ts';
import { ReadyLine } from '../../../src/dialing/ready-line.ts';

const entry = (id: string, dueAt: number): DueEntry => ({ id, dueAt });

test('when a claimed batch is taken out of the ready line, from the head and from the middle, then only those calls leave it and a taken call may come back once', (t) => {
  const line = new ReadyLine();
  for (const [id, due] of [['d', 4], ['a', 1], ['c', 3], ['b', 2], ['e', 5]] as const) line.add(entry(id, due));
  line.removeAll(['a', 'c', 'e', 'zz']);
  t.is(line.length, 2);
  t.deepEqual([...line.ids].sort(), ['b', 'd']);
  line.add(entry('c', 3));
  line.add(entry('b', 2));
  t.is(line.length, 3, 'b was still waiting: added once');
  line.removeAll(['b']);
  line.removeAll(['c']);
  line.removeAll(['d']);
  t.is(line.length, 0);
});

test('when a claimed batch is taken out of the due window, then only those calls leave it and the first is the earliest left', (t) => {
  const window = createDueWindow(10);
  window.load([entry('a', 1), entry('b', 2), entry('c', 3), entry('d', 4)]);
  window.removeAll(['a', 'c', 'x']);
  t.is(window.size, 2);
  t.deepEqual(window.takeDue(10), [entry('b', 2), entry('d', 4)]);
  window.removeAll(['b']);
  t.is(window.size, 0);
});
