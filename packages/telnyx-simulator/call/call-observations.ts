import type { CallRecord } from './call-handle.ts';
import type { CallSnapshot } from './call-views.ts';

/** A call as the observations read it: its record plus a detached copy to hand out. */
type ObservedCall = CallRecord & { snapshot(): CallSnapshot };

/** Questions a test or the soak asks about every call the simulator placed. */
export type CallObservations = {
  /** Calls still alive (ringing or answered). */
  live(): CallSnapshot[];
  /** How many calls were placed with this dial `client_state`. */
  placedCount(clientState: string): number;
  /** Placed calls counted per dial `client_state` (calls dialed without one are left out). */
  placedByClientState(): Map<string, number>;
  /** Answered calls on which nothing was spoken (no speak, no gather prompt), alive or ended. */
  answeredNeverSpoken(): CallSnapshot[];
};

/** Answers the questions from the live call table (snapshots, so callers cannot disturb the calls). */
export function createCallObservations(calls: ReadonlyMap<string, ObservedCall>): CallObservations {
  const all = () => [...calls.values()];
  return {
    live: () => all().filter((call) => call.state !== 'ended').map((call) => call.snapshot()),
    placedCount: (clientState) => all().filter((call) => call.init.clientState === clientState).length,
    placedByClientState() {
      const counts = new Map<string, number>();
      for (const call of all()) {
        const state = call.init.clientState;
        if (state !== null) counts.set(state, (counts.get(state) ?? 0) + 1);
      }
      return counts;
    },
    answeredNeverSpoken: () => all().filter((call) => call.answeredAt !== undefined && call.spoken.length === 0).map((call) => call.snapshot()),
  };
}
