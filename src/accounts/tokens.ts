import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../kernel/clock.ts';

const ISSUER = 'dial-a-joke';
type Kind = 'access' | 'session' | 'device';
/** What a verified token says: its subject and every claim. */
export type Verified = { readonly sub: string; readonly claims: Readonly<Record<string, unknown>> };
/** A verified token's result and the window jose would accept it in (its `nbf`, if any, and `exp`; whole seconds). */
type Remembered = { result: Verified; nbf: number; exp: number };

/** How many verified tokens of each kind are remembered: a program sends the same bearer token with every request. */
export const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Signs and checks our JWTs (HS256, `JWT_SECRET`). The kind is in the audience, so a token of one kind never passes as
 * the other. A token that verified is remembered, per kind and by its exact text, until its `exp` by our clock: the
 * HMAC and claim checks were a tenth of a scheduling request's time. Only verified tokens enter (a stranger's garbage
 * cannot push them out), and what a token names is still checked by its caller each time (a session's row).
 */
export function createTokenSigner(deps: { secret: Uint8Array; clock: Clock; keep?: number }) {
  const now = () => Math.floor(deps.clock.now() / 1000);
  const keep = deps.keep ?? VERIFIED_TOKENS_KEPT;
  const verified: Record<Kind, LRUCache<string, Remembered>> = {
    access: new LRUCache({ max: keep }),
    session: new LRUCache({ max: keep }),
    device: new LRUCache({ max: keep }),
  };

  async function sign(kind: Kind, subject: string, lifetimeSeconds: number, claims: Record<string, string> = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(kind)
      .setSubject(subject)
      .setIssuedAt(now())
      .setExpirationTime(now() + lifetimeSeconds)
      .sign(deps.secret);
  }

  /** The token's subject and claims, or undefined when it is forged, expired or of another kind. */
  async function verify(kind: Kind, token: string): Promise<Verified | undefined> {
    const cache = verified[kind];
    const known = cache.get(token);
    if (known) {
      // jose's own rules (nbf > now or exp ≤ now refuses; whole seconds, no tolerance), by the injected clock.
      const at = now();
      if (known.nbf <= at && at < known.exp) return known.result;
      if (at >= known.exp) cache.delete(token);
      return undefined;
    }
    try {
      const { payload } = await jwtVerify(token, deps.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: kind,
        // jose's own clock would ignore ours; tests move time with the injected clock.
        currentDate: new Date(deps.clock.now()),
      });
      if (typeof payload.sub !== 'string') return undefined;
      const result: Verified = Object.freeze({ sub: payload.sub, claims: Object.freeze({ ...payload }) });
      // Every token we sign has an exp; one without would not be remembered (nothing would end it here).
      if (typeof payload.exp === 'number') cache.set(token, { result, nbf: payload.nbf ?? -Infinity, exp: payload.exp });
      return result;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return undefined;
      throw err;
    }
  }

  return {
    /** A short-lived bearer token for programs. */
    accessToken: (accountId: string, lifetimeSeconds: number) => sign('access', accountId, lifetimeSeconds),
    verifyAccess: (token: string) => verify('access', token),
    /** The page's session cookie: it names a row of the sessions table, which is what logout revokes. */
    sessionToken: (accountId: string, sessionId: string, lifetimeSeconds: number) => sign('session', accountId, lifetimeSeconds, { sid: sessionId }),
    verifySession: (token: string) => verify('session', token),
    /**
     * The remembered-device cookie: proof that this browser (or program) signed in to the account before. It grants
     * nothing but a way past the account-wide failure count that strangers can run up; the password is still checked.
     */
    deviceToken: (accountId: string, lifetimeSeconds: number) => sign('device', accountId, lifetimeSeconds),
    verifyDevice: (token: string) => verify('device', token),
  };
}
export type TokenSigner = ReturnType<typeof createTokenSigner>;
