import { Scenario } from './scenarios.ts';

/** How the far end reacts once the call is ringing. `none` rings until the ring timeout. */
export type FarEndReaction = 'answer' | 'busy' | 'reject' | 'none' | 'channel-limit' | 'channel-limit-rejected';

/** Who picks up an answered call. */
export type AnsweredBy = 'human' | 'machine';

/**
 * What answering-machine detection hears besides "person or machine": a person at a business line, a machine
 * that never beeps, a fax tone, or nothing at all. `plain` is a person at home, or a machine that beeps.
 */
export type Heard = 'plain' | 'business' | 'beepless' | 'fax' | 'silence';

/** The far end of one call: how it reacts to ringing, who answers, and which key it presses at each menu. */
export type FarEnd = {
  reaction: FarEndReaction;
  answeredBy: AnsweredBy;
  heard: Heard;
  /** The digit pressed at the menu with this index (0 = the call's first gather), or undefined for none. */
  digitAt(menuIndex: number): string | undefined;
};

const pressesNothing = () => undefined;

/** The far end a scenario stands for; `channel-limit` replaces the reaction when the account is out of channels. */
export function farEndFor(scenario: Scenario): FarEnd {
  const person = (digitAt: (menuIndex: number) => string | undefined, heard: Heard = 'plain'): FarEnd => ({ reaction: 'answer', answeredBy: 'human', heard, digitAt });
  const machine = (heard: Heard): FarEnd => ({ reaction: 'answer', answeredBy: 'machine', heard, digitAt: pressesNothing });
  switch (scenario) {
    case Scenario.busy:
      return { reaction: 'busy', answeredBy: 'human', heard: 'plain', digitAt: pressesNothing };
    case Scenario.rejected:
      return { reaction: 'reject', answeredBy: 'human', heard: 'plain', digitAt: pressesNothing };
    case Scenario.noAnswer:
    case Scenario.invalidDestination:
      return { reaction: 'none', answeredBy: 'human', heard: 'plain', digitAt: pressesNothing };
    case Scenario.machine:
      return machine('plain');
    case Scenario.beeplessMachine:
      return machine('beepless');
    case Scenario.fax:
      return machine('fax');
    case Scenario.silence:
      return person(pressesNothing, 'silence');
    case Scenario.business:
      return person(pressesNothing, 'business');
    case Scenario.pressesOneOnce:
      return person((menu) => (menu === 0 ? '1' : undefined));
    case Scenario.pressesNine:
      return person((menu) => (menu === 0 ? '9' : undefined));
    case Scenario.pressesOneAlways:
      return person(() => '1');
    case Scenario.pressesOneThenNine:
      return person((menu) => (menu === 0 ? '1' : menu === 1 ? '9' : undefined));
    case Scenario.answered:
    case Scenario.carrierError:
    case Scenario.rateLimited:
      return person(pressesNothing);
  }
}
