import test from 'ava';
import { withDialRetries } from '../../../src/dialing/dial-retries.ts';
import { TelephonyError, type Telephony } from '../../../src/calls/carrier.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';

const policy = { baseMs: 100, capMs: 800, budgetMs: 5000 };

function retryingOver(dial: () => Promise<{ callControlId: string }>) {
  const clock = createManualClock(0);
  const inner: Telephony = {
    dial,
    speak: async () => {},
    gather: async () => {},
    hangup: async () => {},
    callStatus: () => Promise.resolve(undefined),
    activeCalls: () => Promise.resolve([]),
  };
  const telephony = withDialRetries(inner, { clock, random: () => 0, logger: createMemoryLogger().logger, policy });
  return { clock, telephony };
}

test('when a dial times out and its retry is refused 422 (a repeated command_id), then the outcome is unknown, not refused', async (t) => {
  let attempts = 0;
  const { clock, telephony } = retryingOver(async () => {
    attempts += 1;
    await Promise.resolve();
    if (attempts === 1) throw new TelephonyError('Telnyx did not answer in time', 'retryable', { outcomeUnknown: true });
    throw new TelephonyError('Invalid command_id: already used', 'permanent', { status: 422 });
  });
  const result = telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'k' });
  const settled = t.throwsAsync(result, { instanceOf: TelephonyError });
  await clock.advance(1000);
  const err = await settled;
  t.is(attempts, 2);
  t.true(err.outcomeUnknown);
  t.is(err.status, 422);
  t.regex(err.message, /^outcome unknown: an earlier attempt got no answer, then Invalid command_id/);
});

test('when every attempt of a dial is refused 429 until the budget ends, then the outcome is known: nothing was placed', async (t) => {
  const { clock, telephony } = retryingOver(async () => {
    await Promise.resolve();
    throw new TelephonyError('Too many requests', 'retryable', { status: 429, retryAfterMs: 2000 });
  });
  const settled = t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'k' }), { instanceOf: TelephonyError });
  await clock.advance(10_000);
  const err = await settled;
  t.false(err.outcomeUnknown);
  t.is(err.status, 429);
});

test('when a dial is refused outright, then the refusal is passed on unchanged', async (t) => {
  const { telephony } = retryingOver(() => Promise.reject(new TelephonyError('Invalid phone number', 'permanent', { status: 422 })));
  const err = await t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'k' }), { instanceOf: TelephonyError });
  t.false(err.outcomeUnknown);
  t.is(err.message, 'Invalid phone number');
});

test('when a dial would make its first attempt past its deadline, then nothing is sent and the outcome is unknown', async (t) => {
  let attempts = 0;
  const { clock, telephony } = retryingOver(async () => {
    attempts += 1;
    await Promise.resolve();
    return { callControlId: 'v3:late' };
  });
  // A dial recovered after a restart, which waited for its rate slot until after claim + window: an earlier attempt
  // may have placed the call, and a repeat past Telnyx's command_id window would place a second one.
  const err = await t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'k', deadline: clock.now() - 1 }), {
    instanceOf: TelephonyError,
  });
  t.is(attempts, 0);
  t.true(err.outcomeUnknown);
});

test('when a dial goes out long after its claim took its rate slot, then it takes a fresh slot first; a prompt one does not', async (t) => {
  const clock = createManualClock(10_000);
  const slots: number[] = [];
  const sent: number[] = [];
  const telephony = withDialRetries(
    {
      dial: async () => {
        sent.push(clock.now());
        await Promise.resolve();
        return { callControlId: 'v3:x' };
      },
    } as unknown as Telephony,
    {
      clock,
      random: () => 0,
      logger: createMemoryLogger().logger,
      policy,
      dialRate: { acquire: () => Promise.resolve(void slots.push(clock.now())) },
      staleSlotMs: 50,
    },
  );
  // The claim's slot was stamped 40 ms ago: close enough to the carrier's count, no second slot.
  await telephony.dial({ callId: 'a', to: '+12025550123', commandId: 'ka', slotAt: clock.now() - 40 });
  t.deepEqual(slots, []);
  // A stalled process sends 400 ms after its slot: counted then, it could crowd another second at the carrier.
  await telephony.dial({ callId: 'b', to: '+12025550123', commandId: 'kb', slotAt: clock.now() - 400 });
  t.deepEqual(slots, [10_000]);
  t.is(sent.length, 2);
});
