import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = 'test/helpers/with-postgres.ts';
// The command run under the helper: prints the URL it was given and whether a server answers there.
const PROBE = `
  import pg from 'pg';
  const url = process.env.TEST_POSTGRES_URL;
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  let answered = false;
  try { await c.connect(); answered = (await c.query('SELECT 1 AS one')).rows[0].one === 1; } catch {}
  await c.end().catch(() => {});
  console.log(JSON.stringify({ url, answered }));
`;

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const lastJson = (stdout: string) => JSON.parse(stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}') as { url?: string; answered?: boolean };

test.serial('when no TEST_POSTGRES_URL is set and nothing answers where the tests look, then a server of the run\'s own answers the command and is removed after', async (t) => {
  const port = await deadPort();
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_POSTGRES_PORT: String(port) };
  delete env.TEST_POSTGRES_URL;
  delete env.SKIP_POSTGRES;
  const { stdout } = await run(process.execPath, [SCRIPT, process.execPath, '--input-type=module', '-e', PROBE], { env, timeout: 120_000 });
  const seen = lastJson(stdout);
  t.true(seen.answered, stdout);
  t.notRegex(seen.url ?? '', new RegExp(`:${port}/`));
  const dir = /\((\/[^)]*daj-test-pg-[0-9a-f]+)\)/.exec(stdout)?.[1];
  t.truthy(dir, stdout);
  t.false(existsSync(dir ?? ''), 'its data folder is removed');
  t.regex(stdout, /Stopped the tests' own PostgreSQL/);
});

test.serial('when TEST_POSTGRES_URL names a server that does not answer, then it is passed on as given (the tests fail loudly there) and nothing is started', async (t) => {
  const url = `postgres://postgres@127.0.0.1:${await deadPort()}/test`;
  const env = { ...process.env, TEST_POSTGRES_URL: url };
  const { stdout } = await run(process.execPath, [SCRIPT, process.execPath, '--input-type=module', '-e', PROBE], { env, timeout: 60_000 });
  t.deepEqual(lastJson(stdout), { url, answered: false });
  t.notRegex(stdout, /starting one/);
});

test('when the command fails, then its exit code is the helper\'s', async (t) => {
  const env = { ...process.env, TEST_POSTGRES_URL: 'postgres://postgres@127.0.0.1:1/test' };
  const err = await t.throwsAsync(run(process.execPath, [SCRIPT, process.execPath, '-e', 'process.exit(3)'], { env }));
  t.is((err as { code?: number }).code, 3);
});
