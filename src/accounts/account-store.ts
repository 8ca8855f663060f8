/** An account as stored. `email` is normalised (trimmed, lower case) before it gets here. */
export type Account = {
  id: string;
  email: string;
  /** The first registration's password until activation sets the one carried by the link (see mail tokens). */
  passwordHash: string | null;
  activatedAt: number | null;
  createdAt: number;
};

export type MailTokenPurpose = 'activate' | 'reset';

/** A single-use link sent by mail; only the SHA-256 of its token is stored. */
export type NewMailToken = {
  tokenHash: string;
  accountId: string;
  purpose: MailTokenPurpose;
  /**
   * For activation: the password chosen in the registration that sent this link. Activating sets it, so a
   * stranger who registers someone else's address first cannot choose the password the owner later activates.
   */
  passwordHash: string | null;
  createdAt: number;
  expiresAt: number;
};

export type SessionRecord = { accountId: string; email: string; csrfSecret: string; expiresAt: number };

/** A limiter bucket: points consumed and when the window ends (ms since the epoch; null: never). */
export type LimitBucket = { points: number; expire: number | null };

/** The accounts domain's store port; `Store` (`src/store/store.ts`) intersects it with the other domains' ports. */
export type AccountStore = {
  /**
   * Inserts a new, not yet activated account; false when the address is taken. Its password is the first
   * registration's, so that registrant is told "not activated" (403) rather than "wrong"; activation replaces it.
   */
  insertAccount(account: { id: string; email: string; passwordHash: string; createdAt: number }): Promise<boolean>;
  findAccountByEmail(email: string): Promise<Account | undefined>;
  getAccount(id: string): Promise<Account | undefined>;

  insertMailToken(token: NewMailToken): Promise<void>;
  /** The account a live (unused, unexpired) link of `purpose` belongs to. */
  mailTokenAccount(tokenHash: string, purpose: MailTokenPurpose, now: number): Promise<Account | undefined>;
  /**
   * Uses an activation link once: sets the password it carries and marks the account active, and spends every other
   * activation link of the account. Undefined when the token is unknown, used or expired.
   */
  activateWithToken(tokenHash: string, now: number): Promise<Account | undefined>;
  /** Uses a reset link once: sets the password, activates the account if needed and revokes all its sessions. */
  resetWithToken(tokenHash: string, passwordHash: string, now: number): Promise<Account | undefined>;

  insertSession(session: { idHash: string; accountId: string; csrfSecret: string; createdAt: number; expiresAt: number }): Promise<void>;
  /** The live session with this id hash (not revoked, not expired) and its account's address. */
  getSession(idHash: string, now: number): Promise<SessionRecord | undefined>;
  revokeSession(idHash: string, now: number): Promise<void>;

  /** Adds `points` to a limiter bucket atomically, opening a new window of `durationMs` when the last one ended. */
  upsertLimit(key: string, points: number, durationMs: number, forceExpire: boolean, now: number): Promise<LimitBucket>;
  getLimit(key: string, now: number): Promise<LimitBucket | undefined>;
  deleteLimit(key: string): Promise<boolean>;
  /** Deletes every limiter bucket whose key starts with `prefix` (a reset clears an account's sign-in tallies); how many. */
  deleteLimitsByPrefix(prefix: string): Promise<number>;
  /**
   * Records a proof-of-work solution as spent, atomically: true the first time `nonce` is seen, false for a replay
   * (from any instance). Kept until `expiresAt`, when its challenge no longer verifies anyway.
   */
  spendProof(nonce: string, expiresAt: number): Promise<boolean>;
  /**
   * Deletes ended limiter windows, expired proof-of-work records, expired or revoked sessions, expired or used mail links, and accounts never
   * activated that no live link can activate any more; returns how many rows.
   */
  purgeExpiredAuth(now: number): Promise<number>;
};
