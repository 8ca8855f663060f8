import { createServer } from 'node:net';

/**
 * A loopback port free right now: bound, read and released. For a process whose address must be known before it
 * listens (a dial's webhook URL, a service restarted on the same port, a PostgreSQL of the tests' own); shared by the
 * tasks and the tests.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port was bound on 127.0.0.1');
  return address.port;
}
