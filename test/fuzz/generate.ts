import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

/**
 * A seeded stream of random numbers (mulberry32). A fuzzer needs nothing more than a reproducible stream; a
 * property-testing library's shrinking would replay requests against a server whose state the first run changed.
 */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
export type Random = ReturnType<typeof seededRandom>;

export type Route = { path: string; methods: readonly string[] };
/** Real credentials, so that a share of the requests gets past sign-in and CSRF into the handlers behind them. */
export type Credentials = { bearer: string; cookie: string; csrf: string };
export type FuzzRequest = { method: string; path: string; headers: [string, string][]; body: Buffer; wantsHtml: boolean };

const EXTRA_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'TRACE', 'QUERY', 'MKCOL', 'CONNECT', 'PURGE'];
const HOSTILE = [
  '',
  ' ',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '%',
  '%E0%A4%A',
  '%00',
  '\u0000',
  '\u202Eevil',
  'line\u2028sep',
  '\ud83d',
  '😀'.repeat(50),
  '../../etc/passwd',
  'a'.repeat(5000),
  'Europe/Dublin',
  'Mars/Olympus',
  '+12025550123',
  '+881612345678',
  '+5352345678',
  '2026-11-21T20:00:00Z',
  'null',
  '0',
  '-1',
  '1e309',
  '{"a":',
  'someone@example.com',
  'x'.repeat(70_000),
];
const FIELDS = ['to', 'at', 'timezone', 'message', 'date', 'time', 'email', 'password', 'token', 'status', 'cursor', 'limit', '__proto__', 'constructor'];

/** Percent-encodes; a lone surrogate becomes the bytes of an encoded surrogate, which is not UTF-8 at all. */
function enc(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%BD';
  }
}

function hostileValue(r: Random): unknown {
  switch (r.int(8)) {
    case 0:
      return r.int(1e6) - 5e5;
    case 1:
      return r.chance(0.5);
    case 2:
      return null;
    case 3:
      return [hostileValue(r)];
    case 4:
      return { nested: hostileValue(r) };
    default:
      return r.pick(HOSTILE);
  }
}

function fillParam(r: Random): string {
  return r.pick([
    '00000000-0000-4000-8000-000000000000',
    'nope',
    '%zz',
    '%2e%2e%2f',
    'site.css',
    'app.js',
    enc(r.pick(HOSTILE).slice(0, 300)),
    'a'.repeat(r.int(3000)),
  ]);
}

function pathFor(r: Random, route: Route): string {
  let path = route.path.replace(/:[A-Za-z_]+/g, () => fillParam(r));
  if (r.chance(0.1)) path += r.pick(['/', '//', '/extra', '.json', '%00', '/..']);
  if (r.chance(0.25)) path += `?${r.pick(FIELDS)}=${enc(r.pick(HOSTILE).slice(0, 500))}&${r.pick(['status=scheduled,nope', 'limit=-5', 'limit=1e9', 'cursor=!!', 'a[b]=c', 'x=%'])}`;
  if (r.chance(0.03)) path = r.pick(['*', '/%', '//etc', `/${'x'.repeat(9000)}`, 'http://evil.example/']);
  return path;
}

function bodyFor(r: Random, credentials: Credentials | undefined): { type: string | undefined; body: Buffer } {
  const obj: Record<string, unknown> = Object.fromEntries(Array.from({ length: r.int(6) }, () => [r.pick(FIELDS), hostileValue(r)]));
  if (credentials && r.chance(0.5)) obj._csrf = credentials.csrf;
  switch (r.int(7)) {
    case 0:
      return { type: 'application/json', body: Buffer.from(JSON.stringify(obj)) };
    case 1:
      return { type: 'application/json', body: Buffer.from(r.pick(['{', '[1,2', 'null', '"str"', '{"to":}', '\u0000', '{"a":1}'.repeat(2)])) };
    case 2:
      return { type: 'application/x-www-form-urlencoded', body: Buffer.from(new URLSearchParams(Object.entries(obj).map(([k, v]): [string, string] => [k, String(v)])).toString()) };
    case 3:
      return { type: r.pick(['text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'garbage/!!', 'application/json; charset=utf-7']), body: Buffer.from(r.pick(HOSTILE)) };
    case 4:
      return { type: undefined, body: Buffer.alloc(0) };
    case 5:
      return { type: 'application/json', body: Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256))) };
    default:
      return { type: 'application/json', body: Buffer.from(JSON.stringify(r.pick([[1, 2], 'x', 42, null, { to: '+12025550123', at: new Date(Date.now() + 86_400_000).toISOString() }]))) };
  }
}

