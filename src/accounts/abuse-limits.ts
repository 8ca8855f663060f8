import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../kernel/clock.ts';
import { ErrorCode, LimitError, ValidationError } from '../kernel/errors.ts';
import type { CallLimitGuard, LimitTally, ScheduleTally } from '../calls/call-store.ts';
import type { AccountStore } from './account-store.ts';
import { clientKey, networkKey } from './client-address.ts';
import { DbRateLimiter } from './db-rate-limiter.ts';
import { mailboxKey } from './mailbox-key.ts';
import type { ProofOfWork } from './proof-of-work.ts';

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
  registrationsPerNetworkPerHour: number;
  registrationsPerHour: number;
  mailsPerRecipientPerHour: number;
};
/** A new account's first `days` (0: none): fewer calls a day, and schedules mostly to numbers it has reached. */
export type ProbationOptions = { days: number; callsPerDay: number; unreachedSchedules: number };
/** When a proof of work is asked for (config's `proofOfWork`). */
export type ProofThresholds = { afterRequestsPerNetwork: number; afterRegistrationsPerHour: number };

/**
 * A limit that a proof of work lifts: the request may be sent again with a solved challenge (`altcha`). A 429
 * like any limit (the window's end is when no proof is needed any more); pages solve one and send the form again.
 */
export class ProofRequired extends LimitError {
  constructor(message: string, retryAfterMs: number) {
    super(message, retryAfterMs);
    this.name = 'ProofRequired';
  }
}

/** What a request brings besides its fields: the client address, a remembered-device proof, a proof of work. */
export type Attempt = { ip: string; knownDevice?: boolean; proof?: unknown };

const PROOF_HOW = 'send a proof of work: a challenge from GET /api/auth/challenge, solved, as the field `altcha` (the page does this for you)';
const RESET_CLEARS = 'or reset the password: a reset clears this count';
/** Keys for counts that should count without a limit of their own (a proof threshold): no real cap. */
const UNCAPPED = 1_000_000_000;

