import test from 'ava';
import { DateTime, IANAZone } from 'luxon';
import { startTestService, type TestService } from '../../helpers/test-service.ts';
import { signInPage } from '../../helpers/accounts.ts';
import { rawRequest } from '../../helpers/raw-http.ts';
import nock from 'nock';

// These requests are malformed on purpose and go only to our own loopback server: nock's interception would parse
// (and reject) them before they left, so Node's own net and http are put back for this file.
nock.restore();

let svc: TestService;
let visitor: Awaited<ReturnType<typeof signInPage>>;
test.before(async () => {
  svc = await startTestService();
  visitor = await signInPage(svc.deps, svc.url);
});
test.after.always(() => svc.stop());

const HOST = () => `127.0.0.1:${svc.port}`;

function request(method: string, path: string, headers: Record<string, string> = {}, body: string | Buffer = '') {
  const head = Object.entries({ Host: HOST(), Connection: 'close', ...headers, ...(body.length ? { 'Content-Length': String(body.length) } : {}) })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return rawRequest(svc.port, Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\n${head}\r\n`), Buffer.from(body)]));
}

const inDays = (days: number) => DateTime.utc().plus({ days }).toISO();

for (const cookie of ['tz=%E0%A4%A', 'notice=%zz', 'tz=Mars%2FOlympus; notice=%', `tz=${'A'.repeat(4000)}`]) {
  test.serial(`when the page is asked for with the cookie ${cookie.slice(0, 30)}, then it answers 200, and again after`, async (t) => {
    for (let i = 0; i < 2; i++) {
      const res = await request('GET', '/', { Accept: 'text/html', Cookie: `${visitor.cookie}; ${cookie}` });
      t.is(res.status, 200);
      t.regex(res.headers['content-type'] ?? '', /text\/html/);
    }
  });
}

test.serial('when the form fails validation with a malformed tz cookie, then the error page is a 400, not a 500', async (t) => {
  const _csrf = await visitor.csrfToken();
  const body = new URLSearchParams({ to: 'nope', date: '2026-01-01', time: '10:00', timezone: 'Nowhere/Land', message: '', _csrf }).toString();
  const cookie = `${visitor.cookie}; tz=%E0%A4%A; notice=%`;
  for (let i = 0; i < 2; i++) {
    const res = await request('POST', '/calls', { Accept: 'text/html', Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body);
    t.is(res.status, 400);
    t.regex(res.body, /is not a known IANA time zone/);
  }
});

test.serial('when /api/calls gets a body labelled brotli that is not, then 400 problem', async (t) => {
  const res = await request('POST', '/api/calls', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, 'definitely not brotli');
  t.is(res.status, 400);
  t.is(res.headers['content-type'], 'application/problem+json');
  t.like(JSON.parse(res.body), { status: 400, detail: 'The request body could not be decompressed.' });
});

// The webhook never decompresses: its signature covers the bytes Telnyx sent, and Telnyx sends them plain.
test.serial('when /webhook gets a body labelled brotli, then 415 problem and nothing is decoded', async (t) => {
  const res = await request('POST', '/webhook', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, 'definitely not brotli');
  t.is(res.status, 415);
  t.is(res.headers['content-type'], 'application/problem+json');
  t.like(JSON.parse(res.body), { status: 415 });
});

for (const method of ['PROPFIND', 'TRACE', 'QUERY', 'MKCOL']) {
  test.serial(`when ${method} is sent to an existing route, then 405 problem with Allow`, async (t) => {
    const res = await request(method, '/health');
    t.is(res.status, 405);
    t.is(res.headers['content-type'], 'application/problem+json');
    t.regex(res.headers.allow ?? '', /GET/);
  });
}

test.serial('when CONNECT is sent, then a 405 problem answers instead of a dropped connection', async (t) => {
  const res = await rawRequest(svc.port, `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`);
  t.is(res.status, 405);
  t.is(res.headers['content-type'], 'application/problem+json');
  t.like(JSON.parse(res.body), { status: 405 });
});

const parserErrors: [string, string, number][] = [
  ['a garbage request line', 'HELLO THERE\r\n\r\n', 400],
  ['a space in the method', 'G ET / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ['oversized headers', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ['a bad header name', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400],
];
for (const [what, text, status] of parserErrors) {
  test.serial(`when Node's parser refuses ${what}, then the answer is a ${status} problem+json`, async (t) => {
    const res = await rawRequest(svc.port, text);
    t.is(res.status, status);
    t.is(res.headers['content-type'], 'application/problem+json');
    t.like(JSON.parse(res.body), { status });
  });
}

