/** What the simulated network does with a dial, chosen by the destination's last four digits. */
export const Scenario = {
  answered: 'answered',
  busy: 'busy',
  noAnswer: 'no-answer',
  rejected: 'rejected',
  carrierError: 'carrier-error',
  rateLimited: 'rate-limited',
  invalidDestination: 'invalid-destination',
} as const;
export type Scenario = (typeof Scenario)[keyof typeof Scenario];

/**
 * Destination suffix → scenario. The suffixes echo SIP codes so they are easy to remember.
 *
 * | last four digits | scenario              | what happens                                                                                   |
 * |------------------|-----------------------|------------------------------------------------------------------------------------------------|
 * | any other        | `answered`            | `call.initiated`, after `answerDelayMs` `call.answered`; speak/hangup as commanded; the callee hangs up after `maxCallMs` |
 * | `0486`           | `busy`                | `call.initiated`, after `answerDelayMs` `call.hangup` `user_busy` (callee)                      |
 * | `0408`           | `no-answer`           | `call.initiated`, after the ring timeout (`timeout_secs`, default 30) `call.hangup` `timeout`   |
 * | `0603`           | `rejected`            | `call.initiated`, after `answerDelayMs` `call.hangup` `call_rejected` (callee)                  |
 * | `0500`           | `carrier-error`       | first dial per `command_id` (or per number without one): `500` Telnyx error; next dial: answered |
 * | `0429`           | `rate-limited`        | first dial per `command_id` (or per number without one): `429` Telnyx error; next dial: answered |
 * | `0422`           | `invalid-destination` | every dial: `422` invalid phone number; no call is placed                                        |
 */
export const SCENARIO_BY_SUFFIX: Readonly<Record<string, Scenario>> = {
  '0486': Scenario.busy,
  '0408': Scenario.noAnswer,
  '0603': Scenario.rejected,
  '0500': Scenario.carrierError,
  '0429': Scenario.rateLimited,
  '0422': Scenario.invalidDestination,
};

/** The scenario for a destination number (E.164 or anything ending in digits). */
export function scenarioFor(to: string): Scenario {
  const digits = to.replace(/\D/g, '');
  return SCENARIO_BY_SUFFIX[digits.slice(-4)] ?? Scenario.answered;
}
