import test from 'ava';
import { SignJWT } from 'jose';
import type { AccountStore, SessionRecord } from '../../../src/accounts/account-store.ts';
import { createSessions } from '../../../src/accounts/sessions.ts';
import { createTokenSigner } from '../../../src/accounts/tokens.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';

const secret = new TextEncoder().encode('a test secret of at least thirty-two bytes');

/** The token with one part replaced by `part` (0 header, 1 payload, 2 signature). */
function withPart(token: string, index: number, part: string): string {
  const parts = token.split('.');
  parts[index] = part;
  return parts.join('.');
}

test('when a token is verified again, then the same result comes back and it is one remembered, not checked anew', async (t) => {
  const tokens = createTokenSigner({ secret, clock: createManualClock() });
  const token = await tokens.accessToken('acct-1', 3600);
  const first = await tokens.verifyAccess(token);
  t.is(first?.sub, 'acct-1');
  t.is(await tokens.verifyAccess(token), first);
  t.true(Object.isFrozen(first) && Object.isFrozen(first?.claims), 'a shared result cannot be changed by one caller for the next');
});

test('when the injected clock reaches the token’s exp, then a remembered token is refused as jose would refuse it', async (t) => {
  const clock = createManualClock();
  const tokens = createTokenSigner({ secret, clock });
  const token = await tokens.accessToken('acct-1', 60);
  t.truthy(await tokens.verifyAccess(token));
  await clock.advance(59_000);
  t.truthy(await tokens.verifyAccess(token), 'a second before exp it still passes');
  await clock.advance(1000);
  t.is(await tokens.verifyAccess(token), undefined);
  t.is(await tokens.verifyAccess(token), undefined, 'and stays refused');
});

test('when a remembered token is altered, forged or signed with another secret, then it is refused', async (t) => {
  const clock = createManualClock();
  const tokens = createTokenSigner({ secret, clock });
  const token = await tokens.accessToken('acct-1', 3600);
  t.truthy(await tokens.verifyAccess(token));
  const [, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const otherPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'acct-2' })).toString('base64url');
  t.is(await tokens.verifyAccess(withPart(token, 1, otherPayload)), undefined, 'another subject under the same signature');
  const flipped = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
  t.is(await tokens.verifyAccess(withPart(token, 2, flipped)), undefined, 'an altered signature');
  t.is(await tokens.verifyAccess(`${token}x`), undefined, 'trailing text');
  const stranger = await createTokenSigner({ secret: new TextEncoder().encode('another secret of at least thirty-two bytes'), clock }).accessToken('acct-1', 3600);
  t.is(await tokens.verifyAccess(stranger), undefined, 'signed with another secret');
  const none = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setIssuer('dial-a-joke').setAudience('access').setSubject('acct-1').setExpirationTime('1h').sign(new Uint8Array(64));
  t.is(await tokens.verifyAccess(none), undefined, 'another algorithm');
  t.is((await tokens.verifyAccess(token))?.sub, 'acct-1', 'the genuine token still passes');
});

test('when a remembered token of one kind is offered as another, then it is refused', async (t) => {
  const tokens = createTokenSigner({ secret, clock: createManualClock() });
  const access = await tokens.accessToken('acct-1', 3600);
  const session = await tokens.sessionToken('acct-1', 'sid-1', 3600);
  t.truthy(await tokens.verifyAccess(access));
  t.truthy(await tokens.verifySession(session));
  t.is(await tokens.verifySession(access), undefined);
  t.is(await tokens.verifyDevice(access), undefined);
  t.is(await tokens.verifyAccess(session), undefined);
});

test('when more tokens are verified than it keeps, then the cache stays bounded and the oldest is checked anew', async (t) => {
  const tokens = createTokenSigner({ secret, clock: createManualClock(), keep: 2 });
  const [a, b, c] = await Promise.all(['acct-a', 'acct-b', 'acct-c'].map((id) => tokens.accessToken(id, 3600)));
  const first = await tokens.verifyAccess(a as string);
  await tokens.verifyAccess(b as string);
  await tokens.verifyAccess(c as string);
  const again = await tokens.verifyAccess(a as string);
  t.is(again?.sub, 'acct-a', 'still valid');
  t.not(again, first, 'pushed out by the two after it, so verified again');
  t.is(await tokens.verifyAccess(a as string), again, 'and remembered again');
});

test('when a session is revoked, then its remembered cookie no longer resolves: the row is read every time', async (t) => {
  const clock = createManualClock();
  const tokens = createTokenSigner({ secret, clock });
  const rows = new Map<string, SessionRecord & { revoked: boolean }>();
  const store = {
    insertSession(s: { idHash: string; accountId: string; csrfSecret: string; expiresAt: number }) {
      rows.set(s.idHash, { accountId: s.accountId, email: 'a@example.test', csrfSecret: s.csrfSecret, expiresAt: s.expiresAt, revoked: false });
      return Promise.resolve();
    },
    getSession(idHash: string, now: number) {
      const row = rows.get(idHash);
      return Promise.resolve(row && !row.revoked && row.expiresAt > now ? row : undefined);
    },
    revokeSession(idHash: string) {
      const row = rows.get(idHash);
      if (row) row.revoked = true;
      return Promise.resolve();
    },
  } as unknown as AccountStore;
  const sessions = createSessions({ store, clock, tokens, sessionDays: 30 });
  const cookie = await sessions.open('acct-1');
  const session = await sessions.resolve(cookie);
  t.is(session?.accountId, 'acct-1');
  t.truthy(await sessions.resolve(cookie), 'resolved twice: the token is remembered');
  await sessions.revoke(session as NonNullable<typeof session>);
  t.truthy(await tokens.verifySession(cookie), 'the signature alone still checks out');
  t.is(await sessions.resolve(cookie), undefined, 'but the revoked row refuses it');
});