function encode(r: Random, body: Buffer): { encoding: string | undefined; body: Buffer } {
  switch (r.int(8)) {
    case 0:
      return { encoding: 'gzip', body: gzipSync(body) };
    case 1:
      return { encoding: 'br', body: brotliCompressSync(body) };
    case 2:
      return { encoding: 'deflate', body: deflateSync(body) };
    case 3:
      return { encoding: r.pick(['gzip', 'br', 'deflate']), body }; // labelled but not compressed
    case 4:
      return { encoding: r.pick(['compress', 'zstd', 'identity', 'gzip, br', '!!']), body };
    default:
      return { encoding: undefined, body };
  }
}

/** One random request aimed at `route`, sometimes well-formed, mostly not. */
export function generateRequest(r: Random, routes: readonly Route[], host: string, credentials?: Credentials): FuzzRequest {
  const route = r.pick(routes);
  const method = route.methods.length > 0 && r.chance(0.6) ? r.pick(route.methods) : r.pick(EXTRA_METHODS);
  const headers: [string, string][] = [['Host', r.chance(0.95) ? host : r.pick(['evil.example', `localhost:${host.split(':')[1]}`, '[::1]', ''])]];
  const accept = r.pick(['text/html', 'application/json', 'application/problem+json', '*/*', 'text/html,application/xhtml+xml;q=0.9', 'image/png', undefined]);
  if (accept) headers.push(['Accept', accept]);
  if (method !== 'GET' && method !== 'HEAD' && method !== 'CONNECT' && r.chance(0.8)) {
    const { type, body: raw } = bodyFor(r, credentials);
    const { encoding, body } = encode(r, raw);
    if (type) headers.push(['Content-Type', type]);
    if (encoding) headers.push(['Content-Encoding', encoding]);
    headers.push(['Content-Length', String(body.length)]);
    addNoise(r, headers, credentials);
    return { method, path: pathFor(r, route), headers, body, wantsHtml: accept?.startsWith('text/html') ?? false };
  }
  addNoise(r, headers, credentials);
  return { method, path: pathFor(r, route), headers, body: Buffer.alloc(0), wantsHtml: accept?.startsWith('text/html') ?? false };
}

function addNoise(r: Random, headers: [string, string][], credentials: Credentials | undefined): void {
  if (credentials && r.chance(0.4)) headers.push(['Authorization', `Bearer ${credentials.bearer}`]);
  else if (credentials && r.chance(0.5)) headers.push(['Cookie', `${credentials.cookie}; ${r.pick(['tz=%E0%A4%A', 'notice=%zz', 'tz=Mars%2FBase', 'tz=Europe%2FDublin', 'x=1'])}`]);
  else if (r.chance(0.4)) headers.push(['Cookie', r.pick(['tz=%E0%A4%A', 'notice=%zz', 'tz=Mars%2FBase', `tz=${encodeURIComponent('Europe/Dublin')}`, 'session=garbage', 'a=b; c', '=;=;', `x=${'y'.repeat(3000)}`])]);
  if (!headers.some(([k]) => k === 'Authorization') && r.chance(0.2)) headers.push(['Authorization', r.pick(['Bearer x', 'Bearer ' + 'a'.repeat(2000), 'Basic Zm9vOmJhcg==', 'Bearer eyJhbGciOiJub25lIn0.e30.', 'garbage'])]);
  if (r.chance(0.2)) headers.push(['X-Forwarded-For', r.pick(['203.0.113.9', '127.0.0.1', 'garbage', '1.1.1.1, 2.2.2.2'])]);
  if (r.chance(0.2)) headers.push(['X-Forwarded-Proto', r.pick(['https', 'http', 'gopher'])]);
  if (r.chance(0.1)) headers.push(['X-Request-Id', r.pick(['ok-id', '../../x', 'a'.repeat(500)])]);
  if (r.chance(0.1)) headers.push(['Idempotency-Key', r.pick(['k1', 'a'.repeat(1000), ''])]);
  if (r.chance(0.1)) headers.push(['Last-Event-ID', r.pick(['1', '-1', 'zz'])]);
  if (r.chance(0.1)) headers.push(['Telnyx-Signature-Ed25519', 'AAAA']);
  if (r.chance(0.1)) headers.push(['Telnyx-Timestamp', String(r.int(2e9))]);
}
