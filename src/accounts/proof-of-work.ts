import { createHmac } from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge, type Payload } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Clock } from '../kernel/clock.ts';
import { ValidationError } from '../kernel/errors.ts';
import type { AccountStore } from './account-store.ts';

/** The request field (JSON body or form) that carries a solved challenge: ALTCHA's own name for it. */
export const POW_FIELD = 'altcha';

export type ProofOfWorkOptions = { enabled: boolean; maxCounter: number; challengeSeconds: number };

const refused = (message: string) => new ValidationError([{ path: POW_FIELD, message }], 'The proof of work does not count.');

/**
 * Self-hosted proof of work with altcha-lib (ALTCHA's "PoW v2", no third-party service): a challenge signed with a
 * key derived from JWT_SECRET, so any instance verifies any other's; the solver (our page's script, or a program)
 * finds the counter by brute force, SHA-256, up to `maxCounter` tries, while the check costs us one HMAC. The
 * challenge's expiry is a signed field checked against our clock (altcha's own `expiresAt` would read Date.now),
 * and each solution is spent in the store once, so a replay is refused on every instance.
 */
export function createProofOfWork(deps: { store: AccountStore; clock: Clock; secret: Uint8Array; options: ProofOfWorkOptions }) {
  const { store, clock, options } = deps;
  const derive = (label: string) => createHmac('sha256', deps.secret).update(`dial-a-joke proof of work: ${label}`).digest('hex');
  const hmacSignatureSecret = derive('challenge');
  const hmacKeySignatureSecret = derive('key');

  return {
    enabled: options.enabled,
    /** A new challenge (altcha's JSON), valid for `challengeSeconds`. */
    async challenge(): Promise<Challenge> {
      return createChallenge({
        algorithm: 'SHA-256',
        cost: 1,
        // Deterministic mode: the counter is chosen here and its key's prefix signed, so checking is one HMAC.
        counter: randomInt(options.maxCounter, Math.ceil(options.maxCounter / 2)),
        deriveKey,
        data: { expires: clock.now() + options.challengeSeconds * 1000 },
        hmacSignatureSecret,
        hmacKeySignatureSecret,
      });
    },
    /**
     * Accepts a solution once: `payload` is what ALTCHA's clients send, base64 of `{challenge, solution}` JSON (or that
     * object). Throws a ValidationError on `altcha` when it is missing, malformed, not ours, wrong, expired or spent.
     */
    async spend(payload: unknown): Promise<void> {
      if (payload === undefined || payload === '' || payload === null) throw refused('is required: solve a challenge from GET /api/auth/challenge');
      let parsed: Payload | undefined;
      try {
        parsed = (typeof payload === 'string' ? JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) : payload) as Payload;
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed !== 'object' || typeof parsed.challenge?.parameters !== 'object' || typeof parsed.solution !== 'object') {
        throw refused('is not an ALTCHA payload (base64 of {"challenge", "solution"})');
      }
      const result = await verifySolution({ challenge: parsed.challenge, solution: parsed.solution, deriveKey, hmacSignatureSecret, hmacKeySignatureSecret });
      if (!result.verified) throw refused(result.invalidSignature ? 'is not a challenge of ours' : 'is not a solution of its challenge');
      // Signed by us, so these are our own values.
      const expires = Number(parsed.challenge.parameters.data?.expires);
      if (!(expires > clock.now())) throw refused('belongs to an expired challenge: solve a new one');
      if (!(await store.spendProof(parsed.challenge.parameters.nonce, expires))) throw refused('was already used: solve a new challenge');
    },
  };
}
export type ProofOfWork = ReturnType<typeof createProofOfWork>;
