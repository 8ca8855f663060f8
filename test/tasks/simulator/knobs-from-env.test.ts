import test from 'ava';
import { envName, knobsFromEnv } from '../../../tasks/simulator/knobs-from-env.ts';

test('when SIM_ variables are set, then the runner reads each knob typed after its default, lists comma-separated', (t) => {
  t.is(envName('dialUnknownOutcomeModes'), 'SIM_DIAL_UNKNOWN_OUTCOME_MODES');
  t.deepEqual(
    knobsFromEnv({
      SIM_ANSWER_DELAY_MS: '300',
      SIM_WEBHOOK_LOSS_RATE: '0.1',
      SIM_DUPLICATE_WEBHOOKS: 'true',
      SIM_CHANNEL_LIMIT_MODE: 'api-429',
      SIM_REPEATED_DIAL_COMMAND_ID: 'empty-200',
      SIM_DIAL_UNKNOWN_OUTCOME_MODES: 'timeout, drop',
      SIM_RING_TIMEOUT_CAP_MS: '500',
      SIM_RATE_LIMIT_ERROR_CODE: '90103',
      SIM_AMD_DELAY_MS: '',
    }),
    {
      answerDelayMs: 300,
      webhookLossRate: 0.1,
      duplicateWebhooks: true,
      channelLimitMode: 'api-429',
      repeatedDialCommandId: 'empty-200',
      dialUnknownOutcomeModes: ['timeout', 'drop'],
      ringTimeoutCapMs: 500,
      rateLimitErrorCode: '90103',
    },
  );
  t.deepEqual(knobsFromEnv({}), {});
});

test('when a SIM_ variable holds a bad value, then reading fails naming the variable', (t) => {
  t.throws(() => knobsFromEnv({ SIM_MAX_CALL_MS: '-1' }), { message: /SIM_MAX_CALL_MS must be a non-negative number/ });
  t.throws(() => knobsFromEnv({ SIM_REORDER_WEBHOOKS: 'yes' }), { message: /SIM_REORDER_WEBHOOKS must be true or false/ });
  t.throws(() => knobsFromEnv({ SIM_REPEATED_DIAL_COMMAND_ID: 'ignore' }), { message: /SIM_REPEATED_DIAL_COMMAND_ID must be one of replay, empty-200, 422/ });
  t.throws(() => knobsFromEnv({ SIM_DIAL_UNKNOWN_OUTCOME_MODES: 'timeout,lost' }), { message: /SIM_DIAL_UNKNOWN_OUTCOME_MODES must be one of/ });
  t.throws(() => knobsFromEnv({ SIM_RING_TIMEOUT_CAP_MS: 'soon' }), { message: /SIM_RING_TIMEOUT_CAP_MS/ });
});
