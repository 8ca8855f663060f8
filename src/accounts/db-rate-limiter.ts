import { createRequire } from 'node:module';
import { RateLimiterRes, type RateLimiterStoreAbstract as StoreAbstract } from 'rate-limiter-flexible';
import type { Clock } from '../kernel/clock.ts';
import type { AccountStore, LimitBucket } from './account-store.ts';

// The base class is declared in the package's types but not exported by its index, so it is loaded from its file.
const RateLimiterStoreAbstract = createRequire(import.meta.url)('rate-limiter-flexible/lib/RateLimiterStoreAbstract.js') as typeof StoreAbstract;

type Options = { store: AccountStore; clock: Clock; keyPrefix: string; points: number; duration: number };

/**
 * rate-limiter-flexible over our own store, so limits hold across restarts and (with PostgreSQL) instances.
 * Its bundled RateLimiterSQLite wants sqlite3 or better-sqlite3 (it calls `db.transaction()`, which node:sqlite's
 * DatabaseSync lacks), so this is the library's documented extension point: a store subclass with `_upsert`,
 * `_get`, `_delete` and `_getRateLimiterRes`. A class because the library's contract is one. Time comes from our
 * clock; the library's own in-memory blocking (which reads Date.now) stays off.
 */
export class DbRateLimiter extends RateLimiterStoreAbstract {
  readonly #store: AccountStore;
  readonly #clock: Clock;

  constructor(options: Options) {
    super({ storeClient: options.store, keyPrefix: options.keyPrefix, points: options.points, duration: options.duration });
    this.#store = options.store;
    this.#clock = options.clock;
  }

  _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<LimitBucket> {
    return this.#store.upsertLimit(rlKey, points, msDuration, forceExpire, this.#clock.now());
  }

  async _get(rlKey: string): Promise<LimitBucket | null> {
    return (await this.#store.getLimit(rlKey, this.#clock.now())) ?? null;
  }

  _delete(rlKey: string): Promise<boolean> {
    return this.#store.deleteLimit(rlKey);
  }

  _getRateLimiterRes(_rlKey: string, changedPoints: number, result: LimitBucket): RateLimiterRes {
    const first = changedPoints === result.points;
    const consumed = first ? changedPoints : result.points;
    const msBeforeNext = result.expire === null ? -1 : Math.max(result.expire - this.#clock.now(), 0);
    return new RateLimiterRes(Math.max(this.points - consumed, 0), msBeforeNext, consumed, first);
  }
}
