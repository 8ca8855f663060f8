import test from 'ava';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';
import { signInPage } from '../../helpers/accounts.ts';

test('when the owner opens a call’s page, then it tells what, when in both zones, and what happened in plain words', async (t) => {
  const h = await bootWithSimulator(t);
  const page = await signInPage(h.svc.deps, h.svc.url, h.account);
  const id = await h.placeNow('+12025550123', 'Happy birthday');
  await h.ended(id);
  const res = await page.get(`/calls/${id}`, { cookie: `${page.cookie}; tz=Asia%2FTokyo`, 'accept-language': 'en-GB' });
  t.is(res.status, 200);
  const html = await res.text();
  t.regex(html, /<h1 id="call-title">Call to \+1 202 555 0123<\/h1>/);
  t.regex(html, /Your message: “Happy birthday”/);
  // Shown in the viewer's zone (Tokyo), and in the callee's (UTC, the API's default) beside it.
  t.regex(html, /your time · Tokyo \(UTC\+9\)/);
  t.regex(html, /<dd>[^<]* in UTC<\/dd>/, 'the city and no offset for UTC, and never the zone twice');
  t.regex(html, /Dialed (on time|\d+ s after its time)<\/span> <span class="muted">\(due \d{1,2}:\d{2}:\d{2}\)/); // a loaded machine may dial a second late; in en-GB an hour before 10 has one digit (Tokyo 00:00–09:59 is 15:00–00:59 UTC)
  t.regex(html, /<li><time[^>]*>\d{1,2}:\d{2}:\d{2}<\/time> <span class="step">Answered<\/span>/);
  t.regex(html, /Read your message, then the menu: press 1 for another joke, 9 to stop calls[\s\S]*<q class="said">Happy birthday<\/q>/);
  t.regex(html, /Hung up/);
  t.regex(html, /Answered; they heard your message\./);
  t.notRegex(html, /normal_clearing|call\.hangup|in_progress/);
});

test('when a call the carrier rejected is shown, then the outcome is in words, never the raw cause', async (t) => {
  const h = await bootWithSimulator(t);
  const page = await signInPage(h.svc.deps, h.svc.url, h.account);
  const id = await h.placeNow('+12025550603'); // the simulator's "rejected" suffix
  const call = await h.ended(id);
  t.is(call.status, 'failed');
  const html = await (await page.get(`/calls/${id}`)).text();
  t.regex(html, /The call could not be connected: the phone rejected the call\./);
  t.notRegex(html, /call_rejected/);
  const list = await (await page.get('/')).text();
  t.regex(list, new RegExp(`<a class="to" href="/calls/${id}">`));
  t.notRegex(list, /call_rejected/);
});

test('when another account or a stranger asks for a call’s page, then 404 or sign-in, and nothing of the call shows', async (t) => {
  const h = await bootWithSimulator(t);
  const res = await fetch(`${h.svc.url}/api/calls`, {
    method: 'POST',
    headers: h.account.headers,
    body: JSON.stringify({ to: '+12025550123', at: new Date(h.svc.deps.clock.now() + 3_600_000).toISOString(), message: 'secret' }),
  });
  const { id } = (await res.json()) as { id: string };
  const other = await signInPage(h.svc.deps, h.svc.url);
  const theirs = await other.get(`/calls/${id}`, { accept: 'text/html' });
  t.is(theirs.status, 404);
  t.notRegex(await theirs.text(), /secret|555 0123/);
  t.is((await other.get('/calls/no-such-call', { accept: 'text/html' })).status, 404);
  const stranger = await fetch(`${h.svc.url}/calls/${id}`, { redirect: 'manual' });
  t.is(stranger.status, 303);
  // The owner cancels from the call's page.
  const mine = await signInPage(h.svc.deps, h.svc.url, h.account);
  t.regex(await (await mine.get(`/calls/${id}`)).text(), /Cancel this call/);
  t.is((await mine.post(`/calls/${id}/cancel`, { confirmed: 'yes' })).status, 303);
  t.regex(await (await mine.get(`/calls/${id}`)).text(), /You canceled it\./);
});

test('when a person schedules a call in Auckland, then the display zone cookie is not touched; the viewer-zone form sets it', async (t) => {
  const h = await bootWithSimulator(t);
  const page = await signInPage(h.svc.deps, h.svc.url, h.account);
  const soon = new Date(h.svc.deps.clock.now() + 2 * 86_400_000);
  const res = await page.post('/calls', { to: '+12025550123', date: soon.toISOString().slice(0, 10), time: '10:00', timezone: 'auckland', message: '' });
  t.is(res.status, 303);
  t.false(res.headers.getSetCookie().some((c) => c.startsWith('tz=')));
  const [call] = await h.svc.deps.store.listCalls({ accountId: h.account.id, limit: 1 });
  t.is(call?.timeZone, 'Pacific/Auckland');
  // Their time names the city once, with its offset: never "Auckland (Auckland (UTC+13))".
  const html = await (await page.get(`/calls/${call?.id ?? ''}`)).text();
  t.regex(html, /<dt>Their time<\/dt>\s*<dd>[^<]* in Auckland \(UTC\+1[23]\)<\/dd>/);
  const chosen = await page.post('/viewer-zone', { zone: 'Europe/Berlin' });
  t.true(chosen.headers.getSetCookie().some((c) => c.startsWith('tz=Europe%2FBerlin')));
  const bad = await page.post('/viewer-zone', { zone: 'Atlantis/Nowhere' });
  t.false(bad.headers.getSetCookie().some((c) => c.startsWith('tz=')));
});
