import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createTelnyxTelephony, MAX_ACTIVE_PAGES, retryDelayMs } from '../../../src/telnyx/telnyx-telephony.ts';
import { TelephonyError } from '../../../src/calls/carrier.ts';

// Telnyx failures the simulator does not produce (proxy pages, dropped connections, silence) are played by nock.
const API = 'https://api.telnyx.test';

function adapter(requestTimeoutMs = 2000) {
  return createTelnyxTelephony({
    apiKey: 'KEY_TEST',
    baseUrl: () => `${API}/v2`,
    connectionId: 'conn-1',
    fromNumber: '+12025550100',
    webhookUrl: () => 'https://example.test/webhook',
    voice: 'AWS.Polly.Joanna-Neural',
    language: 'en-US',
    ringTimeoutSecs: 30,
    timeLimitSecs: 300,
    webhookRetriesMs: [],
    answeringMachineDetection: 'greeting_end',
    requestTimeoutMs,
  });
}

test.afterEach.always(() => nock.cleanAll());

test.serial('when dialing, then the SDK sends our connection, caller id, client state, command id, webhook URL and ring timeout', async (t) => {
  let sent: Record<string, unknown> = {};
  const scope = nock(API)
    .post('/v2/calls', (body: Record<string, unknown>) => {
      sent = body;
      return true;
    })
    .matchHeader('authorization', 'Bearer KEY_TEST')
    .reply(200, { data: { call_control_id: 'v3:abc', call_leg_id: 'leg', call_session_id: 'sess', record_type: 'call' } });
  const result = await adapter().dial({ callId: 'call-42', to: '+12025550123', commandId: 'cmd-1' });
  t.true(scope.isDone());
  t.deepEqual(result, { callControlId: 'v3:abc', callLegId: 'leg', callSessionId: 'sess' });
  t.deepEqual(sent, {
    connection_id: 'conn-1',
    from: '+12025550100',
    to: '+12025550123',
    client_state: Buffer.from('call-42').toString('base64'),
    command_id: 'cmd-1',
    timeout_secs: 30,
    time_limit_secs: 300,
    answering_machine_detection: 'greeting_end',
    webhook_url: 'https://example.test/webhook',
  });
});

