import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';

test('when the page is served, then CSP forbids inline script and framing, with nosniff and a referrer policy', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  for (const path of ['/', '/no/such/page', '/api/calls/nope', '/health']) {
    const res = await fetch(`${svc.url}${path}`, { headers: { accept: path === '/' ? 'text/html' : 'application/json' } });
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy') ?? '';
    t.regex(csp, /(^|;)\s*script-src 'self'(;|$)/, `${path}: ${csp}`);
    t.regex(csp, /frame-ancestors 'none'/);
    t.regex(csp, /script-src-attr 'none'/);
    t.notRegex(csp, /unsafe-inline|unsafe-eval/);
    t.is(res.headers.get('x-content-type-options'), 'nosniff');
    t.is(res.headers.get('referrer-policy'), 'same-origin');
    t.is(res.headers.get('x-frame-options'), 'DENY');
    t.is(res.headers.get('strict-transport-security'), null, 'no HSTS over plain http');
  }
});

test('when TRUST_PROXY is on and the proxy says https, then HSTS is sent; when off, the claim is ignored', async (t) => {
  const trusted = await startTestService({ config: testConfig({ http: { trustProxy: true } }).config });
  const plain = await startTestService();
  t.teardown(async () => {
    await trusted.stop();
    await plain.stop();
  });
  const viaProxy = await fetch(`${trusted.url}/health`, { headers: { 'x-forwarded-proto': 'https' } });
  t.regex(viaProxy.headers.get('strict-transport-security') ?? '', /max-age=31536000; includeSubDomains/);
  const direct = await fetch(`${plain.url}/health`, { headers: { 'x-forwarded-proto': 'https' } });
  t.is(direct.headers.get('strict-transport-security'), null);
});

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? templates(path) : path.endsWith('.njk') ? [path] : [];
  });
}

test('when any page template is read, then it has no inline script, style or event handler (CSP would block them)', (t) => {
  const files = templates(join(ROOT_DIR, 'templates')).filter((f) => !f.includes(`${join('templates', 'mail')}`));
  t.true(files.length > 0);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    t.notRegex(text, /<script(?![^>]*\bsrc=)[^>]*>/i, `${file}: inline <script>`);
    t.notRegex(text, /<style\b/i, `${file}: <style>`);
    t.notRegex(text, /\sstyle\s*=/i, `${file}: style attribute`);
    t.notRegex(text, /\son[a-z]+\s*=/i, `${file}: inline event handler`);
    t.notRegex(text, /javascript:/i, `${file}: javascript: URL`);
  }
});
