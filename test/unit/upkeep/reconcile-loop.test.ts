import test from 'ava';
import { ENDED_SLACK_MS, type ReconcileReport, type Reconciler } from '../../../src/upkeep/reconciler.ts';
import { ReconcileLoop } from '../../../src/upkeep/reconcile-loop.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';

const quiet: ReconcileReport = { checked: 0, ended: 0, answered: 0, nudged: 0, hungUp: 0, unknownFailed: 0, found: 0, errors: 0, pendingEnds: 0 };

/** A reconciler that records when it ran and answers each round with the next planned report. */
function scripted(clock: { now(): number }, reports: Partial<ReconcileReport>[]) {
  const rounds: number[] = [];
  const reconciler: Reconciler = {
    reconcile: () => {
      rounds.push(clock.now());
      return Promise.resolve({ ...quiet, ...reports.shift() });
    },
  };
  return { reconciler, rounds };
}

test('when started, then a round runs at once and then every interval on the injected clock, until stopped', async (t) => {
  const clock = createManualClock(0);
  const { reconciler, rounds } = scripted(clock, []);
  const loop = new ReconcileLoop({ reconciler, clock, logger: createMemoryLogger().logger, intervalMs: 5000 });
  loop.start();
  await clock.advance(12_000);
  t.deepEqual(rounds, [0, 5000, 10_000]);
  await loop.stop();
  await clock.advance(10_000);
  t.is(rounds.length, 3);
  t.is(clock.pending(), 0);
});

test('when a round saw calls ended at the carrier, then the next round comes after their grace, not a whole interval', async (t) => {
  const clock = createManualClock(0);
  const { reconciler, rounds } = scripted(clock, [{ pendingEnds: 2 }]);
  const loop = new ReconcileLoop({ reconciler, clock, logger: createMemoryLogger().logger, intervalMs: 600_000 });
  loop.start();
  await clock.advance(ENDED_SLACK_MS + 100);
  t.deepEqual(rounds, [0, ENDED_SLACK_MS + 100]);
  await loop.stop();
});

test('when a round fails, then the loop logs it and carries on', async (t) => {
  const clock = createManualClock(0);
  let calls = 0;
  const memory = createMemoryLogger();
  const reconciler: Reconciler = {
    reconcile: () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('database is locked')) : Promise.resolve(quiet);
    },
  };
  const loop = new ReconcileLoop({ reconciler, clock, logger: memory.logger, intervalMs: 1000 });
  loop.start();
  await clock.advance(1000);
  t.is(calls, 2);
  t.true(memory.lines.some((line) => line.msg === 'reconciling calls with the carrier failed'));
  await loop.stop();
});
