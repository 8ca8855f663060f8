/** Remembers accepted `command_id`s for a window, the way Telnyx ignores a repeat within 60 s. */
export type CommandLedger<T> = {
  /** What the first acceptance of `key` produced, if it happened within the window. */
  get(key: string, now: number): T | undefined;
  remember(key: string, value: T, now: number): void;
  clear(): void;
};

/** Creates a ledger whose entries expire `windowMs` after they were remembered. */
export function createCommandLedger<T>(windowMs: number): CommandLedger<T> {
  const entries = new Map<string, { value: T; at: number }>();
  const prune = (now: number) => {
    // Map iterates in insertion order, which is acceptance order, so expired entries sit at the front.
    for (const [key, entry] of entries) {
      if (now - entry.at < windowMs) break;
      entries.delete(key);
    }
  };
  return {
    get(key, now) {
      prune(now);
      return entries.get(key)?.value;
    },
    remember(key, value, now) {
      prune(now);
      entries.delete(key);
      entries.set(key, { value, at: now });
    },
    clear() {
      entries.clear();
    },
  };
}