export function createAbuseLimits(deps: {
  store: AccountStore;
  clock: Clock;
  limits: AbuseLimitOptions;
  probation: ProbationOptions;
  proof: ProofThresholds;
  pow: ProofOfWork;
}) {
  const { store, clock, limits, probation, pow } = deps;
  const limiter = (keyPrefix: string, points: number, duration: number) => new DbRateLimiter({ store, clock, keyPrefix, points, duration });
  const loginsByAddress = limiter('login-ip', limits.loginsPerAddressPer15Min, 900);
  const failuresByAccount = limiter('login-fail', limits.loginFailuresPerAccountPer15Min, 900);
  const failuresByAccountAndAddress = limiter('login-fail-ip', limits.loginFailuresPerAccountAndAddressPer15Min, 900);
  // The account, then the network it is tried from (so a reset can clear every network's count of one account by
  // prefix): one stranger's failures lock out that stranger, not the owner.
  const pairPrefix = (email: string) => `${email} `;
  const pairKey = (ip: string, email: string) => `${pairPrefix(email)}${clientKey(ip)}`;
  const registrationsByAddress = limiter('register-ip', limits.registrationsPerAddressPerHour, 3600);
  // Counted even when their own limit is off, as long as a proof of work keys on them.
  const countNetwork = limits.registrationsPerNetworkPerHour > 0 || pow.enabled;
  const countGlobal = limits.registrationsPerHour > 0 || pow.enabled;
  const registrationsByNetwork = limiter('register-net', limits.registrationsPerNetworkPerHour || UNCAPPED, 3600);
  const registrationsEverywhere = limiter('register-all', limits.registrationsPerHour || UNCAPPED, 3600);
  const mailsByRecipient = limiter('mail-to', limits.mailsPerRecipientPerHour, 3600);

  // Housekeeping rides on the traffic that makes the rows: every few hundred counted attempts, ended limiter
  // windows, spent proofs, dead sessions and links, and registrations that can no longer be confirmed are deleted,
  // so a flood from many addresses leaves a bounded table.
  let attempts = 0;
  async function consume(bucket: DbRateLimiter, key: string, message: (wait: number) => string): Promise<RateLimiterRes | undefined> {
    if (++attempts % PURGE_EVERY === 0) await store.purgeExpiredAuth(clock.now());
    if (bucket.points === 0) return undefined;
    try {
      return await bucket.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new LimitError(message(err.msBeforeNext), err.msBeforeNext);
      throw err;
    }
  }
  /** Refuses at once when `bucket` has no point left for `key` (counting nothing: consume decides, atomically). */
  async function refuseIfFull(bucket: DbRateLimiter, key: string, message: (wait: number) => string): Promise<void> {
    if (bucket.points === 0) return;
    const res = await bucket.get(key);
    if (res && res.consumedPoints >= bucket.points) throw new LimitError(message(res.msBeforeNext), res.msBeforeNext);
  }
  /** The proof-of-work threshold a register or reset request from `ip` has reached this hour, if any. */
  async function proofThreshold(ip: string, kind: 'register' | 'reset'): Promise<{ why: string; retryAfterMs: number } | undefined> {
    if (!pow.enabled) return undefined;
    const net = await registrationsByNetwork.get(networkKey(ip));
    if ((net?.consumedPoints ?? 0) >= deps.proof.afterRequestsPerNetwork) {
      return { why: 'Many registrations or reset requests come from your network this hour', retryAfterMs: Math.max(1000, net?.msBeforeNext ?? 0) };
    }
    if (kind === 'reset') return undefined;
    const all = await registrationsEverywhere.get('all');
    if ((all?.consumedPoints ?? 0) >= deps.proof.afterRegistrationsPerHour) {
      return { why: 'Many registrations come in this hour', retryAfterMs: Math.max(1000, all?.msBeforeNext ?? 0) };
    }
    return undefined;
  }

  return {
    /** Whether the next register or reset request from `ip` will need a proof of work (pages solve one up front). */
    async proofNeeded(ip: string, kind: 'register' | 'reset'): Promise<boolean> {
      return (await proofThreshold(ip, kind)) !== undefined;
    },

    /**
     * Before checking a password: attempts per client address; failures of the account from this client's network
     * (a refusal); failures of the account from everywhere, which never refuse a device that signed in to the
     * account before, and ask others for a proof of work (or, with proofs off, refuse them) — so strangers cannot
     * lock the owner out. A password reset clears both failure counts.
     */
    async beforeLogin(attempt: Attempt, email: string): Promise<void> {
      const { ip } = attempt;
      await consume(loginsByAddress, clientKey(ip), (wait) => `Too many sign-in attempts from your network. Try again in ${minutes(wait)}.`);
      const mine = limits.loginFailuresPerAccountAndAddressPer15Min > 0 ? await failuresByAccountAndAddress.get(pairKey(ip, email)) : null;
      if (mine && mine.consumedPoints >= limits.loginFailuresPerAccountAndAddressPer15Min) {
        throw new LimitError(`Too many failed sign-ins for this account from your network. Try again in ${minutes(mine.msBeforeNext)}, ${RESET_CLEARS}.`, mine.msBeforeNext);
      }
      if (attempt.knownDevice) return;
      const all = limits.loginFailuresPerAccountPer15Min > 0 ? await failuresByAccount.get(email) : null;
      if (!all || all.consumedPoints < limits.loginFailuresPerAccountPer15Min) return;
      if (!pow.enabled) {
        throw new LimitError(
          `Too many failed sign-ins for this account from many networks. A device that signed in to it before still can; from others try again in ${minutes(all.msBeforeNext)}, ${RESET_CLEARS}.`,
          all.msBeforeNext,
        );
      }
      if (attempt.proof === undefined || attempt.proof === '') {
        throw new ProofRequired(
          `Many failed sign-ins for this account from other networks: from a device that has not signed in to it before, ${PROOF_HOW}. A device that signed in before needs none.`,
          all.msBeforeNext,
        );
      }
      await pow.spend(attempt.proof);
    },
    async loginFailed(ip: string, email: string): Promise<void> {
      if (limits.loginFailuresPerAccountAndAddressPer15Min > 0) await failuresByAccountAndAddress.penalty(pairKey(ip, email));
      if (limits.loginFailuresPerAccountPer15Min > 0) await failuresByAccount.penalty(email);
    },
    /**
     * Clears this network's failures only: the account-wide count is a guesser's tally elsewhere, which the owner
     * signing in must not reset (it ends with its window, or with a password reset).
     */
    async loginSucceeded(ip: string, email: string): Promise<void> {
      if (limits.loginFailuresPerAccountAndAddressPer15Min > 0) await failuresByAccountAndAddress.delete(pairKey(ip, email));
    },
    /** A new password makes every earlier guess moot: the account's failure counts, from every network, end. */
    async passwordReset(email: string): Promise<void> {
      await store.deleteLimitsByPrefix(`${failuresByAccountAndAddress.keyPrefix}:${pairPrefix(email)}`);
      await failuresByAccount.delete(email);
    },

    /**
     * Registrations and reset requests (each may send a mail): per client address, per network (/24, /48), and for
     * registrations from everywhere. Once the network's or everyone's count this hour reached its threshold, each
     * needs a proof of work, checked before anything is counted: a request sent without one costs its sender a
     * round trip, not a share of the budgets.
     */
    async beforeMailRequest(attempt: Attempt, kind: 'register' | 'reset'): Promise<void> {
      const { ip } = attempt;
      const addressFull = (wait: number) => `Too many registrations or reset requests from your address. Try again in ${minutes(wait)}.`;
      const networkFull = (wait: number) => `Too many registrations or reset requests from your network (${networkKey(ip)}) this hour. Try again in ${minutes(wait)}.`;
      const everyoneFull = (wait: number) => `The service has taken all the new registrations it takes in an hour. Try again in ${minutes(wait)}.`;
      // A budget already spent refuses before any work is asked for: solving a proof could not help.
      await refuseIfFull(registrationsByAddress, clientKey(ip), addressFull);
      if (countNetwork) await refuseIfFull(registrationsByNetwork, networkKey(ip), networkFull);
      if (kind === 'register' && countGlobal) await refuseIfFull(registrationsEverywhere, 'all', everyoneFull);
      const reached = await proofThreshold(ip, kind);
      if (reached) {
        if (attempt.proof === undefined || attempt.proof === '') throw new ProofRequired(`${reached.why}: ${PROOF_HOW}.`, reached.retryAfterMs);
        await pow.spend(attempt.proof);
      }
      await consume(registrationsByAddress, clientKey(ip), addressFull);
      if (countNetwork) await consume(registrationsByNetwork, networkKey(ip), networkFull);
      if (kind === 'register' && countGlobal) await consume(registrationsEverywhere, 'all', everyoneFull);
    },
    /**
     * False once a mailbox got its share of our mail this hour; the request still answers the same (no enumeration).
     * Counted per mailbox ({@link mailboxKey}): `me+1@…`, `m.e@gmail.com` share `me@…`'s budget.
     */
    async mayMail(email: string): Promise<boolean> {
      if (limits.mailsPerRecipientPerHour === 0) return true;
      try {
        await mailsByRecipient.consume(mailboxKey(email));
        return true;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },

    /**
     * Whether any limit on calls is on (a day's calls, pending calls, calls to a number, probation). When none is,
     * a call's guard would lock the account and the number and count for nothing: the scheduling path goes without.
     */
    countsCalls:
      limits.callsPerAccountPerDay > 0 || limits.pendingCallsPerAccount > 0 || limits.callsPerNumberPerDay > 0 || limits.callsPerNumberPerAccountPerDay > 0 || probation.days > 0,

    /**
     * The limits for a call of `accountId` to `to` due at `dueAt`, for the store to decide in the transaction that
     * inserts it (under locks on the account and the number): created per account per day, pending per account, due
     * to one number within a day of it (all accounts). Each count reads through an index: the account's rows of the
     * last day, its scheduled rows, the number's rows (which this limit keeps few) — never the whole table. The
     * day around a call is closed at both ends: a call exactly 24 h after three others still counts them.
     */
    callGuard(accountId: string, to: string, dueAt: number): CallLimitGuard {
      const now = clock.now();
      // A new account's smaller day is read within the same bound (the account's age is read in the transaction).
      const onProbation = probation.days > 0;
      const reads = {
        createdSince: now - DAY_MS + 1,
        createdMax: onProbation ? Math.max(limits.callsPerAccountPerDay, probation.callsPerDay) : limits.callsPerAccountPerDay,
        countPending: limits.pendingCallsPerAccount > 0,
        dueFrom: dueAt - DAY_MS,
        dueUntil: dueAt + DAY_MS,
        numberMax: limits.callsPerNumberPerDay,
        ownNumberMax: limits.callsPerNumberPerAccountPerDay,
      };
      return {
        accountId,
        to,
        reads,
        decide: (tally) => decideCallLimits(tally, limits, probation, clock.now()),
        decideSchedule: (tally) => decideScheduleProbation(tally, probation, clock.now()),
      };
    },
  };
}

/** When a new account's probation ends (ms), or undefined when it is not on probation. */
function probationEnd(since: number | null | undefined, probation: ProbationOptions, now: number): number | undefined {
  if (probation.days === 0 || since === null || since === undefined) return undefined;
  const end = since + probation.days * DAY_MS;
  return end > now ? end : undefined;
}
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A new account may keep at most `unreachedSchedules` open schedules to numbers it has never reached with an
 * answered call: a schedule rings a number again and again, which a stranger's fresh account should not be able to
 * do to many people. Not a rate but a right the account earns: 403 on the `to` field, saying when it ends.
 */
function decideScheduleProbation(tally: ScheduleTally, probation: ProbationOptions, now: number): void {
  const end = probationEnd(tally.accountSince, probation, now);
  if (end === undefined || tally.toReached || tally.unreached < probation.unreachedSchedules) return;
  const allowed = probation.unreachedSchedules === 0 ? 'no schedule' : probation.unreachedSchedules === 1 ? 'one schedule' : `${probation.unreachedSchedules} schedules`;
  throw new ValidationError(
    [{ path: 'to', message: `your account is new (until ${day(end)}): it may have ${allowed} to numbers it has not reached with an answered call, and this number has not answered a call of yours yet` }],
    `New accounts (until ${day(end)} for yours) may have ${allowed} to numbers they have not reached. Stop that schedule, or schedule a number that has answered one of your calls.`,
    ErrorCode.forbidden,
  );
}

/** Throws the LimitError of the first limit the tally reaches (see callGuard). */
function decideCallLimits(tally: LimitTally, limits: AbuseLimitOptions, probation: ProbationOptions, now: number): void {
  const mine = tally.createdByAccount;
  const end = probationEnd(tally.accountSince, probation, now);
  if (end !== undefined && mine.length >= probation.callsPerDay && (limits.callsPerAccountPerDay === 0 || probation.callsPerDay < limits.callsPerAccountPerDay)) {
    const wait = (mine[mine.length - probation.callsPerDay] as number) + DAY_MS - now;
    throw new LimitError(
      `Your account is new (until ${day(end)}): it may schedule ${probation.callsPerDay} calls in any 24 hours, and has. Try again in ${minutes(wait)}.`,
      wait,
    );
  }
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
