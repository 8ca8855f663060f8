import type { AccountStore, LimitBucket } from '../../accounts/account-store.ts';
import type { Sql, Tx } from './connection.ts';
import { accountFromRow, type AccountRow } from '../shared/account-rows.ts';

/** The accounts half of the SQLite store; shares the call store's connection, statement cache and transactions. */
export function createSqliteAccountStore({ sql, tx }: { sql: Sql; tx: Tx }): AccountStore {
  const accountById = (id: string) => sql('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
  /** Spends a live token of `purpose` and returns its row, all inside the caller's transaction. */
  const spend = (tokenHash: string, purpose: string, now: number) => {
    const row = sql('SELECT account_id, password_hash FROM mail_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?').get(
      tokenHash,
      purpose,
      now,
    ) as { account_id: string; password_hash: string | null } | undefined;
    if (row) sql('UPDATE mail_tokens SET used_at = ? WHERE token_hash = ?').run(now, tokenHash);
    return row;
  };

  return {
    async insertAccount(account) {
      const result = sql('INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (email) DO NOTHING').run(
        account.id,
        account.email,
        account.passwordHash,
        account.createdAt,
      );
      return Number(result.changes) === 1;
    },
    async findAccountByEmail(email) {
      const row = sql('SELECT * FROM accounts WHERE email = ?').get(email) as AccountRow | undefined;
      return row ? accountFromRow(row) : undefined;
    },
    async getAccount(id) {
      const row = accountById(id);
      return row ? accountFromRow(row) : undefined;
    },

    async insertMailToken(token) {
      sql(
        `INSERT INTO mail_tokens (token_hash, account_id, purpose, password_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(token.tokenHash, token.accountId, token.purpose, token.passwordHash, token.createdAt, token.expiresAt);
    },
    async mailTokenAccount(tokenHash, purpose, now) {
      const row = sql(
        `SELECT a.* FROM mail_tokens t JOIN accounts a ON a.id = t.account_id
         WHERE t.token_hash = ? AND t.purpose = ? AND t.used_at IS NULL AND t.expires_at > ?`,
      ).get(tokenHash, purpose, now) as AccountRow | undefined;
      return row ? accountFromRow(row) : undefined;
    },
    async activateWithToken(tokenHash, now) {
      return tx(() => {
        const token = spend(tokenHash, 'activate', now);
        if (!token?.password_hash) return undefined;
        sql('UPDATE accounts SET password_hash = ?, activated_at = COALESCE(activated_at, ?) WHERE id = ?').run(
          token.password_hash,
          now,
          token.account_id,
        );
        sql("UPDATE mail_tokens SET used_at = ? WHERE account_id = ? AND purpose = 'activate' AND used_at IS NULL").run(now, token.account_id);
        return accountFromRow(accountById(token.account_id) as AccountRow);
      });
    },
    async resetWithToken(tokenHash, passwordHash, now) {
      return tx(() => {
        const token = spend(tokenHash, 'reset', now);
        if (!token) return undefined;
        sql('UPDATE accounts SET password_hash = ?, activated_at = COALESCE(activated_at, ?) WHERE id = ?').run(passwordHash, now, token.account_id);
        // A new password ends every way in made with the old one: sessions and the other links.
        sql('UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL').run(now, token.account_id);
        sql('UPDATE mail_tokens SET used_at = ? WHERE account_id = ? AND used_at IS NULL').run(now, token.account_id);
        return accountFromRow(accountById(token.account_id) as AccountRow);
      });
    },

    async insertSession(session) {
      sql('INSERT INTO sessions (id_hash, account_id, csrf_secret, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
        session.idHash,
        session.accountId,
        session.csrfSecret,
        session.createdAt,
        session.expiresAt,
      );
    },
    async getSession(idHash, now) {
      const row = sql(
        `SELECT s.account_id, s.csrf_secret, s.expires_at, a.email FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.id_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
      ).get(idHash, now) as { account_id: string; csrf_secret: string; expires_at: number; email: string } | undefined;
      return row && { accountId: row.account_id, email: row.email, csrfSecret: row.csrf_secret, expiresAt: row.expires_at };
    },
    async revokeSession(idHash, now) {
      sql('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL').run(now, idHash);
    },

    async upsertLimit(key, points, durationMs, forceExpire, now) {
      const expire = durationMs > 0 ? now + durationMs : null;
      const row = forceExpire
        ? sql('INSERT OR REPLACE INTO rate_limits (key, points, expire) VALUES (?, ?, ?) RETURNING points, expire').get(key, points, expire)
        : sql(
            `INSERT INTO rate_limits (key, points, expire) VALUES (?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET
               points = CASE WHEN expire IS NULL OR expire > ? THEN points + excluded.points ELSE excluded.points END,
               expire = CASE WHEN expire IS NULL OR expire > ? THEN expire ELSE excluded.expire END
             RETURNING points, expire`,
          ).get(key, points, expire, now, now);
      return row as LimitBucket;
    },
    async getLimit(key, now) {
      return sql('SELECT points, expire FROM rate_limits WHERE key = ? AND (expire IS NULL OR expire > ?)').get(key, now) as LimitBucket | undefined;
    },
    async deleteLimit(key) {
      return Number(sql('DELETE FROM rate_limits WHERE key = ?').run(key).changes) > 0;
    },
    async deleteLimitsByPrefix(prefix) {
      return Number(sql('DELETE FROM rate_limits WHERE substr(key, 1, ?) = ?').run(prefix.length, prefix).changes);
    },
    async spendProof(nonce, expiresAt) {
      return Number(sql('INSERT INTO pow_spent (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING').run(nonce, expiresAt).changes) === 1;
    },
    async purgeExpiredAuth(now) {
      return tx(
        () =>
          Number(sql('DELETE FROM rate_limits WHERE expire IS NOT NULL AND expire <= ?').run(now).changes) +
          Number(sql('DELETE FROM pow_spent WHERE expires_at <= ?').run(now).changes) +
          Number(sql('DELETE FROM sessions WHERE expires_at <= ? OR revoked_at IS NOT NULL').run(now).changes) +
          Number(sql('DELETE FROM mail_tokens WHERE expires_at <= ? OR used_at IS NOT NULL').run(now).changes) +
          // Registrations never confirmed, once no link can confirm them any more (their links went just above);
          // the hour spares one whose link is being written right now.
          Number(
            sql(
              'DELETE FROM accounts WHERE activated_at IS NULL AND created_at < ? AND NOT EXISTS (SELECT 1 FROM mail_tokens t WHERE t.account_id = accounts.id)',
            ).run(now - 3_600_000).changes,
          ),
      );
    },

  };
}
