import test from 'ava';
import http from 'node:http';
import nock from 'nock';
import { startTestService } from '../../helpers/test-service.ts';

// nock's interception decompresses outgoing request bodies itself (and fails on this one), so this file, which only
// ever talks to its own loopback server, puts Node's http back as it was.
nock.restore();

test('when a webhook body is compressed, then 415 problem and nothing is read: Telnyx signs and sends plain JSON', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const { status, type, body } = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = http.request(`${svc.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: text }));
    });
    req.on('error', reject);
    req.end('not json, not gzip');
  });
  t.is(status, 415);
  t.is(type, 'application/problem+json');
  t.like(JSON.parse(body), { status: 415 });
  t.deepEqual(await svc.deps.store.pendingInbox(10), []);
});
