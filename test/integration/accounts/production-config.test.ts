import test from 'ava';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load-config.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { createWebhookSigner } from 'telnyx-simulator';

const TELNYX = { TELNYX_API_KEY: 'k', TELNYX_PUBLIC_KEY: createWebhookSigner().publicKeyBase64, TELNYX_CONNECTION_ID: 'c', TELNYX_FROM_NUMBER: '+12025550100' };
const load = (env: Record<string, string>) => loadConfig({ env: { STAGE: 'production', ...TELNYX, ...env }, configDir: join(ROOT_DIR, 'config') });

test('when production starts without SMTP_URL, JWT_SECRET and PUBLIC_URL, then it refuses, naming each', (t) => {
  const err = t.throws(() => load({}), { instanceOf: ConfigError });
  for (const name of ['SMTP_URL', 'JWT_SECRET', 'PUBLIC_URL']) t.regex(err.message, new RegExp(`${name}: is required in production`));
});

test('when JWT_SECRET is shorter than 32 bytes or SMTP_URL is not smtp, then the variable is named', (t) => {
  const err = t.throws(() => load({ PUBLIC_URL: 'https://jokes.example', SMTP_URL: 'http://mail.example', JWT_SECRET: 'short' }), { instanceOf: ConfigError });
  t.regex(err.message, /JWT_SECRET: must be at least 32 bytes/);
  t.regex(err.message, /SMTP_URL: must be smtp:\/\//);
});

test('when production has everything, then it loads, with no development outbox', (t) => {
  const config = load({ PUBLIC_URL: 'https://jokes.example', SMTP_URL: 'smtps://u:p@mail.example:465', JWT_SECRET: 'x'.repeat(32) });
  t.false(config.mail.devOutbox);
  t.is(config.limits.callsPerNumberPerDay, 3);
});
