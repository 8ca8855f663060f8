import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService } from '../../helpers/test-service.ts';
import { createTestAccount } from '../../helpers/accounts.ts';
import { SESSION_COOKIE } from '../../../src/http/auth/request-auth.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');

/** A tiny cookie jar: the page's notice and zone travel in cookies, as they would in a browser. */
function browser(base: string) {
  const jar = new Map<string, string>();
  return {
    jar,
    /** The page's CSRF token, as a browser would have it from the form it shows. */
    csrf: '',
    async request(path: string, init: RequestInit = {}) {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(`${base}${path}`, {
        ...init,
        redirect: 'manual',
        headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) },
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, value] = (pair ?? '').split('=');
        if (!name) continue;
        if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
      return res;
    },
    submit(path: string, fields: Record<string, string>) {
      return this.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: this.csrf, ...fields }).toString(),
      });
    },
  };
}

async function boot(t: ExecutionContext) {
  const clock = createManualClock(T0);
  const svc = await startTestService({ deps: { clock, telephony: createFakeTelephony(clock).telephony } });
  t.teardown(() => svc.stop());
  const b = browser(svc.url);
  const account = await createTestAccount(svc.deps);
  b.jar.set(SESSION_COOKIE, await svc.deps.sessions.open(account.id));
  b.csrf = /name="_csrf" value="([^"]+)"/.exec(await (await b.request('/')).text())?.[1] ?? '';
  return { svc, clock, b, account };
}

test('when the page is opened, then it shows the form with every field and its own assets', async (t) => {
  const { b } = await boot(t);
  const res = await b.request('/');
  t.is(res.status, 200);
  const html = await res.text();
  for (const name of ['to', 'date', 'time', 'timezone', 'message']) t.regex(html, new RegExp(`name="${name}"`));
  t.regex(html, /<option value="Europe\/Dublin"/);
  t.notRegex(html, /https?:\/\/(?!127\.0\.0\.1)/); // no CDN: nothing loads from elsewhere
  const css = await b.request('/static/site.css');
  t.is(css.status, 200);
  t.regex(css.headers.get('content-type') ?? '', /text\/css/);
  t.is((await b.request('/static/app.js')).status, 200);
  t.is((await b.request('/static/nothing.js')).status, 404);
});

test('when the page script is loaded, then every module it imports is served as it is, with the same caching', async (t) => {
  const { b } = await boot(t);
  t.regex(await (await b.request('/')).text(), /<script type="module" src="\/static\/app\.js"><\/script>/);
  const seen = new Set<string>();
  const queue = ['app.js'];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const res = await b.request(`/static/${file}`);
    t.is(res.status, 200, file);
    t.regex(res.headers.get('content-type') ?? '', /^text\/javascript/, file);
    t.is(res.headers.get('cache-control'), 'public, max-age=300', file);
    for (const m of (await res.text()).matchAll(/^import .* from '\.\/([\w-]+\.js)';$/gm)) queue.push(m[1]!);
  }
  t.true(seen.size > 1);
});

test('when the form is posted, then 303 to the page, a one-time notice, and the call listed in the chosen zone', async (t) => {
  const { b, svc } = await boot(t);
  const res = await b.submit('/calls', { to: '+1 202 555 0123', date: '2026-11-21', time: '20:30', timezone: 'Europe/Dublin', message: 'Hi <b>Sam</b>' });
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/');
  const page = await (await b.request('/')).text();
  t.regex(page, /Call to \+1 202 555 0123 scheduled for Sat 21 Nov, 20:30 your time, in 9 hours\./);
  t.regex(page, /<time datetime="2026-11-21T20:30:00.000Z">Sat 21 Nov, 20:30<\/time>/);
  t.regex(page, /Hi &lt;b&gt;Sam&lt;\/b&gt;/);
  t.notRegex(page, /<b>Sam<\/b>/);
  const again = await (await b.request('/')).text();
  t.notRegex(again, /class="notice"/);
  const [call] = await svc.deps.store.listCalls({ limit: 1 });
  t.is(call?.dueAt, Date.parse('2026-11-21T20:30:00Z'));
});

test('when the form has errors, then it is shown again with messages beside the fields and the values kept', async (t) => {
  const { b, svc } = await boot(t);
  const res = await b.submit('/calls', { to: 'abc"><script>', date: '2026-11-21', time: '09:00', timezone: 'Europe/Dublin', message: 'keep me' });
  t.is(res.status, 400);
  const html = await res.text();
  t.regex(html, /Phone number may contain only digits/);
  t.regex(html, /Time is in the past/);
  t.regex(html, /value="abc&quot;&gt;&lt;script&gt;"/);
  t.regex(html, />keep me<\/textarea>/);
  t.regex(html, /id="timezone"[^>]*value="Europe\/Dublin"/);
  // Each error is tied to its field and listed, with a link, in a summary; the title says so.
  t.regex(html, /<title>Error: /);
  t.regex(html, /id="to"[^>]*aria-invalid="true" aria-describedby="to-error to-hint"/);
  t.regex(html, /id="time"[^>]*aria-invalid="true"/);
  t.notRegex(html, /id="date"[^>]*aria-invalid/);
  t.regex(html, /<a href="#to">Phone number may contain only digits/);
  t.regex(html, /<a href="#time">Time is in the past<\/a>/);
  t.deepEqual(await svc.deps.store.listCalls({ limit: 5 }), []);
});

test('when Cancel is pressed, then the call moves to recent as canceled; a second press explains why not', async (t) => {
  const { b, svc } = await boot(t);
  await b.submit('/calls', { to: '+12025550123', date: '2026-11-21', time: '18:00', timezone: 'UTC', message: '' });
  const [call] = await svc.deps.store.listCalls({ limit: 1 });
  t.truthy(call);
  await b.request('/'); // consume the scheduling notice
  // Without the script's dialog, the server asks first, naming the call.
  const ask = await b.submit(`/calls/${call?.id ?? ''}/cancel`, {});
  t.is(ask.status, 200);
  t.regex(await ask.text(), /Cancel the call to \+1 202 555 0123\?/);
  t.is((await svc.deps.store.getCall(call?.id ?? ''))?.status, 'scheduled');
  const res = await b.submit(`/calls/${call?.id ?? ''}/cancel`, { confirmed: 'yes' });
  t.is(res.status, 303);
  const page = await (await b.request('/')).text();
  t.regex(page, /class="notice" role="status">Call to \+1 202 555 0123 canceled\./);
  t.regex(page, /status-canceled/);
  await b.submit(`/calls/${call?.id ?? ''}/cancel`, { confirmed: 'yes' });
  // Not a success notice: an error, said as one.
  t.regex(await (await b.request('/')).text(), /class="problem" role="alert">Could not cancel: The call is already canceled\./);
});

test('when the lists are refreshed by the script, then the fragment shows the live status', async (t) => {
  const { b, svc, clock } = await boot(t);
  await b.submit('/calls', { to: '+12025550123', date: '2026-11-21', time: '12:01', timezone: 'UTC', message: '' });
  await clock.advance(60_000);
  await svc.deps.dialer.whenIdle();
  const fragment = await (await b.request('/partials/calls')).text();
  t.regex(fragment, /status-dialing/);
  t.notRegex(fragment, /<html/);
});
