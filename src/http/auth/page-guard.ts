import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Csrf } from './csrf.ts';
import type { Principal, RequestAuth } from './request-auth.ts';

/**
 * What every signed-in page needs: the account, or a redirect to the sign-in page (which returns here after a GET),
 * and form posts that must carry this visitor's CSRF token (403 otherwise), checked before anything else.
 */
export function createPageGuard(deps: { auth: RequestAuth; csrf: Csrf }, router: Router) {
  async function signedIn(ctx: Context): Promise<Principal | undefined> {
    const principal = await deps.auth.identify(ctx);
    if (principal) return principal;
    ctx.status = 303;
    ctx.redirect(ctx.method === 'GET' ? `/login?next=${encodeURIComponent(ctx.path)}` : '/login');
    return undefined;
  }
  const post = (path: string, handler: (ctx: Context, principal: Principal) => Promise<void>) =>
    router.post(path, async (ctx) => {
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      await deps.csrf.verify(ctx, body._csrf);
      const principal = await signedIn(ctx);
      if (principal) await handler(ctx, principal);
    });
  return { signedIn, post };
}
