/** What the simulated network does with a dial, chosen by the destination's last four digits. */
export const Scenario = {
  answered: 'answered',
  busy: 'busy',
  noAnswer: 'no-answer',
  rejected: 'rejected',
  carrierError: 'carrier-error',
  rateLimited: 'rate-limited',
  invalidDestination: 'invalid-destination',
  machine: 'machine',
  beeplessMachine: 'beepless-machine',
  fax: 'fax',
  silence: 'silence',
  business: 'business',
  pressesOneOnce: 'presses-1-once',
  pressesNine: 'presses-9',
  pressesOneAlways: 'presses-1-always',
  pressesOneThenNine: 'presses-1-then-9',
} as const;
export type Scenario = (typeof Scenario)[keyof typeof Scenario];

/**
 * Destination suffix → scenario. The suffixes echo SIP codes (or menu keys) so they are easy to remember;
 * the package's README.md (one folder up) describes each one.
 */
export const SCENARIO_BY_SUFFIX: Readonly<Record<string, Scenario>> = {
  '0486': Scenario.busy,
  '0408': Scenario.noAnswer,
  '0603': Scenario.rejected,
  '0500': Scenario.carrierError,
  '0429': Scenario.rateLimited,
  '0422': Scenario.invalidDestination,
  '0700': Scenario.machine,
  '0701': Scenario.beeplessMachine,
  '0329': Scenario.fax,
  '0702': Scenario.silence,
  '0703': Scenario.business,
  '0901': Scenario.pressesOneOnce,
  '0909': Scenario.pressesNine,
  '0911': Scenario.pressesOneAlways,
  '0919': Scenario.pressesOneThenNine,
};

/** The scenario for a destination number (E.164 or anything ending in digits). */
export function scenarioFor(to: string): Scenario {
  const digits = to.replace(/\D/g, '');
  return SCENARIO_BY_SUFFIX[digits.slice(-4)] ?? Scenario.answered;
}
