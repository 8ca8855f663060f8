/** A number that asked (by pressing 9) never to be called again. */
export type DoNotCallEntry = { number: string; addedAt: number; callId: string | null };

/**
 * The do-not-call list. Entries are never removed by the service; a claim checks the list in the same step
 * (`CallClaims.claim`), so a call to a listed number is canceled rather than dialed.
 */
export type DoNotCallList = {
  /** Puts a number on the do-not-call list; false when it was already there (the first entry is kept). */
  addDoNotCall(entry: DoNotCallEntry): Promise<boolean>;
  /** The number's do-not-call entry, if it has one. */
  getDoNotCall(number: string): Promise<DoNotCallEntry | undefined>;
};
