import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CarrierSimulator } from 'telnyx-simulator';
import { doctor } from '../../../tasks/doctor/doctor.ts';

const KEY = 'KEY_GOOD';

/** The simulator standing in for Telnyx (its account endpoints answer as the spec does), and a public address. */
async function setup(t: ExecutionContext) {
  const simulator = new CarrierSimulator();
  simulator.account.apiKeys.push(KEY);
  const { baseUrl } = await simulator.start();
  const health = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404).end();
  });
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    await simulator.stop();
    await new Promise((resolve) => health.close(resolve));
  });
  const env: Record<string, string> = {
    TELNYX_API_KEY: KEY,
    TELNYX_BASE_URL: baseUrl,
    TELNYX_CONNECTION_ID: 'simulated-connection',
    TELNYX_FROM_NUMBER: '+12025550100',
    TELNYX_PUBLIC_KEY: simulator.publicKeyBase64,
    PUBLIC_URL: `http://127.0.0.1:${(health.address() as AddressInfo).port}`,
    MAX_CONCURRENT_CALLS: '2',
  };
  const run = async (overrides: Record<string, string> = {}) => {
    const lines: string[] = [];
    const code = await doctor({ ...env, ...overrides }, (line) => lines.push(line));
    return { code, lines, failed: lines.filter((l) => l.startsWith('FAIL')) };
  };
  return { simulator, run };
}

test('when the set-up is good, then every check passes and the exit code is 0', async (t) => {
  const { run } = await setup(t);
  const { code, lines, failed } = await run();
  t.is(code, 0, lines.join('\n'));
  t.deepEqual(failed, []);
  for (const name of ['API key', 'connection', 'outbound voice profile', 'caller id', 'public key', 'channels', 'webhooks']) {
    t.true(lines.some((l) => l.startsWith(`ok   ${name}:`)), name);
  }
  t.is(lines.at(-1), 'All checks passed.');
});

const broken: [string, (s: CarrierSimulator) => void, Record<string, string>, string, RegExp][] = [
  ['a bad key', () => undefined, { TELNYX_API_KEY: 'KEY_WRONG' }, 'API key', /refused \(401 Authentication failed\).*Keys & Credentials/],
  ['an unknown connection', () => undefined, { TELNYX_CONNECTION_ID: 'no-such-app' }, 'connection', /no Call Control application with id no-such-app.*Programmable Voice/],
  ['a number not assigned to the application', (s) => ((s.account.phoneNumbers[0] as { connection_id: string | null }).connection_id = null), {}, 'caller id', /not assigned to the application.*make setup/],
  ['a number not of the account', () => undefined, { TELNYX_FROM_NUMBER: '+12025550199' }, 'caller id', /not a number of this account/],
  ['no outbound voice profile', (s) => delete s.account.applications[0]?.outbound.outbound_voice_profile_id, {}, 'outbound voice profile', /no outbound voice profile.*Outbound Voice Profiles/],
  ['a profile that does not allow the country', (s) => (s.account.outboundVoiceProfiles[0] as { whitelisted_destinations: string[] }).whitelisted_destinations.splice(0), {}, 'outbound voice profile', /does not allow calls to US/],
  ['an unreachable public address', () => undefined, { PUBLIC_URL: 'http://127.0.0.1:9' }, 'webhooks', /did not answer/],
  ['more concurrent calls than the application allows', () => undefined, { MAX_CONCURRENT_CALLS: '11' }, 'channels', /above the application's outbound channel limit of 10/],
  ['a malformed public key', () => undefined, { TELNYX_PUBLIC_KEY: 'bm90LWEta2V5' }, 'public key', /not the base64 of 32 bytes/],
];
for (const [what, breakIt, env, name, message] of broken) {
  test(`when the set-up has ${what}, then that check fails with its own line and the exit code is 1`, async (t) => {
    const { simulator, run } = await setup(t);
    breakIt(simulator);
    const { code, failed, lines } = await run(env);
    t.is(code, 1);
    const line = failed.find((l) => l.startsWith(`FAIL ${name}:`));
    t.truthy(line, lines.join('\n'));
    t.regex(line ?? '', message);
    t.regex(lines.at(-1) ?? '', new RegExp(`check\\(s\\) failed: .*${name}`));
  });
}

test('when no API key is set, then the doctor says so and exits 1 without asking anything', async (t) => {
  const lines: string[] = [];
  t.is(await doctor({}, (line) => lines.push(line)), 1);
  t.regex(lines[0] ?? '', /^FAIL API key: TELNYX_API_KEY is not set/);
});
