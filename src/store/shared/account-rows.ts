import type { Account } from '../../accounts/account-store.ts';

/** An `accounts` row as both databases return it. */
export type AccountRow = { id: string; email: string; password_hash: string | null; activated_at: number | null; created_at: number };

/** The account a row stores. */
export const accountFromRow = (row: AccountRow): Account => ({
  id: row.id,
  email: row.email,
  passwordHash: row.password_hash,
  activatedAt: row.activated_at,
  createdAt: row.created_at,
});
