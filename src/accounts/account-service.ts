import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import { AuthenticationError, forbidden, ValidationError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { AccountMailer } from './account-mail.ts';
import type { Account, AccountStore, MailTokenPurpose } from './account-store.ts';
import type { AbuseLimits, Attempt } from './abuse-limits.ts';
import { hashPassword, passwordProblems, verifyPassword } from './passwords.ts';
import type { TokenSigner } from './tokens.ts';
import type { ProofOfWork } from './proof-of-work.ts';

/** Mail links and session ids are random; only their SHA-256 is stored, so a read of the database cannot use them. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const newSecret = () => randomBytes(32).toString('base64url');

const WRONG_CREDENTIALS = 'The e-mail address or the password is wrong.';

export type AccountServiceDeps = {
  store: AccountStore;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  mailer: AccountMailer;
  limits: AbuseLimits;
  tokens: TokenSigner;
  pow: ProofOfWork;
  /** Where links in mails point (`PUBLIC_URL`, or the address we listen on). */
  baseUrl: () => string;
  options: { passwordCost: number; mailLinkHours: number; rememberDeviceDays: number };
};

/**
 * Registration, activation, sign-in and password reset. Answers never tell whether an address has an account:
 * register and reset requests answer the same either way (mails say the rest, to the mailbox's owner only), and a
 * sign-in with an unknown address costs the same scrypt as a wrong password.
 */
export function createAccountService(deps: AccountServiceDeps) {
  const { store, clock, options } = deps;
  let dummyHash: Promise<string> | undefined;
  const linkMs = options.mailLinkHours * 3_600_000;

  async function mailLink(account: Account, purpose: MailTokenPurpose, passwordHash: string | null, path: string) {
    const token = newSecret();
    const now = clock.now();
    await store.insertMailToken({ tokenHash: sha256(token), accountId: account.id, purpose, passwordHash, createdAt: now, expiresAt: now + linkMs });
    return `${deps.baseUrl().replace(/\/$/, '')}${path}?token=${token}`;
  }

  return {
    /** A new proof-of-work challenge (altcha's JSON) for a request that needs one. */
    challenge: () => deps.pow.challenge(),
    /** Whether a register or reset request from `ip` will need a proof of work now (the page solves one before sending). */
    proofNeeded: (ip: string, kind: 'register' | 'reset') => deps.limits.proofNeeded(ip, kind),

    /** Always resolves the same way for a valid request; the mailbox owner learns by mail what happened. */
    async register(input: { email: string; password: string }, attempt: Attempt): Promise<void> {
      const problems = passwordProblems(input.password, input.email);
      if (problems.length > 0) throw new ValidationError(problems);
      await deps.limits.beforeMailRequest(attempt, 'register');
      // Hashed whatever happens next, so a taken address answers in the same time as a free one.
      const passwordHash = await hashPassword(input.password, options.passwordCost);
      const mayMail = await deps.limits.mayMail(input.email);
      await store.insertAccount({ id: deps.newId(), email: input.email, passwordHash, createdAt: clock.now() });
      const account = (await store.findAccountByEmail(input.email)) as Account;
      if (!mayMail) return;
      if (account.activatedAt === null) {
        const link = await mailLink(account, 'activate', passwordHash, '/activate');
        deps.mailer.send('activate', account.email, { link, hours: options.mailLinkHours });
      } else {
        deps.mailer.send('already-registered', account.email, { loginUrl: `${deps.baseUrl()}/login`, resetUrl: `${deps.baseUrl()}/reset` });
      }
    },

    /** Spends an activation link; false when it is unknown, used or expired. */
    async activate(token: string): Promise<boolean> {
      const account = await store.activateWithToken(sha256(token), clock.now());
      if (account) deps.logger.info({ accountId: account.id }, 'account activated');
      return account !== undefined;
    },

    /** The account for these credentials. Unknown address and wrong password fail alike; not yet activated → 403. */
    async authenticate(input: { email: string; password: string }, attempt: Attempt & { device?: string }): Promise<Account> {
      const { ip } = attempt;
      const account = await store.findAccountByEmail(input.email);
      // A device that signed in to this very account before (its signed cookie names the account) is never held
      // back by the failures strangers run up elsewhere.
      const knownDevice = account !== undefined && attempt.device !== undefined && (await deps.tokens.verifyDevice(attempt.device))?.sub === account.id;
      await deps.limits.beforeLogin({ ip, proof: attempt.proof, knownDevice }, input.email);
      const stored = account?.passwordHash ?? (await (dummyHash ??= hashPassword(newSecret(), options.passwordCost)));
      const ok = (await verifyPassword(input.password, stored)) && account?.passwordHash != null;
      if (!ok || !account) {
        await deps.limits.loginFailed(ip, input.email);
        throw new AuthenticationError(WRONG_CREDENTIALS);
      }
      await deps.limits.loginSucceeded(ip, input.email);
      if (account.activatedAt === null) throw forbidden('The account is not activated yet: follow the link in the mail we sent.');
      return account;
    },

    /** The remembered-device cookie's value for a device that just signed in, and how long it lives. */
    async rememberDevice(accountId: string): Promise<{ token: string; maxAgeSeconds: number }> {
      const maxAgeSeconds = options.rememberDeviceDays * 86_400;
      return { token: await deps.tokens.deviceToken(accountId, maxAgeSeconds), maxAgeSeconds };
    },

    /** Mails a reset link when the address has an account; answers the same either way. */
    async requestReset(email: string, attempt: Attempt): Promise<void> {
      await deps.limits.beforeMailRequest(attempt, 'reset');
      const account = await store.findAccountByEmail(email);
      if (!account || !(await deps.limits.mayMail(email))) return;
      const link = await mailLink(account, 'reset', null, '/reset');
      deps.mailer.send('reset', account.email, { link, hours: options.mailLinkHours });
    },

    /** The address a live reset link belongs to (the reset page shows it), or undefined. */
    async resetLinkOwner(token: string): Promise<string | undefined> {
      return (await store.mailTokenAccount(sha256(token), 'reset', clock.now()))?.email;
    },

    /**
     * Sets a new password with a reset link, ends every session and clears the account's failed sign-in counts;
     * false when the link is unknown, used or expired.
     */
    async reset(token: string, password: string): Promise<boolean> {
      const tokenHash = sha256(token);
      const owner = await store.mailTokenAccount(tokenHash, 'reset', clock.now());
      if (!owner) return false;
      const problems = passwordProblems(password, owner.email);
      if (problems.length > 0) throw new ValidationError(problems);
      const account = await store.resetWithToken(tokenHash, await hashPassword(password, options.passwordCost), clock.now());
      if (account) {
        // Guesses at the old password say nothing about the new one: the owner signs in at once, from anywhere.
        await deps.limits.passwordReset(account.email);
        deps.logger.info({ accountId: account.id }, 'password reset');
      }
      return account !== undefined;
    },
  };
}
export type AccountService = ReturnType<typeof createAccountService>;
