import test from 'ava';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { startTestService } from '../../helpers/test-service.ts';

function get(url: string, agent: http.Agent): Promise<{ status: number; body: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: req.socket as net.Socket }));
    });
    req.on('error', reject);
  });
}

test('when stopping with an idle keep-alive connection, then the socket is closed and stop resolves', async (t) => {
  const svc = await startTestService();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const first = await get(`${svc.url}/health`, agent);
  t.is(first.status, 200);
  t.false(first.socket.destroyed);
  // A free keep-alive socket is unref'd by the agent; ref it so the loop stays alive until the server's FIN lands.
  first.socket.ref();
  const closed = once(first.socket, 'close');
  await svc.stop();
  await closed;
  t.true(first.socket.destroyed);
  t.false(svc.service.listening);
});

test('when stopping during a request, then it finishes, is told Connection: close, and stop waits for it', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const svc = await startTestService({
    beforeStart: (service) =>
      service.app.use(async (ctx) => {
        if (ctx.path !== '/slow') return;
        entered();
        await gate;
        ctx.body = { done: true };
      }),
  });
  const agent = new http.Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const pending = new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(`${svc.url}/slow`, { agent }, resolve).on('error', reject);
  });
  await inside;
  let stopped = false;
  const stopping = svc.stop().then(() => (stopped = true));
  release();
  const res = await pending;
  t.is(res.statusCode, 200);
  t.is(res.headers.connection, 'close');
  res.resume();
  await stopping;
  t.true(stopped);
});
