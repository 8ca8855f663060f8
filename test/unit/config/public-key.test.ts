import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load-config.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';

const load = (publicKey: string) =>
  loadConfig({ env: { STAGE: 'test', TELNYX_PUBLIC_KEY: publicKey }, configDir: join(ROOT_DIR, 'config') });

/** The raw 32-byte ed25519 public key in base64, as Telnyx's portal shows it. */
function telnyxStyleKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  return Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
}

test('when TELNYX_PUBLIC_KEY is the base64 of a 32-byte ed25519 key, then the config loads', (t) => {
  const key = telnyxStyleKey();
  t.is(load(key).telnyx.publicKey, key);
});

for (const [what, value] of [
  ['not base64 at all', 'not a key'],
  ['base64 of 31 bytes', Buffer.alloc(31, 1).toString('base64')],
  ['a PEM-wrapped key', '-----BEGIN PUBLIC KEY-----MCowBQYDK2VwAyEA-----END PUBLIC KEY-----'],
  ['an API key pasted by mistake', 'KEY0123456789ABCDEF_abcdefghijklmnop'],
] as const) {
  test(`when TELNYX_PUBLIC_KEY is ${what}, then the start stops with one line naming the variable`, (t) => {
    const err = t.throws(() => load(value), { instanceOf: ConfigError });
    t.regex(err.message, /^TELNYX_PUBLIC_KEY: must be the base64 of a 32-byte ed25519 public key/);
    t.false(err.message.includes('\n'));
  });
}
