import { request, createServer, type Server } from 'node:http';

/**
 * A small round-robin HTTP proxy for the chaos run (loopback only). The request body is read first, so a request a
 * dead backend refused is sent to the next one; one it dropped after receiving is retried only when repeating it is
 * harmless (a webhook: applied once by event id; a GET), as a load balancer does by default; else the client gets a
 * 502 and the outcome is unknown to it. Each backend is tried at most once. Written here rather than taken from a
 * library: it needs only this retry rule, in seventy lines.
 */
export function startProxy(backends: () => readonly string[]): Promise<{ url: string; server: Server; stats: { retried: number; failed: number } }> {
  let next = 0;
  const stats = { retried: 0, failed: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const list = backends();
      const start = next++;
      const attempt = (i: number) => {
        if (i >= list.length) {
          stats.failed++;
          res.writeHead(502).end();
          return;
        }
        const target = new URL(req.url ?? '/', list[(start + i) % list.length]);
        const upstream = request(
          target,
          { method: req.method, headers: { ...req.headers, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http' }, timeout: 15_000 },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (res.headersSent) return void res.destroy();
          const repeatable = err.code === 'ECONNREFUSED' || req.method === 'GET' || req.url === '/webhook';
          if (!repeatable) {
            stats.failed++;
            res.writeHead(502).end();
            return;
          }
          stats.retried++;
          attempt(i + 1);
        });
        upstream.on('timeout', () => upstream.destroy(new Error(`proxy: ${req.method ?? 'GET'} ${target.pathname} on ${target.host}: no answer within 15 s`)));
        upstream.end(body);
      };
      attempt(0);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, server, stats });
    }),
  );
}
