import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../../accounts/account-service.ts';
import { parseCredentials, parseField } from '../../accounts/account-input.ts';
import type { TokenSigner } from '../../accounts/tokens.ts';
import { ValidationError } from '../../kernel/errors.ts';

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

  router.post('/register', async (ctx) => {
    await deps.accounts.register(parseCredentials(json(ctx)), ctx.ip);
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
    const account = await deps.accounts.authenticate(parseCredentials(json(ctx)), ctx.ip);
    ctx.body = {
      access_token: await deps.tokens.accessToken(account.id, deps.accessTokenSeconds),
      token_type: 'Bearer',
      expires_in: deps.accessTokenSeconds,
    };
  });

  router.post('/reset-request', async (ctx) => {
    await deps.accounts.requestReset(parseField(json(ctx), 'email'), ctx.ip);
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
