import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../kernel/clock.ts';
import { LimitError } from '../kernel/errors.ts';
import type { CallLimitGuard, LimitTally } from '../calls/call-store.ts';
import type { AccountStore } from './account-store.ts';
import { clientKey } from './client-address.ts';
import { DbRateLimiter } from './db-rate-limiter.ts';

const DAY_MS = 86_400_000;
const PURGE_EVERY = 256;
const minutes = (ms: number) => `${Math.max(1, Math.ceil(ms / 60_000))} min`;

/**
 * Every abuse limit (docs/accounts.md). Attempts (sign-ins, registrations, mails) are counted by rate-limiter-flexible in
 * our database; what is already a row of ours (calls an account scheduled in any 24 h, calls to a number due within
 * a day of each other, calls pending) is counted from the calls table through its indexes by the store, in the
 * transaction that inserts the call, so there is no second count to drift and no burst can pass a limit.
 */
/** The limits, per window; 0 turns one off (config's `limits`). */
export type AbuseLimitOptions = {
  callsPerAccountPerDay: number;
  pendingCallsPerAccount: number;
  callsPerNumberPerDay: number;
  callsPerNumberPerAccountPerDay: number;
  loginsPerAddressPer15Min: number;
  loginFailuresPerAccountPer15Min: number;
  loginFailuresPerAccountAndAddressPer15Min: number;
  registrationsPerAddressPerHour: number;
  mailsPerRecipientPerHour: number;
};

