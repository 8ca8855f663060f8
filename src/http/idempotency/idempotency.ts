import { createHash } from 'node:crypto';
import type { Call } from '../../calls/call.ts';
import type { Clock } from '../../kernel/clock.ts';
import { DomainError, ErrorCode, ValidationError } from '../../kernel/errors.ts';
import type { IdempotencyKeys, IdempotencyTag } from '../../calls/idempotency-keys.ts';

/** A key answers the same for 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
const EXPIRE_EVERY_MS = 60_000;
// Visible ASCII, as header values are; long enough for a UUID or a client's own scheme, short enough to index.
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** Keys in a fixed order, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `Idempotency-Key` for `POST /api/calls`: the same key and body within 24 h answer with the call the first request
 * made; the same key with another body is refused (422). The key is stored on the call under a unique index, so of
 * two concurrent requests with one key the database lets exactly one insert; the other answers with its call.
 */
export function createIdempotency(deps: { store: IdempotencyKeys; clock: Clock }) {
  let expiredAt = Number.NEGATIVE_INFINITY;
  async function expireDue(now: number) {
    if (now - expiredAt < EXPIRE_EVERY_MS) return;
    expiredAt = now;
    await deps.store.expireIdempotencyKeys(now - IDEMPOTENCY_TTL_MS);
  }
  return {
    /** The request's tag, or undefined without the header; a malformed key is a validation error. */
    tag(header: string | undefined, body: unknown): IdempotencyTag | undefined {
      if (header === undefined || header === '') return undefined;
      if (!KEY_SHAPE.test(header)) {
        throw new ValidationError([{ path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters, e.g. a UUID' }]);
      }
      return { key: header, requestHash: createHash('sha256').update(canonical(body)).digest('hex') };
    },

    /** The call a first request with this key made, when there was one within 24 h; throws when its body differed. */
    async earlier(accountId: string, tag: IdempotencyTag): Promise<Call | undefined> {
      const now = deps.clock.now();
      await expireDue(now);
      const found = await deps.store.findByIdempotencyKey(accountId, tag.key, now - IDEMPOTENCY_TTL_MS);
      if (!found) return undefined;
      if (found.requestHash !== tag.requestHash) {
        throw new DomainError(ErrorCode.keyReused, 'This Idempotency-Key was already used with another request body; use a new key for a new call.');
      }
      return found.call;
    },

    /** After a lost insert race: the twin's call, or (its key just expired) nothing, and the key is free again. */
    async afterDuplicate(accountId: string, tag: IdempotencyTag): Promise<Call | undefined> {
      const call = await this.earlier(accountId, tag);
      if (!call) await deps.store.expireIdempotencyKeys(deps.clock.now() - IDEMPOTENCY_TTL_MS);
      return call;
    },
  };
}
export type Idempotency = ReturnType<typeof createIdempotency>;
