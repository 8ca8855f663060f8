/** What opening one more stream of an account takes on a full (or not full) instance. */
export type Admission = { ok: true; evict?: string } | { ok: false };

/**
 * This instance's stream slots, shared fairly: while slots are free anyone gets one; when all are taken, a newcomer
 * gets the oldest stream of the account holding the most, as long as that account would still hold at least as many
 * as the newcomer afterwards (it holds two or more than the newcomer now). So an account's first stream gets in
 * unless every slot is held by a different account with a single stream, and two accounts never take turns evicting
 * each other (an evicted client that reconnects is not fewer than anyone by two).
 *
 * Chosen over a reserve of slots for accounts with few streams: a reserve is a second, smaller pool that enough
 * accounts with one or two streams each fill in the same way; taking from the largest holder needs no second size to
 * tune and leaves no slot idle.
 */
export class StreamSlots<T> {
  readonly #total: number;
  /** By stream id, in the order they opened (a Map keeps insertion order): the first of an account is its oldest. */
  readonly #open = new Map<string, { accountId: string; item: T }>();
  readonly #perAccount = new Map<string, number>();

  constructor(total: number) {
    this.#total = total;
  }

  get size(): number {
    return this.#open.size;
  }

  countOf(accountId: string): number {
    return this.#perAccount.get(accountId) ?? 0;
  }

  /** Whether a stream of `accountId` may open now, and which stream must end for it. Changes nothing. */
  admit(accountId: string): Admission {
    if (this.#open.size < this.#total) return { ok: true };
    const mine = this.countOf(accountId);
    let victim: { id: string; count: number } | undefined;
    // In opening order: among the accounts holding the most, the one whose oldest stream is oldest; that stream.
    for (const [id, { accountId: holder }] of this.#open) {
      const count = this.countOf(holder);
      if (!victim || count > victim.count) victim = { id, count };
    }
    return victim && victim.count > mine + 1 ? { ok: true, evict: victim.id } : { ok: false };
  }

  add(id: string, accountId: string, item: T): void {
    this.#open.set(id, { accountId, item });
    this.#perAccount.set(accountId, this.countOf(accountId) + 1);
  }

  /** Takes the stream out; undefined when it was not (or no longer) here. */
  remove(id: string): { accountId: string; item: T } | undefined {
    const open = this.#open.get(id);
    if (!open) return undefined;
    this.#open.delete(id);
    const left = this.countOf(open.accountId) - 1;
    if (left > 0) this.#perAccount.set(open.accountId, left);
    else this.#perAccount.delete(open.accountId);
    return open;
  }

  ids(): string[] {
    return [...this.#open.keys()];
  }
}