export function createAbuseLimits(deps: { store: AccountStore; clock: Clock; limits: AbuseLimitOptions }) {
  const { store, clock, limits } = deps;
  const limiter = (keyPrefix: string, points: number, duration: number) => new DbRateLimiter({ store, clock, keyPrefix, points, duration });
  const loginsByAddress = limiter('login-ip', limits.loginsPerAddressPer15Min, 900);
  const failuresByAccount = limiter('login-fail', limits.loginFailuresPerAccountPer15Min, 900);
  const failuresByAccountAndAddress = limiter('login-fail-ip', limits.loginFailuresPerAccountAndAddressPer15Min, 900);
  // The account and the network it is tried from: one stranger's failures lock out that stranger, not the owner.
  const pairKey = (ip: string, email: string) => `${clientKey(ip)} ${email}`;
  const registrationsByAddress = limiter('register-ip', limits.registrationsPerAddressPerHour, 3600);
  const mailsByRecipient = limiter('mail-to', limits.mailsPerRecipientPerHour, 3600);

  // Housekeeping rides on the traffic that makes the rows: every few hundred counted attempts, ended limiter
  // windows, dead sessions and links, and registrations that can no longer be confirmed are deleted, so a flood
  // from many addresses leaves a bounded table.
  let attempts = 0;
  async function consume(bucket: DbRateLimiter, key: string, message: string): Promise<void> {
    if (++attempts % PURGE_EVERY === 0) await store.purgeExpiredAuth(clock.now());
    if (bucket.points === 0) return;
    try {
      await bucket.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new LimitError(message, err.msBeforeNext);
      throw err;
    }
  }

  return {
    /**
     * Before checking a password: attempts per client address; failures of the account (named by address) from this
     * client's network; and failures of the account from everywhere, a higher cap that stops a guesser spread over
     * many networks. Only the last lets strangers lock an owner out, and only by guessing from that many networks.
     */
    async beforeLogin(ip: string, email: string): Promise<void> {
      await consume(loginsByAddress, clientKey(ip), 'Too many sign-in attempts from your network. Try again later.');
      const mine = limits.loginFailuresPerAccountAndAddressPer15Min > 0 ? await failuresByAccountAndAddress.get(pairKey(ip, email)) : null;
      if (mine && mine.consumedPoints >= limits.loginFailuresPerAccountAndAddressPer15Min) {
        throw new LimitError('Too many failed sign-ins for this account from your network. Try again later or reset the password.', mine.msBeforeNext);
      }
      const all = limits.loginFailuresPerAccountPer15Min > 0 ? await failuresByAccount.get(email) : null;
      if (all && all.consumedPoints >= limits.loginFailuresPerAccountPer15Min) {
        throw new LimitError('Too many failed sign-ins for this account. Try again later or reset the password.', all.msBeforeNext);
      }
    },
    async loginFailed(ip: string, email: string): Promise<void> {
      if (limits.loginFailuresPerAccountAndAddressPer15Min > 0) await failuresByAccountAndAddress.penalty(pairKey(ip, email));
      if (limits.loginFailuresPerAccountPer15Min > 0) await failuresByAccount.penalty(email);
    },
    /**
     * Clears this network's failures only: the account-wide count is a guesser's tally elsewhere, which the owner
     * signing in must not reset (it ends with its window).
     */
    async loginSucceeded(ip: string, email: string): Promise<void> {
      if (limits.loginFailuresPerAccountAndAddressPer15Min > 0) await failuresByAccountAndAddress.delete(pairKey(ip, email));
    },
    /** Registrations and reset requests share this: each may send a mail. */
    async beforeMailRequest(ip: string): Promise<void> {
      await consume(registrationsByAddress, clientKey(ip), 'Too many registrations or reset requests from your network. Try again later.');
    },
    /** False once an address got its share of our mail this hour; the request still answers the same (no enumeration). */
    async mayMail(email: string): Promise<boolean> {
      if (limits.mailsPerRecipientPerHour === 0) return true;
      try {
        await mailsByRecipient.consume(email);
        return true;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },

    /**
     * The limits for a call of `accountId` to `to` due at `dueAt`, for the store to decide in the transaction that
     * inserts it (under locks on the account and the number): created per account per day, pending per account, due
     * to one number within a day of it (all accounts). Each count reads through an index: the account's rows of the
     * last day, its scheduled rows, the number's rows (which this limit keeps few) — never the whole table. The
     * day around a call is closed at both ends: a call exactly 24 h after three others still counts them.
     */
    callGuard(accountId: string, to: string, dueAt: number): CallLimitGuard {
      const now = clock.now();
      const reads = {
        createdSince: now - DAY_MS + 1,
        createdMax: limits.callsPerAccountPerDay,
        countPending: limits.pendingCallsPerAccount > 0,
        dueFrom: dueAt - DAY_MS,
        dueUntil: dueAt + DAY_MS,
        numberMax: limits.callsPerNumberPerDay,
        ownNumberMax: limits.callsPerNumberPerAccountPerDay,
      };
      return { accountId, to, reads, decide: (tally) => decideCallLimits(tally, limits, clock.now()) };
    },
  };
}

/** Throws the LimitError of the first limit the tally reaches (see callGuard). */
function decideCallLimits(tally: LimitTally, limits: AbuseLimitOptions, now: number): void {
  const mine = tally.createdByAccount;
  if (limits.callsPerAccountPerDay > 0 && mine.length >= limits.callsPerAccountPerDay) {
    const wait = (mine[0] as number) + DAY_MS - now;
    throw new LimitError(`You have scheduled ${limits.callsPerAccountPerDay} calls in the last 24 hours, the most allowed. Try again in ${minutes(wait)}.`, wait);
  }
  const pending = tally.pending;
  if (limits.pendingCallsPerAccount > 0 && pending.count >= limits.pendingCallsPerAccount) {
    const wait = Math.max((pending.soonestDueAt ?? now) - now, 1000);
    throw new LimitError(`You have ${pending.count} calls waiting, the most allowed. Cancel one, or try again in ${minutes(wait)} when the next is placed.`, wait);
  }
  // What the person called feels is when the phone rings, not when someone asked for it: counted are the calls
  // due within 24 h either side of this one, whenever (and by whomever) they were scheduled.
  const near = tally.dueToNumber;
  if (limits.callsPerNumberPerDay > 0 && near.length >= limits.callsPerNumberPerDay) {
    // Scheduled after this, a call due from then on is more than a day after every one counted (latest first).
    const wait = Math.max((near[0] as number) + DAY_MS - now, 1000);
    throw new LimitError(
      `This number already has ${near.length} calls due within 24 hours of that time, the most allowed. Choose a time more than a day away from them.`,
      wait,
    );
  }
  // One account may not take a number's whole day for itself: a stranger booking every slot would block everyone
  // else from calling it. An account whose call to the number was answered before is trusted with more.
  const own = tally.ownDueToNumber;
  if (limits.callsPerNumberPerAccountPerDay > 0 && !tally.answeredBefore && own.length >= limits.callsPerNumberPerAccountPerDay) {
    const wait = Math.max((own[0] as number) + DAY_MS - now, 1000);
    throw new LimitError(
      `You already have ${own.length === 1 ? 'a call' : `${own.length} calls`} to this number within 24 hours of that time, the most allowed until a call of yours to it has been answered. Choose a time more than a day away.`,
      wait,
    );
  }
}
export type AbuseLimits = ReturnType<typeof createAbuseLimits>;
