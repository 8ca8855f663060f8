import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../kernel/clock.ts';

const ISSUER = 'dial-a-joke';
type Kind = 'access' | 'session' | 'device';

/** Signs and checks our JWTs (HS256, `JWT_SECRET`). The kind is in the audience, so a token of one kind never passes as the other. */
export function createTokenSigner(deps: { secret: Uint8Array; clock: Clock }) {
  const now = () => Math.floor(deps.clock.now() / 1000);

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
  async function verify(kind: Kind, token: string): Promise<{ sub: string; claims: Record<string, unknown> } | undefined> {
    try {
      const { payload } = await jwtVerify(token, deps.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: kind,
        // jose's own clock would ignore ours; tests move time with the injected clock.
        currentDate: new Date(deps.clock.now()),
      });
      return typeof payload.sub === 'string' ? { sub: payload.sub, claims: payload } : undefined;
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
