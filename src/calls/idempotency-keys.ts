import type { Call } from './call.ts';

/** A request's `Idempotency-Key` with a digest of its body, stored on the call the request created. */
export type IdempotencyTag = { key: string; requestHash: string };

/**
 * The store port for `Idempotency-Key`. The key lives on the call it created, under a unique index on
 * `(account_id, idempotency_key)`: the database, not a check-then-insert in our code, decides which of two
 * concurrent requests creates the call. Storage is bounded by the calls themselves; an expired key is cleared.
 */
export type IdempotencyKeys = {
  /** The call an account created with `key` at or after `notBefore`, with the digest of that request's body. */
  findByIdempotencyKey(accountId: string, key: string, notBefore: number): Promise<{ call: Call; requestHash: string } | undefined>;
  /** Forgets the keys of calls created before `createdBefore` (the calls stay); returns how many. */
  expireIdempotencyKeys(createdBefore: number): Promise<number>;
};

/** Thrown by `insertCall` when the account already used the call's idempotency key (a concurrent twin won). */
export class DuplicateIdempotencyKey extends Error {
  constructor() {
    super('idempotency key already used');
    this.name = 'DuplicateIdempotencyKey';
  }
}
