import test from 'ava';
import type { NewEvent } from '../../../src/calls/call-store.ts';
import { createWriteBatch as createTimelineBatch } from '../../../src/kernel/turn-batch.ts';

const row = (callId: string, name: string): NewEvent => ({ callId, at: 1, kind: 'webhook', name, detail: null });

/** A timeline whose writes finish when the test says so; it records each batch. */
function heldTimeline(refuse: (e: NewEvent) => boolean = () => false) {
  const written: string[] = [];
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  let called: (() => void) | undefined;
  const write = (events: readonly NewEvent[]) => {
    batches.push(events.map((e) => e.name));
    const next = called;
    called = undefined;
    next?.();
    return new Promise<void>((resolve, reject) => {
      pending.push(() => {
        if (events.some(refuse)) return reject(new Error('refused'));
        written.push(...events.map((e) => e.name));
        resolve();
      });
    });
  };
  const nextBatch = () => new Promise<void>((resolve) => (called = resolve));
  return { write, written, batches, pending, nextBatch };
}

const state = (p: Promise<void>) => {
  const s = { done: false, failed: false };
  void p.then(
    () => (s.done = true),
    () => Object.assign(s, { done: true, failed: true }),
  );
  return s;
};

test('when rows of several calls are appended in one turn, then they go in one write, in order, and none resolves before it commits', async (t) => {
  const timeline = heldTimeline();
  const append = createTimelineBatch(timeline.write);
  const asked = timeline.nextBatch();
  const results = [append(row('a', 'a1')), append(row('b', 'b1')), append(row('a', 'a2'))].map(state);
  await asked;
  t.deepEqual(timeline.batches, [['a1', 'b1', 'a2']]);
  await Promise.resolve();
  t.false(results.some((r) => r.done), 'resolved before the commit');
  timeline.pending.shift()?.();
  await new Promise((resolve) => setImmediate(resolve));
  t.true(results.every((r) => r.done && !r.failed));
  t.deepEqual(timeline.written, ['a1', 'b1', 'a2']);
});

test('when rows arrive while a write is in flight, then they wait for the next write and go together', async (t) => {
  const timeline = heldTimeline();
  const append = createTimelineBatch(timeline.write);
  let asked = timeline.nextBatch();
  const first = append(row('a', 'a1'));
  await asked;
  asked = timeline.nextBatch();
  const later = [append(row('b', 'b1')), append(row('c', 'c1'))];
  timeline.pending.shift()?.();
  await first;
  await asked;
  t.deepEqual(timeline.batches, [['a1'], ['b1', 'c1']]);
  timeline.pending.shift()?.();
  await Promise.all(later);
  t.deepEqual(timeline.written, ['a1', 'b1', 'c1']);
});

test('when the database refuses one row of a batch, then only that row fails and the others are written one by one', async (t) => {
  const timeline = heldTimeline((e) => e.name === 'bad');
  const append = createTimelineBatch(timeline.write);
  const results = [append(row('a', 'a1')), append(row('b', 'bad')), append(row('c', 'c1'))].map(state);
  // The batch, then each row alone: the write is answered as each is asked.
  for (let i = 0; i < 4; i++) {
    while (timeline.pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    timeline.pending.shift()?.();
  }
  while (!results.every((r) => r.done)) await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(timeline.batches, [['a1', 'bad', 'c1'], ['a1'], ['bad'], ['c1']]);
  t.deepEqual(
    results.map((r) => r.failed),
    [false, true, false],
  );
  t.deepEqual(timeline.written, ['a1', 'c1']);
});
