import test from 'ava';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load-config.ts';
import { buildDeps } from '../../../src/compose/index.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { trustedProxyList } from '../../../src/http/security/proxy-trust.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';

const load = (env: Record<string, string>) => loadConfig({ env: { STAGE: 'test', DATABASE_URL: 'sqlite::memory:', ...env }, configDir: join(ROOT_DIR, 'config') });

test('when the hardening variables are unset, then no proxy is trusted, no token is set and countries follow the caller id', (t) => {
  const config = load({});
  t.false(config.http.trustProxy);
  t.deepEqual(config.http.trustedProxies, []);
  t.deepEqual(trustedProxyList(config.http), []);
  t.is(config.metricsToken, undefined);
  t.is(config.scheduling.allowedCountries, null);
  t.deepEqual(config.scheduling.allowedNumberTypes, ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'VOIP']);
  // With the simulator the caller id is a US number.
  t.deepEqual(buildDeps(config, { logger: createMemoryLogger().logger }).rules.allowedCountries, ['US']);
});

test('when the hardening variables are set, then they are parsed: lists, booleans, the token', (t) => {
  const config = load({
    TRUST_PROXY: 'true',
    TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::/32,192.0.2.7',
    ALLOWED_COUNTRIES: 'us, gb,001',
    ALLOWED_NUMBER_TYPES: 'MOBILE,PREMIUM_RATE',
    ALLOWED_HOSTS: 'Jokes.Example.com,ops.internal',
    MAX_CONNECTIONS: '50',
    METRICS_TOKEN: 'a-token-of-sixteen+',
  });
  t.true(config.http.trustProxy);
  t.deepEqual(config.http.trustedProxies, ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
  // The deprecated switch means a proxy on this host: loopback joins the list.
  t.deepEqual(trustedProxyList(config.http), ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7', 'loopback']);
  t.deepEqual(config.scheduling.allowedCountries, ['US', 'GB', '001']);
  t.deepEqual(config.scheduling.allowedNumberTypes, ['MOBILE', 'PREMIUM_RATE']);
  t.deepEqual(config.http.allowedHosts, ['jokes.example.com', 'ops.internal']);
  t.is(config.http.maxConnections, 50);
  t.is(config.metricsToken, 'a-token-of-sixteen+');
  t.false(load({ TRUST_PROXY: 'false' }).http.trustProxy);
});

test('when a hardening variable is malformed, then the start stops naming it', (t) => {
  t.throws(() => load({ ALLOWED_COUNTRIES: 'USA' }), { instanceOf: ConfigError, message: /^ALLOWED_COUNTRIES/ });
  t.throws(() => load({ ALLOWED_NUMBER_TYPES: 'CHEAP' }), { instanceOf: ConfigError, message: /^ALLOWED_NUMBER_TYPES/ });
  t.throws(() => load({ TRUST_PROXY: 'maybe' }), { instanceOf: ConfigError, message: /^TRUST_PROXY/ });
  for (const bad of ['10.0.0.0/33', 'proxy.example.com', '2001:db8::/129', '*']) {
    t.throws(() => load({ TRUSTED_PROXIES: bad }), { instanceOf: ConfigError, message: /^TRUSTED_PROXIES/ }, bad);
  }
  t.throws(() => load({ METRICS_TOKEN: 'short' }), { instanceOf: ConfigError, message: /^METRICS_TOKEN: must be at least 16/ });
});
