import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { ProofRequired } from '../../accounts/abuse-limits.ts';
import type { AccountService } from '../../accounts/account-service.ts';
import { normaliseEmail, parseCredentials } from '../../accounts/account-input.ts';
import type { Sessions } from '../../accounts/sessions.ts';
import { AuthenticationError, DomainError, ErrorCode, LimitError, ValidationError, type FieldError } from '../../kernel/errors.ts';
import type { Csrf } from '../auth/csrf.ts';
import type { RequestAuth } from '../auth/request-auth.ts';
import { ROOT_DIR } from '../../kernel/paths.ts';
import type { Views } from '../views.ts';
import { attemptOf, rememberDevice } from './auth-routes.ts';

/**
 * The browser's proof-of-work solver: our script, and the parts of altcha-lib it imports (its browser build, WebCrypto
 * only), served from here so the page works offline and under our CSP (script-src 'self'). ALTCHA's own widget
 * (the `altcha` package) starts its workers from blob: URLs and injects styles, which that CSP refuses.
 */
function solverFiles(): Map<string, Buffer> {
  const lib = join(ROOT_DIR, 'node_modules', 'altcha-lib', 'dist', 'esm', 'v2');
  const files = new Map<string, Buffer>([['/static/proof-of-work.js', readFileSync(join(ROOT_DIR, 'templates', 'static', 'proof-of-work.js'))]]);
  for (const file of ['pow.js', 'helpers.js', 'types.js', 'algorithms/web/sha.js']) files.set(`/static/altcha/${file}`, readFileSync(join(lib, file)));
  return files;
}

/** As the error middleware decides: HTML only for a client that prefers it (a browser submitting a form). */
const wantsHtml = (ctx: Context) => ctx.accepts(['application/problem+json', 'application/json', 'text/html']) === 'text/html';

/** Fixed notices the login page shows after a redirect; the query names one, never carries text. */
const NOTICES: Record<string, string> = {
  activated: 'Your account is active. Sign in to schedule calls.',
  reset: 'Your password is changed. Sign in with the new one.',
  'signed-out': 'You are signed out.',
};

