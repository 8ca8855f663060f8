import type { Context } from 'koa';
import Tokens from 'csrf';
import { forbidden } from '../../kernel/errors.ts';
import type { RequestAuth } from './request-auth.ts';

const ANON_COOKIE = 'daj_csrf';
const tokens = new Tokens();

/**
 * Synchronizer CSRF tokens from the `csrf` package (pillarjs): each form carries a token made from a secret the
 * attacker's page cannot read. A signed-in visitor's secret is their session's own (a row of the sessions table,
 * so logout ends it); before sign-in (login, register, reset forms) it is a random HttpOnly cookie. koa-csrf would
 * need koa-session, which our revocable sessions table replaces.
 */
export function createCsrf(deps: { auth: RequestAuth }) {
  async function secretOf(ctx: Context, create: boolean): Promise<string | undefined> {
    const principal = await deps.auth.identify(ctx);
    if (principal?.session) return principal.session.csrfSecret;
    let secret = ctx.cookies.get(ANON_COOKIE);
    if (!secret && create) {
      secret = tokens.secretSync();
      ctx.cookies.set(ANON_COOKIE, secret, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/' });
    }
    return secret;
  }

  return {
    /** A fresh token for a form on this response. */
    async token(ctx: Context): Promise<string> {
      return tokens.create((await secretOf(ctx, true)) as string);
    },
    /** Throws a 403 unless `token` was made for this visitor. */
    async verify(ctx: Context, token: unknown): Promise<void> {
      const secret = await secretOf(ctx, false);
      if (!secret || typeof token !== 'string' || !tokens.verify(secret, token)) {
        throw forbidden('This form has expired or was sent from another site. Reload the page and try again.');
      }
    },
  };
}
export type Csrf = ReturnType<typeof createCsrf>;
