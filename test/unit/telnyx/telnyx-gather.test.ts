import test from 'ava';
import nock from 'nock';
import { createTelnyxTelephony } from '../../../src/telnyx/telnyx-telephony.ts';

const API = 'https://api.telnyx.test';

function adapter(voice: string) {
  return createTelnyxTelephony({
    apiKey: 'KEY_TEST',
    baseUrl: () => `${API}/v2`,
    connectionId: 'conn-1',
    fromNumber: '+12025550100',
    webhookUrl: () => undefined,
    voice,
    language: 'en-US',
    ringTimeoutSecs: 30,
    timeLimitSecs: 300,
    answeringMachineDetection: 'greeting_end',
    webhookRetriesMs: [],
    requestTimeoutMs: 2000,
  });
}

test.afterEach.always(() => nock.cleanAll());

test.serial('when the menu is gathered, then one key of 1 or 9 is asked for, once, with the voice’s service level and our command id', async (t) => {
  let sent: Record<string, unknown> = {};
  const scope = nock(API)
    .post('/v2/calls/v3:cc/actions/gather_using_speak', (body: Record<string, unknown>) => {
      sent = body;
      return true;
    })
    .reply(200, { data: { result: 'ok' } });
  await adapter('AWS.Polly.Joanna-Neural').gather('v3:cc', { text: 'Joke. Press 1…', validDigits: '19', timeoutMs: 8000 }, 'cmd-g');
  t.true(scope.isDone());
  t.deepEqual(sent, {
    payload: 'Joke. Press 1…',
    voice: 'AWS.Polly.Joanna-Neural',
    language: 'en-US',
    service_level: 'premium',
    valid_digits: '19',
    minimum_digits: 1,
    maximum_digits: 1,
    timeout_millis: 8000,
    maximum_tries: 1,
    command_id: 'cmd-g',
  });
});

test.serial('when a basic voice speaks, then the speak asks for the basic service level', async (t) => {
  let sent: Record<string, unknown> = {};
  nock(API)
    .post('/v2/calls/v3:cc/actions/speak', (body: Record<string, unknown>) => {
      sent = body;
      return true;
    })
    .reply(200, { data: { result: 'ok' } });
  await adapter('female').speak('v3:cc', 'Goodbye!', 'cmd-s');
  t.like(sent, { payload: 'Goodbye!', voice: 'female', service_level: 'basic', language: 'en-US', command_id: 'cmd-s' });
});
