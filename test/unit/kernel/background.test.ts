import test from 'ava';
import { createAlarm, periodic, TaskSet, timeSlices } from '../../../src/kernel/background.ts';
import { KeyedChains } from '../../../src/kernel/keyed-chains.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';

test('when a periodic loop runs, then its first round is at once and each next one a period after the last ended, never overlapping', async (t) => {
  const clock = createManualClock(0);
  const starts: number[] = [];
  let finish!: () => void;
  const loop = periodic({
    clock,
    logger: createMemoryLogger().logger,
    what: 'a round',
    everyMs: 1000,
    round: () => {
      starts.push(clock.now());
      return new Promise<void>((resolve) => (finish = resolve));
    },
  });
  loop.start();
  t.deepEqual(starts, [0]);
  await clock.advance(5000); // the round is still under way: no second one starts
  t.deepEqual(starts, [0]);
  finish();
  await clock.advance(999);
  t.deepEqual(starts, [0]);
  await clock.advance(1);
  t.deepEqual(starts, [0, 6000]);
  finish();
  await loop.stop();
  await clock.advance(10_000);
  t.deepEqual(starts, [0, 6000]);
});

test('when a round asks for a sooner next round or fails, then the next comes that soon, and a failure is logged and the loop goes on', async (t) => {
  const clock = createManualClock(0);
  const memory = createMemoryLogger();
  const starts: number[] = [];
  const loop = periodic({
    clock,
    logger: memory.logger,
    what: 'the probe',
    everyMs: 1000,
    round: () => {
      starts.push(clock.now());
      if (starts.length === 1) return Promise.resolve(100);
      if (starts.length === 2) return Promise.reject(new Error('database gone'));
      return Promise.resolve();
    },
  });
  loop.start({ now: false });
  t.deepEqual(starts, []);
  await clock.advance(1000);
  t.deepEqual(starts, [1000]);
  await clock.advance(100);
  t.deepEqual(starts, [1000, 1100]);
  await memory.waitFor((line) => line.msg === 'the probe failed');
  await clock.advance(1000);
  t.deepEqual(starts, [1000, 1100, 2100]);
  await loop.stop();
});

test('when tasks fail, then the set logs them and whenIdle waits for every one, including those started meanwhile', async (t) => {
  const memory = createMemoryLogger();
  const tasks = new TaskSet(memory.logger, 'background work');
  const order: string[] = [];
  let release!: () => void;
  const first = new Promise<void>((resolve) => (release = resolve)).then(() => {
    order.push('first');
    void tasks.track(Promise.resolve().then(() => order.push('spawned')));
  });
  t.is(await tasks.track(Promise.reject(new Error('boom'))), undefined);
  void tasks.track(first);
  const idle = tasks.whenIdle().then(() => order.push('idle'));
  release();
  await idle;
  t.deepEqual(order, ['first', 'spawned', 'idle']);
  t.is(tasks.size, 0);
  await memory.waitFor((line) => line.msg === 'background work failed');
});

test('when an alarm is set again, then only the last instant fires; set to the same instant it is left as it is; cleared, it never fires', async (t) => {
  const clock = createManualClock(0);
  const fired: number[] = [];
  const alarm = createAlarm(clock, () => fired.push(clock.now()));
  alarm.set(500);
  alarm.set(300);
  alarm.set(300);
  t.true(alarm.armed);
  await clock.advance(1000);
  t.deepEqual(fired, [300]);
  t.false(alarm.armed);
  alarm.set(2000);
  alarm.clear();
  alarm.set(Infinity);
  await clock.advance(5000);
  t.deepEqual(fired, [300]);
});

test('when work is queued on keys, then each key keeps its order, keys run side by side up to the limit, and whenIdle waits for all', async (t) => {
  const log: string[] = [];
  let running = 0;
  let most = 0;
  const chains = new KeyedChains({
    parallel: 2,
    again: (chain) => chain.work.length > 0,
    pass: async (_key, chain) => {
      running += 1;
      most = Math.max(most, running);
      chain.dirty = false;
      for (let work = chain.work.shift(); work; work = chain.work.shift()) await work();
      running -= 1;
    },
  });
  // Each step says when it begins and waits to be let go, so the test decides every interleaving.
  const steps = new Map<string, { began: Promise<void>; begin: () => void; release: () => void; released: Promise<void> }>();
  for (const name of ['a1', 'a2', 'b1', 'c1']) {
    let begin!: () => void;
    let release!: () => void;
    const began = new Promise<void>((resolve) => (begin = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    steps.set(name, { began, begin, release, released });
  }
  const step = (key: string, name: string) =>
    chains.run(key, async () => {
      const s = steps.get(name)!;
      log.push(`${name} begins`);
      s.begin();
      await s.released;
      log.push(`${name} ends`);
      return name;
    });
  const results = [step('a', 'a1'), step('a', 'a2'), step('b', 'b1'), step('c', 'c1')];
  const idle = chains.whenIdle();
  await Promise.all([steps.get('a1')!.began, steps.get('b1')!.began]);
  steps.get('a1')!.release();
  await steps.get('a2')!.began; // a's chain goes on with its next step, still holding its turn
  t.false(log.includes('c1 begins'));
  steps.get('b1')!.release();
  await steps.get('c1')!.began; // b's turn passes to c
  steps.get('a2')!.release();
  steps.get('c1')!.release();
  t.deepEqual(await Promise.all(results), ['a1', 'a2', 'b1', 'c1']);
  await idle;
  t.true(log.indexOf('a1 ends') < log.indexOf('a2 begins'));
  t.is(most, 2);
  t.is(chains.size, 0);
});

test('when a round pauses between items, then it lets queued I/O and timers run once its slice is spent, and not before', async (t) => {
  const order: string[] = [];
  // A slice already spent (0 ms): the pause is a real turn of the event loop, so work queued before it runs first.
  const spent = timeSlices(0);
  t.true(spent.due());
  setImmediate(() => order.push('queued before the pause'));
  await spent.pause();
  order.push('after the pause');
  t.deepEqual(order, ['queued before the pause', 'after the pause']);

  // A slice that cannot be spent within the test: the pause resolves without giving the loop away.
  order.length = 0;
  const fresh = timeSlices(1_000_000);
  t.false(fresh.due());
  setImmediate(() => order.push('queued before the pause'));
  await fresh.pause();
  order.push('after the pause');
  t.deepEqual(order, ['after the pause']);
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(order, ['after the pause', 'queued before the pause']);
});
