import test from 'ava';
import { createGroupCommit } from '../../../src/inbox/group-commit.ts';
import type { InboxEvent } from '../../../src/inbox/inbox-store.ts';
import { DomainError, ErrorCode } from '../../../src/kernel/errors.ts';

const event = (eventId: string): InboxEvent => ({ eventId, callId: 'c', callControlId: null, eventType: 'call.answered', occurredAt: 1, payload: {}, receivedAt: 1 });

/** An inbox whose commits finish when the test says so; it records each batch and stores ids like the real ones. */
function heldInbox() {
  const stored = new Set<string>();
  const batches: string[][] = [];
  const pending: { finish: (err?: Error) => void }[] = [];
  let called: (() => void) | undefined;
  const inbox = {
    insertInboxBatch(events: readonly InboxEvent[]) {
      batches.push(events.map((e) => e.eventId));
      called?.();
      return new Promise<Set<string>>((resolve, reject) => {
        pending.push({
          finish: (err) => {
            if (err) return reject(err);
            const fresh = new Set(events.map((e) => e.eventId).filter((id) => !stored.has(id)));
            for (const id of fresh) stored.add(id);
            resolve(fresh);
          },
        });
      });
    },
  };
  /** Resolves when the next batch reaches the inbox. */
  const nextBatch = () => new Promise<void>((resolve) => (called = resolve));
  return { inbox, stored, batches, pending, nextBatch };
}

const settled = <T>(p: Promise<T>) => {
  const state = { done: false, value: undefined as T | undefined };
  void p.then((v) => Object.assign(state, { done: true, value: v }), () => Object.assign(state, { done: true }));
  return state;
};

test('when webhooks arrive together, then they share one commit and none is answered before it', async (t) => {
  const h = heldInbox();
  const store = createGroupCommit(h.inbox, { maxBatch: 100, maxWaiting: 1000 });
  const started = h.nextBatch();
  const results = ['a', 'b', 'c'].map((id) => store(event(id)));
  const states = results.map(settled);
  await started;
  t.deepEqual(h.batches, [['a', 'b', 'c']]);
  await new Promise((resolve) => setImmediate(resolve));
  t.false(states.some((s) => s.done), 'answered before the commit');
  h.pending[0]?.finish();
  t.deepEqual(await Promise.all(results), [true, true, true]);
});

test('when webhooks arrive while a commit is under way, then they form the next batch, committed after it', async (t) => {
  const h = heldInbox();
  const store = createGroupCommit(h.inbox, { maxBatch: 100, maxWaiting: 1000 });
  let started = h.nextBatch();
  const first = store(event('a'));
  await started;
  started = h.nextBatch();
  const later = ['b', 'c', 'd'].map((id) => store(event(id)));
  t.is(h.batches.length, 1, 'no second commit while the first is in flight');
  h.pending[0]?.finish();
  t.true(await first);
  await started;
  t.deepEqual(h.batches, [['a'], ['b', 'c', 'd']]);
  h.pending[1]?.finish();
  t.deepEqual(await Promise.all(later), [true, true, true]);
});

test('when one event id comes twice in a batch, or again later, then it is stored once and only the first is new', async (t) => {
  const h = heldInbox();
  const store = createGroupCommit(h.inbox, { maxBatch: 100, maxWaiting: 1000 });
  let started = h.nextBatch();
  const results = [store(event('x')), store(event('y')), store(event('x'))];
  await started;
  t.deepEqual(h.batches, [['x', 'y']]);
  h.pending[0]?.finish();
  t.deepEqual(await Promise.all(results), [true, true, false]);
  started = h.nextBatch();
  const again = store(event('x'));
  await started;
  h.pending[1]?.finish();
  t.false(await again);
  t.deepEqual([...h.stored], ['x', 'y']);
});

test('when a batch commit fails, then each event is committed alone and only the one refused fails', async (t) => {
  const stored: string[] = [];
  const store = createGroupCommit(
    {
      insertInboxBatch(events) {
        if (events.some((e) => e.eventId === 'bad')) return Promise.reject(new Error('refused'));
        for (const e of events) stored.push(e.eventId);
        return Promise.resolve(new Set(events.map((e) => e.eventId)));
      },
    },
    { maxBatch: 100, maxWaiting: 1000 },
  );
  const [ok1, bad, ok2] = [store(event('ok-1')), store(event('bad')), store(event('ok-2'))];
  t.true(await ok1);
  await t.throwsAsync(bad, { message: 'refused' });
  t.true(await ok2);
  t.deepEqual(stored, ['ok-1', 'ok-2']);
});

test('when more arrive than a batch holds, then they go in batches of at most maxBatch, in order', async (t) => {
  const batches: string[][] = [];
  const store = createGroupCommit(
    {
      insertInboxBatch(events) {
        batches.push(events.map((e) => e.eventId));
        return Promise.resolve(new Set(events.map((e) => e.eventId)));
      },
    },
    { maxBatch: 2, maxWaiting: 1000 },
  );
  t.deepEqual(await Promise.all(['1', '2', '3', '4', '5'].map((id) => store(event(id)))), [true, true, true, true, true]);
  t.deepEqual(batches, [['1', '2'], ['3', '4'], ['5']]);
});

test('when too many webhooks wait for a commit, then the next is refused as unavailable and the waiting ones are kept', async (t) => {
  const h = heldInbox();
  const store = createGroupCommit(h.inbox, { maxBatch: 2, maxWaiting: 2 });
  const started = h.nextBatch();
  const kept = [store(event('a')), store(event('b'))];
  const err = await t.throwsAsync(store(event('c')), { instanceOf: DomainError });
  t.is(err?.code, ErrorCode.unavailable);
  await started;
  h.pending[0]?.finish();
  t.deepEqual(await Promise.all(kept), [true, true]);
});