test.serial('when a proxy answers 502 with an HTML page, then the error is retryable with the status', async (t) => {
  nock(API).post('/v2/calls').reply(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' });
  const err = await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  t.is(err.kind, 'retryable');
  t.is(err.status, 502);
});

test.serial('when the connection drops, then the error is retryable', async (t) => {
  nock(API).post('/v2/calls').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
  const err = await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  // The SDK reports a dropped fetch as a connection error (it may call it a timeout): either way, try again.
  t.is(err.kind, 'retryable');
  t.is(err.status, undefined);
});

test.serial('when Telnyx does not answer within the request timeout, then the error is a retryable timeout', async (t) => {
  // nock's delay does not honour fetch's abort signal, so a real loopback server that never answers plays this one.
  const held: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => held.push(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const res of held) res.destroy();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const telephony = createTelnyxTelephony({
    apiKey: 'KEY_TEST',
    baseUrl: () => `http://127.0.0.1:${port}/v2`,
    connectionId: 'conn-1',
    fromNumber: '+12025550100',
    webhookUrl: () => undefined,
    voice: 'v',
    language: 'en-US',
    ringTimeoutSecs: 30,
    timeLimitSecs: 300,
    webhookRetriesMs: [],
    answeringMachineDetection: 'disabled',
    requestTimeoutMs: 50,
  });
  const err = await t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  t.is(err.kind, 'retryable');
  t.is(err.message, 'Telnyx did not answer in time');
});

test.serial('when speaking to a call that already ended, then the error is permanent with Telnyx’s words', async (t) => {
  nock(API)
    .post('/v2/calls/v3:abc/actions/speak')
    .reply(422, { errors: [{ code: '90018', title: 'Call has already ended', detail: 'This call is no longer active and can\'t receive commands.' }] });
  const err = await t.throwsAsync(adapter().speak('v3:abc', 'hello', 'cmd'), { instanceOf: TelephonyError });
  t.is(err.kind, 'permanent');
  t.is(err.status, 422);
  t.is(err.code, '90018');
  t.regex(err.message, /^Call has already ended: This call is no longer active/);
});

test.serial('when Telnyx says 429 with Retry-After, then the error is retryable and carries the wait', async (t) => {
  nock(API).post('/v2/calls/v3:abc/actions/hangup').reply(429, { errors: [{ code: '10011', title: 'Too many requests' }] }, { 'retry-after': '2' });
  const err = await t.throwsAsync(adapter().hangup('v3:abc', 'cmd'), { instanceOf: TelephonyError });
  t.is(err.kind, 'retryable');
  t.is(err.retryAfterMs, 2000);
});

test.serial('when Telnyx answers 408, then the error is retryable and the outcome unknown', async (t) => {
  nock(API).post('/v2/calls').reply(408, { errors: [{ code: '10007', title: 'Request timeout' }] });
  const err = await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  t.is(err.kind, 'retryable');
  t.true(err.outcomeUnknown);
});

test.serial('when Telnyx answers 500 after the dial was sent, then it is retried but the outcome is unknown', async (t) => {
  nock(API).post('/v2/calls').reply(500, { errors: [{ code: '10007', title: 'Unexpected error' }] });
  const err = await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  t.is(err.kind, 'retryable');
  t.true(err.outcomeUnknown);
});

test.serial('when Telnyx refuses with 422, then the error is a refusal whose outcome is known', async (t) => {
  nock(API).post('/v2/calls').reply(422, { errors: [{ code: '10002', title: 'Invalid phone number', detail: 'The destination number is invalid' }] });
  const err = await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  t.is(err.kind, 'permanent');
  t.false(err.outcomeUnknown);
  t.is(err.message, 'Invalid phone number: The destination number is invalid');
});

test.serial('when Telnyx answers 200 without a call id, then the dial is not retried and its outcome is unknown', async (t) => {
  nock(API).post('/v2/calls').reply(200, { data: { record_type: 'call', is_alive: false } });
  const err = await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  t.is(err.kind, 'permanent');
  t.true(err.outcomeUnknown);
});

test.serial('when Telnyx rate-limits with its x-ratelimit headers, then the retry waits until the window resets', async (t) => {
  nock(API)
    .post('/v2/calls')
    .reply(429, { errors: [{ code: '90103', title: 'Too many requests' }] }, { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' });
  const err = await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  t.is(err.kind, 'retryable');
  t.false(err.outcomeUnknown);
  t.is(err.code, '90103');
  t.is(err.retryAfterMs, 3000);
});

test('when Retry-After is longer than the ratelimit reset, then the longer wait wins; with quota left the reset is ignored', (t) => {
  t.is(retryDelayMs(new Headers({ 'retry-after': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' })), 5000);
  t.is(retryDelayMs(new Headers({ 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': '2' })), undefined);
  const now = Date.UTC(2026, 10, 22, 6);
  t.is(retryDelayMs(new Headers({ 'retry-after': new Date(now + 7000).toUTCString() }), now), 7000);
});

test.serial('when the connection is refused, then the error is retryable and the carrier cannot have acted', async (t) => {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  nock.enableNetConnect('127.0.0.1');
  const telephony = createTelnyxTelephony({
    apiKey: 'KEY_TEST',
    baseUrl: () => `http://127.0.0.1:${port}/v2`,
    connectionId: 'conn-1',
    fromNumber: '+12025550100',
    webhookUrl: () => undefined,
    voice: 'AWS.Polly.Joanna-Neural',
    language: 'en-US',
    ringTimeoutSecs: 30,
    timeLimitSecs: 300,
    webhookRetriesMs: [],
    answeringMachineDetection: 'disabled',
    requestTimeoutMs: 2000,
  });
  const err = await t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'x' }), { instanceOf: TelephonyError });
  t.is(err.kind, 'retryable');
  t.false(err.outcomeUnknown);
});

test.serial('when asking for a call Telnyx no longer knows, then its status is undefined; a live one reads alive with our call id', async (t) => {
  nock(API).get('/v2/calls/v3:gone').reply(404, { errors: [{ code: '10005', title: 'Resource not found' }] });
  nock(API)
    .get('/v2/calls/v3:live')
    .reply(200, { data: { call_control_id: 'v3:live', call_leg_id: 'l', call_session_id: 's', is_alive: true, record_type: 'call', call_duration: 12, client_state: Buffer.from('call-7').toString('base64') } });
  t.is(await adapter().callStatus('v3:gone'), undefined);
  t.deepEqual(await adapter().callStatus('v3:live'), { callControlId: 'v3:live', alive: true, ended: false, callId: 'call-7', durationSecs: 12 });
});

test.serial('when listing active calls over two pages, then the cursor is followed and every call on the connection is returned with our call ids', async (t) => {
  const entry = (id: string, state: string) => ({ call_control_id: id, call_duration: 1, call_leg_id: 'l', call_session_id: 's', client_state: state, record_type: 'call' });
  const scope = nock(API)
    .get('/v2/connections/conn-1/active_calls')
    .query((q) => q['page[limit]'] === '250' && q['page[after]'] === undefined)
    .reply(200, { data: [entry('v3:a', Buffer.from('call-a').toString('base64'))], meta: { cursors: { after: 'c1' } } })
    .get('/v2/connections/conn-1/active_calls')
    .query((q) => q['page[limit]'] === '250' && q['page[after]'] === 'c1')
    .reply(200, { data: [entry('v3:b', 'not ours!')], meta: { cursors: { before: 'c0' } } });
  const calls = await adapter().activeCalls();
  t.deepEqual(
    calls.map((c) => [c.callControlId, c.callId]),
    [
      ['v3:a', 'call-a'],
      ['v3:b', undefined],
    ],
  );
  t.true(scope.isDone());
});

test.serial('when the active calls page gives its own cursor again or an empty page, then the listing stops there', async (t) => {
  const entry = { call_control_id: 'v3:a', call_duration: 1, call_leg_id: 'l', call_session_id: 's', record_type: 'call' };
  let requests = 0;
  nock(API)
    .get('/v2/connections/conn-1/active_calls')
    .query(true)
    .times(5)
    .reply(() => {
      requests += 1;
      return [200, { data: [entry], meta: { cursors: { after: 'same' } } }];
    });
  t.deepEqual((await adapter().activeCalls()).map((c) => c.callControlId), ['v3:a']);
  t.is(requests, 2);
  nock.cleanAll();
  nock(API).get('/v2/connections/conn-1/active_calls').query(true).reply(200, { data: [], meta: { cursors: { after: 'more' } } });
  t.deepEqual(await adapter().activeCalls(), []);
});

test.serial('when the active calls never end, then the listing stops at its cap of requests and fails rather than return a partial list', async (t) => {
  let requests = 0;
  nock(API)
    .get('/v2/connections/conn-1/active_calls')
    .query(true)
    .times(MAX_ACTIVE_PAGES + 5)
    .reply(() => {
      requests += 1;
      const entry = { call_control_id: `v3:${requests}`, call_duration: 1, call_leg_id: 'l', call_session_id: 's', record_type: 'call' };
      return [200, { data: [entry], meta: { cursors: { after: `c${requests}` } } }];
    });
  await t.throwsAsync(adapter().activeCalls(), { instanceOf: TelephonyError });
  t.is(requests, MAX_ACTIVE_PAGES);
  nock.cleanAll();
});

test.serial('when the carrier answers a call status with 404 or 422, then the call is one it has no record of', async (t) => {
  nock(API).get('/v2/calls/v3:gone').reply(404, { errors: [{ code: '10005', title: 'Resource not found', detail: 'x' }] });
  nock(API).get('/v2/calls/v3:forgotten').reply(422, { errors: [{ code: '90018', title: 'Call has already ended', detail: 'x' }] });
  t.is(await adapter().callStatus('v3:gone'), undefined);
  t.is(await adapter().callStatus('v3:forgotten'), undefined);
});

test.serial('when a dial is refused in so many words for the channel limit (403 or 429), then it is a permanent channel_limit refusal, not a retry', async (t) => {
  for (const status of [403, 429]) {
    nock(API)
      .post('/v2/calls')
      .reply(status, { errors: [{ code: '10010', title: 'User channel limit exceeded', detail: '2 concurrent calls are allowed on this account.' }] });
    const err = await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'k' }), { instanceOf: TelephonyError });
    t.like(err, { kind: 'permanent', refusal: 'channel_limit', outcomeUnknown: false, status });
  }
  // A plain rate limit stays retryable.
  nock(API).post('/v2/calls').reply(429, { errors: [{ code: '90103', title: 'Too many requests', detail: 'Dials per second limit.' }] });
  t.like(await t.throwsAsync(adapter().dial({ callId: 'c', to: '+12025550123', commandId: 'k' })), { kind: 'retryable', refusal: undefined });
});

test.serial('when webhook retries are configured, then every dial asks Telnyx to retry the events a call cannot do without', async (t) => {
  let sent: Record<string, unknown> = {};
  nock(API)
    .post('/v2/calls', (body: Record<string, unknown>) => {
      sent = body;
      return true;
    })
    .reply(200, { data: { call_control_id: 'v3:abc', call_leg_id: 'leg', call_session_id: 'sess', record_type: 'call' } });
  const telephony = createTelnyxTelephony({
    apiKey: 'KEY_TEST',
    baseUrl: () => `${API}/v2`,
    connectionId: 'conn-1',
    fromNumber: '+12025550100',
    webhookUrl: () => undefined,
    voice: 'AWS.Polly.Joanna-Neural',
    language: 'en-US',
    ringTimeoutSecs: 30,
    timeLimitSecs: 300,
    webhookRetriesMs: [1000, 5000],
    answeringMachineDetection: 'disabled',
    requestTimeoutMs: 2000,
  });
  await telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'x' });
  const policies = sent.webhook_retries_policies as Record<string, { retries_ms: number[] }>;
  t.deepEqual(policies['call.answered'], { retries_ms: [1000, 5000] });
  t.deepEqual(policies['call.hangup'], { retries_ms: [1000, 5000] });
  t.is(sent.time_limit_secs, 300);
});

test.serial('when Telnyx reports a call not alive with an end_time, then it reads ended; not alive without one, not yet', async (t) => {
  const resource = (id: string, extra: Record<string, unknown>) => ({ data: { call_control_id: id, call_leg_id: 'l', call_session_id: 's', record_type: 'call', ...extra } });
  nock(API).get('/v2/calls/v3:over').reply(200, resource('v3:over', { is_alive: false, end_time: '2026-11-22T06:00:00Z' }));
  nock(API).get('/v2/calls/v3:setting-up').reply(200, resource('v3:setting-up', { is_alive: false }));
  t.like(await adapter().callStatus('v3:over'), { alive: false, ended: true });
  t.like(await adapter().callStatus('v3:setting-up'), { alive: false, ended: false });
});