test.serial('when a chunked body is malformed, then 400 problem and no log line holds the credentials sent', async (t) => {
  const head = [
    'POST /api/calls HTTP/1.1',
    `Host: ${HOST()}`,
    'Authorization: Bearer sekrit-bearer-token-123',
    'Cookie: session=sekrit-session-cookie-456',
    'Content-Type: application/json',
    'Transfer-Encoding: chunked',
  ].join('\r\n');
  const res = await rawRequest(svc.port, `${head}\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`);
  t.true(res.status === 400 || res.status === 401, `status ${res.status}`);
  t.is(res.headers['content-type'], 'application/problem+json');
  const logged = JSON.stringify(svc.logs);
  t.false(logged.includes('sekrit'), 'a secret reached the log');
  t.false(svc.logs.some((l) => (l.level as number) >= 50), 'logged at error level');
});

test.serial('when the logger is handed headers, errors and configs holding secrets, then every one is redacted', (t) => {
  const err = Object.assign(new Error('boom'), { rawPacket: Buffer.from('GET / HTTP/1.1\r\nAuthorization: Bearer sekrit-1'), headers: { cookie: 'sekrit-2' } });
  svc.deps.logger.error({ err, req: { headers: { authorization: 'sekrit-3', 'set-cookie': 'sekrit-4' } }, request: { headers: { Authorization: 'sekrit-5' } }, config: { apiKey: 'sekrit-6', password: 'sekrit-7' } }, 'probe');
  const line = svc.logs.find((l) => l.msg === 'probe');
  t.truthy(line);
  t.false(JSON.stringify(line).includes('sekrit'), JSON.stringify(line));
});

test.serial('when 2,000 requests name made-up time zones, then luxon is never handed one', async (t) => {
  const handed = new Set<string>();
  const original = IANAZone.create.bind(IANAZone);
  IANAZone.create = (name: string) => {
    handed.add(name);
    return original(name);
  };
  t.teardown(() => {
    IANAZone.create = original;
  });
  const made = (i: number) => `Mars/Crater_${i}_${'x'.repeat(200)}`;
  for (let i = 0; i < 2000; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, k) =>
        fetch(`http://${HOST()}/api/calls`, {
          method: 'POST',
          headers: { ...visitor.account.headers, cookie: `tz=${encodeURIComponent(made(i + k))}` },
          body: JSON.stringify({ to: '+12025550123', at: inDays(1), timezone: made(i + k) }),
        }).then(async (r) => {
          await r.arrayBuffer();
          if (r.status !== 400) t.fail(`status ${r.status}`);
        }),
      ),
    );
  }
  const page = await fetch(`http://${HOST()}/`, { headers: { cookie: `${visitor.cookie}; tz=${encodeURIComponent(made(1))}` } });
  t.is(page.status, 200);
  await page.arrayBuffer();
  t.deepEqual([...handed].filter((n) => n.startsWith('Mars/')), []);
});

test.serial('when a message carries a line separator or a bidi override, then the API refuses it on "message"', async (t) => {
  for (const message of ['one\u2028two', 'abc\u202Edef', 'x\u0085y']) {
    const res = await fetch(`http://${HOST()}/api/calls`, {
      method: 'POST',
      headers: visitor.account.headers,
      body: JSON.stringify({ to: '+12025550123', at: inDays(1), message }),
    });
    const problem = (await res.json()) as { errors?: { path: string }[] };
    t.is(res.status, 400);
    t.deepEqual(problem.errors?.map((e) => e.path), ['message']);
  }
});

const costly: [string, RegExp][] = [
  ['+881612345678', /satellite or international-network/],
  ['+870772001799', /satellite or international-network/],
  ['+88213112345', /satellite or international-network/],
  ['+883510012345', /satellite or international-network/],
  ['+447012345678', /is in United Kingdom/],
  ['+5352345678', /is in Cuba/],
  ['+252612345678', /is in Somalia/],
  ['+19005550123', /premium-rate/],
];
for (const [to, message] of costly) {
  test.serial(`when the API is asked to call ${to} under the default allow-list (simulator: US), then 400 on "to"`, async (t) => {
    const res = await fetch(`http://${HOST()}/api/calls`, { method: 'POST', headers: visitor.account.headers, body: JSON.stringify({ to, at: inDays(1) }) });
    const problem = (await res.json()) as { errors?: { path: string; message: string }[] };
    t.is(res.status, 400);
    t.deepEqual(problem.errors?.map((e) => e.path), ['to']);
    t.regex(problem.errors?.[0]?.message ?? '', message);
  });
}
