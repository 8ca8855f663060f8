import { Scenario } from './scenarios.ts';

/** How the far end reacts once the call is ringing. `none` rings until the ring timeout. */
export type FarEndReaction = 'answer' | 'busy' | 'reject' | 'none' | 'channel-limit';

/** Who picks up an answered call. */
export type AnsweredBy = 'human' | 'machine';

/** The far end of one call: how it reacts to ringing, who answers, and which key it presses at each menu. */
export type FarEnd = {
  reaction: FarEndReaction;
  answeredBy: AnsweredBy;
  /** The digit pressed at the menu with this index (0 = the call's first gather), or undefined for none. */
  digitAt(menuIndex: number): string | undefined;
};

const pressesNothing = () => undefined;

/** The far end a scenario stands for; `channel-limit` replaces the reaction when the account is out of channels. */
export function farEndFor(scenario: Scenario): FarEnd {
  const person = (digitAt: (menuIndex: number) => string | undefined): FarEnd => ({ reaction: 'answer', answeredBy: 'human', digitAt });
  switch (scenario) {
    case Scenario.busy:
      return { reaction: 'busy', answeredBy: 'human', digitAt: pressesNothing };
    case Scenario.rejected:
      return { reaction: 'reject', answeredBy: 'human', digitAt: pressesNothing };
    case Scenario.noAnswer:
    case Scenario.invalidDestination:
      return { reaction: 'none', answeredBy: 'human', digitAt: pressesNothing };
    case Scenario.machine:
      return { reaction: 'answer', answeredBy: 'machine', digitAt: pressesNothing };
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
