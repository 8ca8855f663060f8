/** A mail kept by the development outbox instead of being sent. */
export type OutboxMail = { id: string; at: number; to: string; subject: string; text: string; html: string; links: string[] };

/**
 * Development only: account mail kept in memory and listed at `/dev/mail`, so registering works offline. Bounded
 * to the newest `capacity` mails; nothing survives a restart (nor should it: the links are single use anyway).
 */
export function createDevOutbox(options: { capacity?: number } = {}) {
  const capacity = options.capacity ?? 50;
  const mails: OutboxMail[] = [];
  const waiters: { match: (mail: OutboxMail) => boolean; resolve: (mail: OutboxMail) => void }[] = [];
  return {
    add(mail: OutboxMail): void {
      mails.unshift(mail);
      mails.length = Math.min(mails.length, capacity);
      for (const waiter of [...waiters]) {
        if (!waiter.match(mail)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(mail);
      }
    },
    /** Newest first. */
    list: (): readonly OutboxMail[] => mails,
    get: (id: string) => mails.find((m) => m.id === id),
    /** Resolves with the first mail (already kept or still to come) that `match` accepts. */
    waitFor(match: (mail: OutboxMail) => boolean): Promise<OutboxMail> {
      const kept = mails.find(match);
      if (kept) return Promise.resolve(kept);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
export type DevOutbox = ReturnType<typeof createDevOutbox>;
