// Runs a command with a PostgreSQL for it in TEST_POSTGRES_URL, so a fresh clone passes `npm test` (which is
// `with-postgres.ts ava`) with nothing installed by hand; CI runs the benchmark smoke test through it too.
//   - TEST_POSTGRES_URL set: that server, as given; if it does not answer, the PostgreSQL tests fail loudly.
//   - unset, and the machine's server answers (127.0.0.1:5432, user postgres, database test): that one.
//   - unset, and none answers (or it refuses us): a throw-away server of the run's own, stopped and removed after.
// Usage: node test/helpers/with-postgres.ts <command> [args…]   (`npm test -- test/unit/x.test.ts` adds ava's args)
import { spawn } from 'node:child_process';
import { defaultPostgresUrl, probePostgres, startOwnPostgres, type OwnPostgres } from './own-postgres.ts';
import { dropSuiteDatabases, makeSuiteTemplate, newSuiteRun } from './suite-store.ts';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node test/helpers/with-postgres.ts <command> [args…]');
  process.exit(2);
}
const say = (line: string) => console.log(`[postgres] ${line}`);
const env = { ...process.env };
let own: OwnPostgres | undefined;

if (env.TEST_POSTGRES_URL === undefined && env.SKIP_POSTGRES !== '1') {
  const url = defaultPostgresUrl(env);
  const refused = await probePostgres(url);
  if (refused) {
    say(`No usable server at ${url.replace('postgres://postgres@', '')} (${refused.message}): starting one for this run.`);
    own = await startOwnPostgres(say);
    env.TEST_POSTGRES_URL = own.url;
  } else {
    env.TEST_POSTGRES_URL = url;
  }
}

// SUITE_STORE=postgres (`npm run test:postgres`): every test service gets a database of its own, copied from one
// migrated template made here (test/helpers/suite-store.ts); whatever is left is dropped after the run.
const suite = env.SUITE_STORE === 'postgres' && env.TEST_POSTGRES_URL !== undefined ? env.TEST_POSTGRES_URL : undefined;
if (suite) {
  env.SUITE_RUN = newSuiteRun();
  await makeSuiteTemplate(suite, env.SUITE_RUN);
  say('the integration suite runs on PostgreSQL: one database per service, from a migrated template');
}

const child = spawn(command, args, { stdio: 'inherit', env });
// Ctrl-C reaches the command through the terminal's process group; a TERM from a supervisor is passed on. Either
// way the server is stopped once the command has gone.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
const code = await new Promise<number>((resolve) => {
  child.on('error', (err) => {
    console.error(`[postgres] could not run ${command}: ${err.message}`);
    resolve(127);
  });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});
if (suite) {
  try {
    await dropSuiteDatabases(suite, env.SUITE_RUN as string);
  } catch (err) {
    console.error(`[postgres] could not drop the suite's databases: ${err instanceof Error ? err.message : String(err)}`);
  }
}
if (own) {
  try {
    await own.stop();
  } catch (err) {
    console.error(`[postgres] could not stop the run's own server: ${err instanceof Error ? err.message : String(err)}`);
  }
}
process.exit(code);
