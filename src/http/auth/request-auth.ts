import type { Context } from 'koa';
import type { PageSession, Sessions } from '../../accounts/sessions.ts';
import type { TokenSigner } from '../../accounts/tokens.ts';
import { AuthenticationError } from '../../kernel/errors.ts';

export const SESSION_COOKIE = 'daj_session';

/** Who is calling: an account, and the page session when it came with the session cookie rather than a bearer token. */
export type Principal = { accountId: string; session?: PageSession };

const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/;

/** Reads the caller from `Authorization: Bearer` (programs) or the session cookie (the page), once per request. */
export function createRequestAuth(deps: { tokens: TokenSigner; sessions: Sessions }) {
  async function identify(ctx: Context): Promise<Principal | undefined> {
    const state = ctx.state as { principal?: Principal | null };
    if (state.principal !== undefined) return state.principal ?? undefined;
    let principal: Principal | undefined;
    const header = ctx.get('Authorization');
    if (header) {
      // A bearer token that is present but wrong fails outright, even when a cookie is present too.
      const token = BEARER.exec(header)?.[1];
      const verified = token ? await deps.tokens.verifyAccess(token) : undefined;
      principal = verified && { accountId: verified.sub };
    } else {
      const cookie = ctx.cookies.get(SESSION_COOKIE);
      const session = cookie ? await deps.sessions.resolve(cookie) : undefined;
      principal = session && { accountId: session.accountId, session };
    }
    state.principal = principal ?? null;
    return principal;
  }

  return {
    identify,
    /** The caller, or a 401 problem with `WWW-Authenticate: Bearer`. */
    async require(ctx: Context): Promise<Principal> {
      const principal = await identify(ctx);
      if (!principal) {
        throw new AuthenticationError(
          ctx.get('Authorization')
            ? 'The bearer token is not valid or has expired; get a new one from POST /api/auth/token.'
            : 'Sign in first: send Authorization: Bearer <token> (from POST /api/auth/token).',
        );
      }
      return principal;
    },
    /** Sets the page session cookie: HttpOnly, SameSite=Lax, Secure whenever the request came over https. */
    setSessionCookie(ctx: Context, value: string, maxAgeSeconds: number): void {
      ctx.cookies.set(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', maxAge: maxAgeSeconds * 1000, overwrite: true });
    },
    clearSessionCookie(ctx: Context): void {
      ctx.cookies.set(SESSION_COOKIE, null, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', overwrite: true });
    },
  };
}
export type RequestAuth = ReturnType<typeof createRequestAuth>;
