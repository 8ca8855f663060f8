import { randomBytes } from 'node:crypto';
import { sha256 } from '../../src/accounts/account-service.ts';
import { hashPassword } from '../../src/accounts/passwords.ts';
import type { Deps } from '../../src/compose/index.ts';
import { SESSION_COOKIE } from '../../src/http/auth/request-auth.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
let counter = 0;

/**
 * An activated account made directly through the app's own parts (no HTTP, no mail), with a bearer token:
 * fast enough for every test that only needs to be someone. Tests about accounts use the HTTP flow instead.
 */
export async function createTestAccount(deps: Deps, email = `person-${++counter}-${randomBytes(3).toString('hex')}@example.test`) {
  const id = deps.newId();
  const now = deps.clock.now();
  const passwordHash = await hashPassword(TEST_PASSWORD, deps.config.auth.passwordCost);
  if (!(await deps.store.insertAccount({ id, email, passwordHash, createdAt: now }))) throw new Error(`${email} is taken`);
  const link = randomBytes(16).toString('base64url');
  await deps.store.insertMailToken({
    tokenHash: sha256(link),
    accountId: id,
    purpose: 'activate',
    passwordHash,
    createdAt: now,
    expiresAt: now + 60_000,
  });
  await deps.store.activateWithToken(sha256(link), now);
  const token = await deps.tokens.accessToken(id, deps.config.auth.accessTokenSeconds);
  return {
    id,
    email,
    password: TEST_PASSWORD,
    token,
    /** Headers for a JSON request as this account. */
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } as Record<string, string>,
  };
}
export type TestAccount = Awaited<ReturnType<typeof createTestAccount>>;

/**
 * A signed-in page visitor: an account, its session cookie, and a form client that sends the page's CSRF token
 * (read from the page, as a browser would) with every post.
 */
export async function signInPage(deps: Deps, baseUrl: string, account?: TestAccount) {
  const who = account ?? (await createTestAccount(deps));
  const session = `${SESSION_COOKIE}=${await deps.sessions.open(who.id)}`;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${baseUrl}${path}`, { headers: { cookie: session, ...headers }, redirect: 'manual' });
  async function csrfToken(): Promise<string> {
    const html = await (await get('/')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error('no CSRF token on the page');
    return token;
  }
  return {
    account: who,
    cookie: session,
    csrfToken,
    get,
    /** Posts a form with the page's CSRF token; redirects are not followed. */
    async post(path: string, fields: Record<string, string>, options: { csrf?: string | null; cookie?: string } = {}) {
      const token = options.csrf === undefined ? await csrfToken() : options.csrf;
      const body = new URLSearchParams({ ...fields, ...(token === null ? {} : { _csrf: token }) });
      return fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { cookie: options.cookie ?? session, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body,
        redirect: 'manual',
      });
    },
  };
}
