import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createTelnyxTelephony } from '../../../src/telephony/telnyx-telephony.ts';
import { TelephonyError } from '../../../src/telephony/telephony.ts';

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
