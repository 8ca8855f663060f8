import { randomBytes } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { AccountStore } from './account-store.ts';
import { sha256 } from './account-service.ts';
import type { TokenSigner } from './tokens.ts';

/** A signed-in page visitor. `csrfSecret` is the session's own secret its form tokens are made from. */
export type PageSession = { accountId: string; email: string; csrfSecret: string; idHash: string };

/**
 * Page sessions: the cookie is a JWT naming a row of the sessions table, so it cannot be forged without
 * `JWT_SECRET` and ends for good when the row is revoked (logout, password reset) or expires.
 */
export function createSessions(deps: { store: AccountStore; clock: Clock; tokens: TokenSigner; sessionDays: number }) {
  const lifetimeSeconds = deps.sessionDays * 86_400;
  return {
    lifetimeSeconds,
    /** Opens a session; returns the cookie value. */
    async open(accountId: string): Promise<string> {
      const id = randomBytes(32).toString('base64url');
      const now = deps.clock.now();
      await deps.store.insertSession({
        idHash: sha256(id),
        accountId,
        csrfSecret: randomBytes(18).toString('base64url'),
        createdAt: now,
        expiresAt: now + lifetimeSeconds * 1000,
      });
      return deps.tokens.sessionToken(accountId, id, lifetimeSeconds);
    },
    /** The live session a cookie names, or undefined (forged, expired, revoked). */
    async resolve(cookie: string): Promise<PageSession | undefined> {
      const verified = await deps.tokens.verifySession(cookie);
      const sid = verified?.claims.sid;
      if (typeof sid !== 'string') return undefined;
      const idHash = sha256(sid);
      const row = await deps.store.getSession(idHash, deps.clock.now());
      return row && row.accountId === verified?.sub ? { accountId: row.accountId, email: row.email, csrfSecret: row.csrfSecret, idHash } : undefined;
    },
    async revoke(session: PageSession): Promise<void> {
      await deps.store.revokeSession(session.idHash, deps.clock.now());
    },
  };
}
export type Sessions = ReturnType<typeof createSessions>;
