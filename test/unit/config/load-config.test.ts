import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load-config.ts';
import { ENV_VARS } from '../../../src/config/env-vars.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';

const configDir = join(ROOT_DIR, 'config');
const load = (env: Record<string, string>) => loadConfig({ env, configDir });

test('when nothing is set, then the development defaults apply and the result is frozen', (t) => {
  const config = load({});
  t.is(config.stage, 'development');
  t.is(config.host, '127.0.0.1');
  t.is(config.port, 3000);
  t.is(config.databaseUrl, 'sqlite:data/dialajoke.db');
  t.is(config.queue.dialsPerSecond, 30);
  t.is(config.queue.maxConcurrentCalls, 2);
  t.true(Object.isFrozen(config));
  t.true(Object.isFrozen(config.queue));
  t.throws(() => {
    (config as { port: number }).port = 1;
  });
});

test('when the stage is test, then config/test.json overrides the defaults', (t) => {
  const config = load({ STAGE: 'test' });
  t.is(config.port, 0);
  t.is(config.logLevel, 'silent');
});

test('when environment variables are set, then they win over the files and are coerced', (t) => {
  const config = load({ PORT: '8080', HOST: '::1', DATABASE_URL: 'postgres://u@127.0.0.1/test', DIALS_PER_SECOND: '5', PUBLIC_URL: 'https://x.example' });
  t.is(config.port, 8080);
  t.is(config.host, '::1');
  t.is(config.databaseUrl, 'postgres://u@127.0.0.1/test');
  t.is(config.queue.dialsPerSecond, 5);
  t.is(config.publicUrl, 'https://x.example');
});

test('when a variable is empty, then it counts as unset', (t) => {
  t.is(load({ PORT: '' }).port, 3000);
});

const bad: [Record<string, string>, RegExp][] = [
  [{ PORT: 'abc' }, /^PORT: .*number/],
  [{ PORT: '70000' }, /^PORT: /],
  [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be sqlite:<path> or postgres:\/\/…$/],
  [{ STAGE: 'staging' }, /^STAGE: must be one of development, test, production/],
  [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
  [{ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL: /],
  [{ TELNYX_FROM_NUMBER: '555-1234' }, /^TELNYX_FROM_NUMBER: must be an E\.164 number/],
  [{ DEFAULT_COUNTRY: 'usa' }, /^DEFAULT_COUNTRY: /],
  [{ MAX_CONCURRENT_CALLS: '0' }, /^MAX_CONCURRENT_CALLS: /],
];
for (const [env, message] of bad) {
  test(`when ${JSON.stringify(env)}, then loading fails naming the variable`, (t) => {
    const err = t.throws(() => load(env), { instanceOf: ConfigError });
    t.regex(err.message, message);
    t.false(err.message.includes('\n'));
  });
}

test('when the stage is production without Telnyx settings, then every missing one is named', (t) => {
  const err = t.throws(() => load({ STAGE: 'production' }), { instanceOf: ConfigError });
  for (const name of ['TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY', 'TELNYX_CONNECTION_ID', 'TELNYX_FROM_NUMBER', 'PUBLIC_URL']) {
    t.true(err.message.includes(`${name}: is required in production`), name);
  }
});

test('when a secret is written into a config file, then loading refuses it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-config-'));
  cpSync(configDir, dir, { recursive: true });
  writeFileSync(join(dir, 'development.json'), JSON.stringify({ telnyx: { apiKey: 'KEY123' } }));
  const err = t.throws(() => loadConfig({ env: {}, configDir: dir }), { instanceOf: ConfigError });
  t.regex(err.message, /^telnyx\.apiKey: secrets come only from the environment/);
});

test('when the README lists configuration, then its table names exactly the variables the loader reads', (t) => {
  const readme = readFileSync(join(ROOT_DIR, 'README.md'), 'utf8');
  const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  t.deepEqual(documented, ENV_VARS.map((v) => v.name).sort());
});
