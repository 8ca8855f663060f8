import type { AccountStore, LimitBucket } from '../../accounts/account-store.ts';
import type { PgTx, Query } from './pg-pool.ts';
import { accountFromRow, type AccountRow } from '../shared/account-rows.ts';

/** The accounts half of the PostgreSQL store (same semantics as `../sqlite/sqlite-account-store.ts`); shares the call store's pool. */
export function createPgAccountStore({ query, tx }: { query: Query; tx: PgTx }): AccountStore {
  const accountById = async (q: Query, id: string) => (await q<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id])).rows[0];
  /** Spends a live token of `purpose` (locking it, so two uses of one link cannot both succeed) and returns its row. */
  const spend = async (q: Query, tokenHash: string, purpose: string, now: number) => {
    const { rows } = await q<{ account_id: string; password_hash: string | null }>(
      `UPDATE mail_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
       RETURNING account_id, password_hash`,
      [tokenHash, purpose, now],
    );
    return rows[0];
  };
  const count = async (q: Query, text: string, params: unknown[]) => (await q(text, params)).rowCount ?? 0;

  return {
    async insertAccount(account) {
      const result = await query('INSERT INTO accounts (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING', [
        account.id,
        account.email,
        account.passwordHash,
        account.createdAt,
      ]);
      return result.rowCount === 1;
    },
    async findAccountByEmail(email) {
      const row = (await query<AccountRow>('SELECT * FROM accounts WHERE email = $1', [email])).rows[0];
      return row ? accountFromRow(row) : undefined;
    },
    async getAccount(id) {
      const row = await accountById(query, id);
      return row ? accountFromRow(row) : undefined;
    },

    async insertMailToken(token) {
      await query(
        `INSERT INTO mail_tokens (token_hash, account_id, purpose, password_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [token.tokenHash, token.accountId, token.purpose, token.passwordHash, token.createdAt, token.expiresAt],
      );
    },
    async mailTokenAccount(tokenHash, purpose, now) {
      const row = (
        await query<AccountRow>(
          `SELECT a.* FROM mail_tokens t JOIN accounts a ON a.id = t.account_id
           WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3`,
          [tokenHash, purpose, now],
        )
      ).rows[0];
      return row ? accountFromRow(row) : undefined;
    },
    async activateWithToken(tokenHash, now) {
      return tx(async (q) => {
        const token = await spend(q, tokenHash, 'activate', now);
        if (!token?.password_hash) return undefined;
        await q('UPDATE accounts SET password_hash = $1, activated_at = COALESCE(activated_at, $2) WHERE id = $3', [token.password_hash, now, token.account_id]);
        await q("UPDATE mail_tokens SET used_at = $1 WHERE account_id = $2 AND purpose = 'activate' AND used_at IS NULL", [now, token.account_id]);
        return accountFromRow((await accountById(q, token.account_id)) as AccountRow);
      });
    },
    async resetWithToken(tokenHash, passwordHash, now) {
      return tx(async (q) => {
        const token = await spend(q, tokenHash, 'reset', now);
        if (!token) return undefined;
        await q('UPDATE accounts SET password_hash = $1, activated_at = COALESCE(activated_at, $2) WHERE id = $3', [passwordHash, now, token.account_id]);
        // A new password ends every way in made with the old one: sessions and the other links.
        await q('UPDATE sessions SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL', [now, token.account_id]);
        await q('UPDATE mail_tokens SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL', [now, token.account_id]);
        return accountFromRow((await accountById(q, token.account_id)) as AccountRow);
      });
    },

    async insertSession(session) {
      await query('INSERT INTO sessions (id_hash, account_id, csrf_secret, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        session.idHash,
        session.accountId,
        session.csrfSecret,
        session.createdAt,
        session.expiresAt,
      ]);
    },
    async getSession(idHash, now) {
      const row = (
        await query<{ account_id: string; csrf_secret: string; expires_at: number; email: string }>(
          `SELECT s.account_id, s.csrf_secret, s.expires_at, a.email FROM sessions s JOIN accounts a ON a.id = s.account_id
           WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`,
          [idHash, now],
        )
      ).rows[0];
      return row && { accountId: row.account_id, email: row.email, csrfSecret: row.csrf_secret, expiresAt: row.expires_at };
    },
    async revokeSession(idHash, now) {
      await query('UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL', [now, idHash]);
    },

    // The limiter's state for rate-limiter-flexible (see accounts/db-rate-limiter.ts): one atomic upsert, so
    // concurrent requests, from any instance, add up rather than overwrite each other.
    async upsertLimit(key, points, durationMs, forceExpire, now) {
      const expire = durationMs > 0 ? now + durationMs : null;
      const { rows } = forceExpire
        ? await query<LimitBucket>(
            `INSERT INTO rate_limits (key, points, expire) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET points = excluded.points, expire = excluded.expire
             RETURNING points, expire`,
            [key, points, expire],
          )
        : await query<LimitBucket>(
            `INSERT INTO rate_limits (key, points, expire) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET
               points = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire > $4 THEN rate_limits.points + excluded.points ELSE excluded.points END,
               expire = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire > $4 THEN rate_limits.expire ELSE excluded.expire END
             RETURNING points, expire`,
            [key, points, expire, now],
          );
      return rows[0] as LimitBucket;
    },
    async getLimit(key, now) {
      return (await query<LimitBucket>('SELECT points, expire FROM rate_limits WHERE key = $1 AND (expire IS NULL OR expire > $2)', [key, now])).rows[0];
    },
    async deleteLimit(key) {
      return ((await query('DELETE FROM rate_limits WHERE key = $1', [key])).rowCount ?? 0) > 0;
    },
    async deleteLimitsByPrefix(prefix) {
      return count(query, 'DELETE FROM rate_limits WHERE starts_with(key, $1)', [prefix]);
    },
    async spendProof(nonce, expiresAt) {
      return (await count(query, 'INSERT INTO pow_spent (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING', [nonce, expiresAt])) === 1;
    },
    async purgeExpiredAuth(now) {
      return tx(
        async (q) =>
          (await count(q, 'DELETE FROM rate_limits WHERE expire IS NOT NULL AND expire <= $1', [now])) +
          (await count(q, 'DELETE FROM pow_spent WHERE expires_at <= $1', [now])) +
          (await count(q, 'DELETE FROM sessions WHERE expires_at <= $1 OR revoked_at IS NOT NULL', [now])) +
          (await count(q, 'DELETE FROM mail_tokens WHERE expires_at <= $1 OR used_at IS NOT NULL', [now])) +
          // Registrations never confirmed, once no link can confirm them any more (their links went just above);
          // the hour spares one whose link is being written right now.
          (await count(
            q,
            'DELETE FROM accounts WHERE activated_at IS NULL AND created_at < $1 AND NOT EXISTS (SELECT 1 FROM mail_tokens t WHERE t.account_id = accounts.id)',
            [now - 3_600_000],
          )),
      );
    },

  };
}
