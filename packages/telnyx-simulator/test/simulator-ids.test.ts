import test from 'ava';
import { createIdSource } from '../simulator-ids.ts';
import { startFixture } from './simulator-fixture.ts';

const V1 = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('when time UUIDs are made, then they are version 1, carry the time, share one node and never repeat', (t) => {
  const ids = createIdSource(Math.random);
  const at = Date.UTC(2020, 2, 30, 13, 29, 42);
  const first = ids.timeUuid(at);
  const second = ids.timeUuid(at);
  t.regex(first, V1);
  t.not(first, second);
  t.is(first.slice(-12), second.slice(-12));
  // Reassemble the 60-bit timestamp: 100-ns ticks since 1582-10-15.
  const [low = '', mid = '', high = ''] = first.split('-');
  const ticks = BigInt(`0x${high.slice(1)}${mid}${low}`);
  t.is(Number(ticks / 10_000n - 12_219_292_800_000n), at);
});

test('when a call is dialed, then its ids have the shapes of Telnyx examples', async (t) => {
  const { dial } = await startFixture(t);
  const { callControlId, data } = await dial('+15551239001');
  t.regex(callControlId, /^v3:[A-Za-z0-9_-]{54}$/);
  t.regex(String(data.call_leg_id), V1);
  t.regex(String(data.call_session_id), V1);
  t.not(data.call_leg_id, data.call_session_id);
});
