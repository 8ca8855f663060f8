import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../../accounts/account-service.ts';
import { parseCredentials, parseField } from '../../accounts/account-input.ts';
import type { TokenSigner } from '../../accounts/tokens.ts';
import type { Attempt } from '../../accounts/abuse-limits.ts';
import { POW_FIELD } from '../../accounts/proof-of-work.ts';
import { ValidationError } from '../../kernel/errors.ts';

/** The remembered-device cookie (a signed token naming the account this device signed in to). */
export const DEVICE_COOKIE = 'daj_device';

/** The client's address, its remembered-device cookie and any proof of work in `body` (the `altcha` field). */
export function attemptOf(ctx: Context, body: unknown): Attempt & { device?: string } {
  const proof = (body as Record<string, unknown> | undefined)?.[POW_FIELD];
  const device = ctx.cookies.get(DEVICE_COOKIE);
  return { ip: ctx.ip, ...(proof === undefined ? {} : { proof }), ...(device ? { device } : {}) };
}

/**
 * Marks this device as one that signed in to `accountId`: HttpOnly (no script reads it), SameSite=Strict (no other
 * site's request carries it), Secure over https, for `REMEMBER_DEVICE_DAYS`. One account per device: the latest.
 */
export async function rememberDevice(ctx: Context, accounts: AccountService, accountId: string): Promise<void> {
  const { token, maxAgeSeconds } = await accounts.rememberDevice(accountId);
  ctx.cookies.set(DEVICE_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: ctx.secure, path: '/', maxAge: maxAgeSeconds * 1000, overwrite: true });
}

const ACCEPTED = { status: 'accepted', detail: 'If the address can be used, a mail with a link is on its way. The link works once, for a limited time.' };

function json(ctx: Context): unknown {
  if (!ctx.is('application/json')) ctx.throw(415, 'Send the request as application/json.', { expose: true });
  return ctx.request.body;
}

/**
 * The accounts API (docs/accounts.md): register, activate, get a bearer token, reset a password. Register and
 * reset requests answer 202 with one body whatever the address, so the API cannot be used to list accounts.
 */
export function createAuthRouter(deps: { accounts: AccountService; tokens: TokenSigner; accessTokenSeconds: number }): Router {
  const router = new Router({ prefix: '/api/auth' });
  router.use(async (ctx, next) => {
    await next();
    // Tokens and links must never sit in a shared cache.
    ctx.set('Cache-Control', 'no-store');
  });

  // A proof-of-work challenge for a request that needs one (docs/accounts.md): stateless, signed, short-lived.
  router.get('/challenge', async (ctx) => {
    ctx.body = await deps.accounts.challenge();
  });

  router.post('/register', async (ctx) => {
    const body = json(ctx);
    await deps.accounts.register(parseCredentials(body), attemptOf(ctx, body));
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/activate', async (ctx) => {
    if (!(await deps.accounts.activate(parseField(json(ctx), 'token')))) {
      throw new ValidationError([{ path: 'token', message: 'is unknown, already used or expired' }], 'The activation link does not work.');
    }
    ctx.body = { status: 'activated' };
  });

  router.post('/token', async (ctx) => {
    const body = json(ctx);
    const account = await deps.accounts.authenticate(parseCredentials(body), attemptOf(ctx, body));
    await rememberDevice(ctx, deps.accounts, account.id);
    ctx.body = {
      access_token: await deps.tokens.accessToken(account.id, deps.accessTokenSeconds),
      token_type: 'Bearer',
      expires_in: deps.accessTokenSeconds,
    };
  });

  router.post('/reset-request', async (ctx) => {
    const body = json(ctx);
    await deps.accounts.requestReset(parseField(body, 'email'), attemptOf(ctx, body));
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/reset', async (ctx) => {
    const body = json(ctx);
    const token = parseField(body, 'token');
    const password = parseField(body, 'password');
    if (!(await deps.accounts.reset(token, password))) {
      throw new ValidationError([{ path: 'token', message: 'is unknown, already used or expired' }], 'The reset link does not work.');
    }
    ctx.body = { status: 'reset' };
  });

  return router;
}
