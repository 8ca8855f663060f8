import test from 'ava';
import Telnyx from 'telnyx';
import { createWebhookSigner } from 'telnyx-simulator';
import { DomainError, ErrorCode, ValidationError } from '../../../src/kernel/errors.ts';
import { createWebhookVerifier } from '../../../src/telnyx/webhook-verifier.ts';
import { telnyxEvent } from '../../helpers/telnyx-webhooks.ts';

const telnyx = createWebhookSigner();
const stranger = createWebhookSigner();
const sdk = new Telnyx({ apiKey: 'webhook-verification-only', maxRetries: 0 });
const ours = createWebhookVerifier({ publicKey: () => telnyx.publicKeyBase64 });
const nowSeconds = () => Math.floor(Date.now() / 1000);

type Case = { name: string; body: string; headers: Record<string, string>; valid: boolean };

/** Each webhook as Koa would hand it over (lower-case headers among others), with the outcome Telnyx's rules give. */
function cases(): Case[] {
  const body = telnyxEvent('call.answered', 'call-1');
  const signed = (b: string, ts = nowSeconds(), signer = telnyx) => ({ host: '127.0.0.1', 'content-type': 'application/json', ...signer.sign(b, ts) });
  const good = signed(body);
  const flip = (s: string) => (s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`);
  return [
    { name: 'valid', body, headers: good, valid: true },
    { name: 'valid, signed 299 s ago', body, headers: signed(body, nowSeconds() - 299), valid: true },
    { name: 'valid, header names in capitals', body, headers: { 'Telnyx-Signature-Ed25519': good['telnyx-signature-ed25519'], 'Telnyx-Timestamp': good['telnyx-timestamp'] }, valid: true },
    { name: 'forged: signed with another key', body, headers: signed(body, nowSeconds(), stranger), valid: false },
    { name: 'forged: signature bytes changed', body, headers: { ...good, 'telnyx-signature-ed25519': flip(good['telnyx-signature-ed25519']) }, valid: false },
    { name: 'forged: no signature', body, headers: { 'telnyx-timestamp': good['telnyx-timestamp'] }, valid: false },
    { name: 'forged: signature not base64', body, headers: { ...good, 'telnyx-signature-ed25519': `${good['telnyx-signature-ed25519'].slice(0, -4)}!!==` }, valid: false },
    { name: 'forged: signature too short', body, headers: { ...good, 'telnyx-signature-ed25519': good['telnyx-signature-ed25519'].slice(0, 44) }, valid: false },
    { name: 'stale: signed 301 s ago', body, headers: signed(body, nowSeconds() - 301), valid: false },
    { name: 'stale: signed an hour ahead', body, headers: signed(body, nowSeconds() + 3600), valid: false },
    { name: 'stale: no timestamp', body, headers: { 'telnyx-signature-ed25519': good['telnyx-signature-ed25519'] }, valid: false },
    { name: 'stale: timestamp not digits', body, headers: { ...good, 'telnyx-timestamp': `${good['telnyx-timestamp']}.0` }, valid: false },
    { name: 'altered: body changed after signing', body: body.replace('call.answered', 'call.hangup'), headers: good, valid: false },
    { name: 'altered: timestamp changed after signing', body, headers: { ...good, 'telnyx-timestamp': String(Number(good['telnyx-timestamp']) - 1) }, valid: false },
    { name: 'altered: a trailing space', body: `${body} `, headers: good, valid: false },
  ];
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, err }),
  );

for (const c of cases()) {
  test(`when a webhook is ${c.name}, then our verifier and the SDK's unwrap agree (${c.valid ? 'accepted' : 'refused'})`, async (t) => {
    const [mine, theirs] = await Promise.all([outcome(ours(c.body, c.headers)), outcome(sdk.webhooks.unwrap(c.body, { headers: c.headers, key: telnyx.publicKeyBase64 }))]);
    t.is(theirs.ok, c.valid, `the SDK ${theirs.ok ? 'accepted' : 'refused'} it`);
    t.is(mine.ok, c.valid, `our verifier ${mine.ok ? 'accepted' : 'refused'} it`);
    if (mine.ok && theirs.ok) t.deepEqual(mine.value, theirs.value);
    if (!mine.ok) t.true(mine.err instanceof DomainError && mine.err.code === ErrorCode.unauthorized);
  });
}

test('when a validly signed body is not JSON, then both refuse it, and ours says it is malformed rather than forged', async (t) => {
  const body = '{"data": ';
  const headers = telnyx.sign(body, nowSeconds());
  await t.throwsAsync(sdk.webhooks.unwrap(body, { headers, key: telnyx.publicKeyBase64 }));
  await t.throwsAsync(ours(body, headers), { instanceOf: ValidationError });
});

test('when the configured key changes, then webhooks signed with the new key verify and the old key\'s do not', async (t) => {
  let key = telnyx.publicKeyBase64;
  const verify = createWebhookVerifier({ publicKey: () => key });
  const body = telnyxEvent('call.initiated', 'call-2');
  await t.notThrowsAsync(verify(body, telnyx.sign(body, nowSeconds())));
  key = stranger.publicKeyBase64;
  await t.throwsAsync(verify(body, telnyx.sign(body, nowSeconds())), { instanceOf: DomainError });
  await t.notThrowsAsync(verify(body, stranger.sign(body, nowSeconds())));
});

test('when no key or a malformed key is configured, then every webhook is refused as unauthorized', async (t) => {
  const body = telnyxEvent('call.initiated', 'call-3');
  for (const key of [undefined, '', 'not-a-key', Buffer.alloc(31).toString('base64')]) {
    const verify = createWebhookVerifier({ publicKey: () => key });
    const err = await t.throwsAsync(verify(body, telnyx.sign(body, nowSeconds())), { instanceOf: DomainError });
    t.is(err?.code, ErrorCode.unauthorized, `key ${String(key)}`);
  }
});
