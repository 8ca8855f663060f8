import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarrierSimulator } from 'telnyx-simulator';
import { doctor } from '../../../tasks/doctor/doctor.ts';
import { setup, writeEnvValue } from '../../../tasks/setup/setup.ts';

/** The simulator standing in for Telnyx, its number not yet on the application, and a temp .env. */
async function account(t: ExecutionContext) {
  const simulator = new CarrierSimulator();
  const { baseUrl } = await simulator.start();
  const dir = mkdtempSync(join(tmpdir(), 'daj-setup-'));
  t.teardown(async () => {
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const envFile = join(dir, '.env');
  writeFileSync(envFile, `TELNYX_API_KEY=KEY_DEV\nTELNYX_BASE_URL=${baseUrl}\nTELNYX_CONNECTION_ID=\n`);
  const [number] = simulator.account.phoneNumbers;
  if (number) number.connection_id = null;
  const env = { TELNYX_API_KEY: 'KEY_DEV', TELNYX_BASE_URL: baseUrl, PUBLIC_URL: 'https://calls.example.com' };
  const run = async (answer: boolean, extra: Record<string, string> = {}) => {
    const lines: string[] = [];
    const questions: string[] = [];
    const code = await setup({
      env: { ...env, ...extra },
      envFile,
      ask: (q) => {
        questions.push(q);
        return Promise.resolve(answer);
      },
      write: (line) => lines.push(line),
    });
    return { code, lines, questions };
  };
  return { simulator, envFile, run, baseUrl };
}

test('when the account has one application and one number, then setup writes both ids into .env, assigns the number and asks before replacing the webhook URL', async (t) => {
  const { simulator, envFile, run, baseUrl } = await account(t);
  const { code, lines, questions } = await run(true);
  t.is(code, 0, lines.join('\n'));
  const written = readFileSync(envFile, 'utf8');
  t.regex(written, /^TELNYX_CONNECTION_ID=simulated-connection$/m);
  t.regex(written, /^TELNYX_FROM_NUMBER=\+12025550100$/m);
  t.regex(written, /^TELNYX_API_KEY=KEY_DEV$/m);
  t.is(simulator.account.phoneNumbers[0]?.connection_id, 'simulated-connection');
  t.is(simulator.account.applications[0]?.webhook_event_url, 'https://calls.example.com/webhook');
  // The number was on no application: assigned without a question; the webhook URL was the account's own: asked.
  t.deepEqual(questions, ["The application's webhook URL is http://127.0.0.1:3000/webhook; change it to https://calls.example.com/webhook?"]);
  t.true(lines.some((l) => l.startsWith('Assigned +12025550100 to the application simulated-connection')));
  // What setup left behind passes the doctor's API checks.
  const checked: string[] = [];
  await doctor(
    { TELNYX_API_KEY: 'KEY_DEV', TELNYX_BASE_URL: baseUrl, TELNYX_CONNECTION_ID: 'simulated-connection', TELNYX_FROM_NUMBER: '+12025550100', TELNYX_PUBLIC_KEY: simulator.publicKeyBase64 },
    (line) => checked.push(line),
  );
  t.deepEqual(checked.filter((l) => l.startsWith('FAIL')), []);
});

test('when the person answers no, then what the account already had is left as it was, and said so', async (t) => {
  const { simulator, run } = await account(t);
  simulator.account.applications.push({ id: 'other-app', application_name: 'other', active: true, webhook_event_url: 'https://other.example/hook', outbound: {} });
  const [number] = simulator.account.phoneNumbers;
  if (number) number.connection_id = 'other-app';
  const { code, lines } = await run(false, { TELNYX_CONNECTION_ID: 'simulated-connection', TELNYX_FROM_NUMBER: '+12025550100' });
  t.is(code, 0);
  t.is(simulator.account.phoneNumbers[0]?.connection_id, 'other-app');
  t.is(simulator.account.applications[0]?.webhook_event_url, 'http://127.0.0.1:3000/webhook');
  t.true(lines.some((l) => l.startsWith('Left +12025550100 on other-app')));
  t.true(lines.some((l) => l.startsWith("Left the application's webhook URL at http://127.0.0.1:3000/webhook")));
});

test('when the account has several applications and .env names none, then setup lists them and changes nothing', async (t) => {
  const { simulator, envFile, run } = await account(t);
  simulator.account.applications.push({ id: 'second', application_name: 'second', active: true, webhook_event_url: 'https://x.example/hook', outbound: {} });
  const { code, lines } = await run(true);
  t.is(code, 1);
  t.regex(lines[0] ?? '', /Several Call Control applications \(simulated-connection "dial-a-joke", second "second"\)/);
  t.regex(readFileSync(envFile, 'utf8'), /^TELNYX_CONNECTION_ID=$/m);
  t.is(simulator.account.phoneNumbers[0]?.connection_id, null);
});

test('when a value is written into a dotenv file, then its line is replaced in place or appended', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-env-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, '.env');
  writeEnvValue(file, 'A', '1');
  writeFileSync(file, `${readFileSync(file, 'utf8')}# note\nB=old`);
  writeEnvValue(file, 'B', '2');
  writeEnvValue(file, 'C', '3');
  t.is(readFileSync(file, 'utf8'), 'A=1\n# note\nB=2\nC=3\n');
});
