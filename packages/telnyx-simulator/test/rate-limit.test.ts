import test from 'ava';
import { RateLimitError } from 'telnyx';
import type { TelnyxErrorBody } from '../index.ts';
import { createManualClock } from './manual-clock.ts';
import { startFixture } from './simulator-fixture.ts';

const BODY = { connection_id: 'conn-1', from: '+15550000000', webhook_url: 'http://127.0.0.1:9/hook' };

test('when dials are admitted, then each answer carries x-ratelimit headers for the 5 s window', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, client } = await startFixture(t, { clock, dialsPerSecond: 1, answerDelayMs: 60_000 });
  const remaining: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { response } = await client.calls.dial({ ...BODY, to: `+1555123900${i}` }).withResponse();
    t.is(response.headers.get('x-ratelimit-limit'), '5');
    t.is(response.headers.get('x-ratelimit-reset'), '5');
    remaining.push(response.headers.get('x-ratelimit-remaining') ?? '');
    await simulator.whenWebhooksSettled();
    await clock.advance(100);
  }
  t.deepEqual(remaining, ['4', '3', '2', '1', '0']);
});

test('when the window is full, then the dial gets 429 with code, headers and Retry-After until the oldest dial leaves it', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, client } = await startFixture(t, { clock, dialsPerSecond: 1, answerDelayMs: 60_000 });
  for (let i = 0; i < 5; i++) await client.calls.dial({ ...BODY, to: `+1555124900${i}` });
  await simulator.whenWebhooksSettled();
  await clock.advance(3200);
  const error = await t.throwsAsync(client.calls.dial({ ...BODY, to: '+15551249009' }), { instanceOf: RateLimitError });
  t.deepEqual((error?.error as TelnyxErrorBody).errors[0], {
    code: '90103',
    title: 'Too many requests',
    detail: 'Dial rate limit exceeded: at most 5 dials per 5 s.',
  });
  t.is(error?.headers.get('x-ratelimit-limit'), '5');
  t.is(error?.headers.get('x-ratelimit-remaining'), '0');
  // The oldest dial leaves the window 1.8 s from now: rounded up to whole seconds.
  t.is(error?.headers.get('x-ratelimit-reset'), '2');
  t.is(error?.headers.get('retry-after'), '2');
  await clock.advance(1799);
  await t.throwsAsync(client.calls.dial({ ...BODY, to: '+15551249009' }), { instanceOf: RateLimitError });
  await clock.advance(1);
  await t.notThrowsAsync(client.calls.dial({ ...BODY, to: '+15551249009' }));
  t.like(simulator.stats, { callsPlaced: 6, rateLimited: 2 });
});

test('when rateLimitErrorCode is set, then refusals carry that code', async (t) => {
  const { client } = await startFixture(t, { dialsPerSecond: 0.2, rateLimitErrorCode: '90103' });
  await client.calls.dial({ ...BODY, to: '+15551250001' });
  const error = await t.throwsAsync(client.calls.dial({ ...BODY, to: '+15551250002' }), { instanceOf: RateLimitError });
  t.is((error?.error as TelnyxErrorBody).errors[0]?.code, '90103');
});