/** Only a path on this site (not `//evil.example`) may be where sign-in returns to. */
const safeNext = (value: unknown) => (typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/');

const str = (body: unknown, key: string) => {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : '';
};

/**
 * The account pages: register, activate, sign in and out, reset a password. Plain forms (post/redirect/get), each
 * with a CSRF token checked before anything else; problems are shown beside the form with the right status.
 */
export function createAccountPageRouter(deps: {
  accounts: AccountService;
  sessions: Sessions;
  auth: RequestAuth;
  csrf: Csrf;
  views: Views;
  devOutbox: boolean;
}): Router {
  const router = new Router();

  async function render(ctx: Context, template: string, context: Record<string, unknown> = {}) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.views.render(template, { ...context, csrfToken: await deps.csrf.token(ctx), devOutbox: deps.devOutbox });
  }

  /** Renders the form again with the problem: field errors (400), wrong credentials (401), not active (403), a limit (429). */
  async function renderProblem(ctx: Context, template: string, err: unknown, context: Record<string, unknown>) {
    // A client that did not ask for HTML gets the problem+json the error middleware makes of the same error.
    if (!wantsHtml(ctx)) throw err;
    if (err instanceof ValidationError) {
      const errors: Record<string, string[]> = {};
      for (const e of err.errors as FieldError[]) (errors[e.path] ??= []).push(e.message);
      ctx.status = 400;
      // A proof that did not count: the form asks for a new one.
      return render(ctx, template, { ...context, errors, ...(errors.altcha ? { pow: true } : {}) });
    }
    if (err instanceof ProofRequired) {
      ctx.status = 429;
      ctx.set('Retry-After', String(err.retryAfterSeconds));
      const problem = 'Many requests like this one are coming in, so this form now asks your browser for a short calculation (a proof of work; it needs JavaScript). Send the form again: it is done for you before sending.';
      return render(ctx, template, { ...context, problem, pow: true });
    }
    if (err instanceof LimitError) {
      ctx.status = 429;
      ctx.set('Retry-After', String(err.retryAfterSeconds));
      return render(ctx, template, { ...context, problem: err.message });
    }
    if (err instanceof AuthenticationError || (err instanceof DomainError && err.code === ErrorCode.forbidden)) {
      ctx.status = err instanceof AuthenticationError ? 401 : 403;
      return render(ctx, template, { ...context, problem: err.message });
    }
    throw err;
  }

  // Every form post proves it came from our own page before it is read any further. (Not a path-less
  // router.use: @koa/router copies such middleware into the parent router, where it would guard every route.)
  const post = (path: string, handler: (ctx: Context) => Promise<void>) =>
    router.post(path, async (ctx) => {
      await deps.csrf.verify(ctx, str(ctx.request.body, '_csrf'));
      await handler(ctx);
    });

  for (const [path, body] of solverFiles()) {
    router.get(path, (ctx) => {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = body;
    });
  }

  router.get('/register', async (ctx) => render(ctx, 'register.njk', { form: { email: '' }, pow: await deps.accounts.proofNeeded(ctx.ip, 'register') }));
  post('/register', async (ctx) => {
    const form = { email: str(ctx.request.body, 'email') };
    try {
      await deps.accounts.register(parseCredentials(ctx.request.body), attemptOf(ctx, ctx.request.body));
      await render(ctx, 'mail-sent.njk', { what: 'register' });
    } catch (err) {
      await renderProblem(ctx, 'register.njk', err, { form });
    }
  });

  router.get('/activate', (ctx) => render(ctx, 'activate.njk', { token: typeof ctx.query.token === 'string' ? ctx.query.token : '' }));
  post('/activate', async (ctx) => {
    const token = str(ctx.request.body, 'token');
    if (token && (await deps.accounts.activate(token))) {
      ctx.status = 303;
      ctx.redirect('/login?notice=activated');
      return;
    }
    const message = 'This link is unknown, already used or expired. Register again to get a new one.';
    await renderProblem(ctx, 'activate.njk', new ValidationError([{ path: 'token', message: 'is unknown, already used or expired' }], message), { token, problem: message });
  });

  router.get('/login', (ctx) =>
    render(ctx, 'login.njk', { form: { email: '' }, next: safeNext(ctx.query.next), notice: NOTICES[String(ctx.query.notice)] }),
  );
  post('/login', async (ctx) => {
    const form = { email: str(ctx.request.body, 'email') };
    const next = safeNext(str(ctx.request.body, 'next'));
    try {
      const account = await deps.accounts.authenticate(parseCredentials(ctx.request.body), attemptOf(ctx, ctx.request.body));
      deps.auth.setSessionCookie(ctx, await deps.sessions.open(account.id), deps.sessions.lifetimeSeconds);
      await rememberDevice(ctx, deps.accounts, account.id);
      ctx.status = 303;
      ctx.redirect(next);
    } catch (err) {
      await renderProblem(ctx, 'login.njk', err, { form, next });
    }
  });

  post('/logout', async (ctx) => {
    const principal = await deps.auth.identify(ctx);
    if (principal?.session) await deps.sessions.revoke(principal.session);
    deps.auth.clearSessionCookie(ctx);
    ctx.status = 303;
    ctx.redirect('/login?notice=signed-out');
  });

  router.get('/reset', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (!token) return render(ctx, 'reset-request.njk', { form: { email: '' }, pow: await deps.accounts.proofNeeded(ctx.ip, 'reset') });
    const email = await deps.accounts.resetLinkOwner(token);
    if (email) return render(ctx, 'reset.njk', { token, email });
    const message = 'This link is unknown, already used or expired. Ask for a new one.';
    return renderProblem(ctx, 'reset.njk', new ValidationError([{ path: 'token', message: 'is unknown, already used or expired' }], message), { token, problem: message });
  });
  post('/reset', async (ctx) => {
    const email = normaliseEmail(str(ctx.request.body, 'email'));
    try {
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ValidationError([{ path: 'email', message: 'is not an e-mail address' }]);
      await deps.accounts.requestReset(email, attemptOf(ctx, ctx.request.body));
      await render(ctx, 'mail-sent.njk', { what: 'reset' });
    } catch (err) {
      await renderProblem(ctx, 'reset-request.njk', err, { form: { email } });
    }
  });
  post('/reset/confirm', async (ctx) => {
    const token = str(ctx.request.body, 'token');
    try {
      if (!(await deps.accounts.reset(token, str(ctx.request.body, 'password')))) {
        const message = 'This link is unknown, already used or expired. Ask for a new one.';
        return renderProblem(ctx, 'reset.njk', new ValidationError([{ path: 'token', message: 'is unknown, already used or expired' }], message), { token, problem: message });
      }
      ctx.status = 303;
      ctx.redirect('/login?notice=reset');
    } catch (err) {
      await renderProblem(ctx, 'reset.njk', err, { token, email: await deps.accounts.resetLinkOwner(token) });
    }
  });

  return router;
}
