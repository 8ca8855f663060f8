import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService } from '../../helpers/test-service.ts';
import { signInPage } from '../../helpers/accounts.ts';

// Sunday 22 Nov 2026, 12:00 UTC.
const T0 = Date.parse('2026-11-22T12:00:00Z');
const FORM = { to: '+12025550123', repeat: 'weekday', time: '07:00', timezone: 'Europe/Dublin', message: '', retryAttempts: '2', retryAfter: '10', startsOn: '', endsOn: '', cron: '', date: '' };

async function boot(t: ExecutionContext) {
  const clock = createManualClock(T0);
  const svc = await startTestService({ deps: { clock, telephony: createFakeTelephony(clock).telephony } });
  t.teardown(() => svc.stop());
  const page = await signInPage(svc.deps, svc.url);
  return { svc, page };
}

test('when someone not signed in opens /schedules, then they are sent to sign in and back', async (t) => {
  const { svc } = await boot(t);
  const res = await fetch(`${svc.url}/schedules`, { redirect: 'manual' });
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/login?next=%2Fschedules');
});

test('when the form asks for the next dates, then the page shows three, in the zone, and nothing is saved', async (t) => {
  const { svc, page } = await boot(t);
  const home = await (await page.get('/')).text();
  t.regex(home, /href="\/schedules"/, 'the main page links to the schedules page');
  const empty = await (await page.get('/schedules')).text();
  t.regex(empty, /Repeat/);
  t.regex(empty, /name="_csrf"/);
  t.regex(empty, /No schedules yet/);
  const res = await page.post('/schedules', { ...FORM, action: 'preview' });
  t.is(res.status, 200);
  const html = await res.text();
  t.regex(html, /Next 3 dates/);
  t.regex(html, /<li>Mon 23 Nov 2026, 07:00 GMT<\/li>\s*<li>Tue 24 Nov 2026, 07:00 GMT<\/li>\s*<li>Wed 25 Nov 2026, 07:00 GMT<\/li>/);
  t.regex(html, /value="\+12025550123"/, 'the form keeps what was typed');
  t.deepEqual(await svc.deps.store.listSchedules(page.account.id, 10), []);
});

test('when the form is saved, then the person is sent back to the list, which shows the schedule with pause and delete', async (t) => {
  const { svc, page } = await boot(t);
  const res = await page.post('/schedules', { ...FORM, action: 'save' });
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/schedules');
  const notice = res.headers.getSetCookie().find((c) => c.startsWith('schedule-notice='))?.split(';')[0] as string;
  const html = await (await page.get('/schedules', { cookie: `${page.cookie}; ${notice}` })).text();
  t.regex(html, /Schedule to \+1 202 555 0123 saved: weekdays at 07:00, Dublin time\./);
  t.regex(html, /Next: <time datetime="2026-11-23T07:00:00.000Z">Mon 23 Nov, 0?7:00( AM)? Dublin<\/time>, in 19 hours/);
  t.regex(html, /Up to 3 tries, 10 min apart/);
  const [schedule] = await svc.deps.store.listSchedules(page.account.id, 10);
  t.truthy(schedule);
  t.regex(html, new RegExp(`action="/schedules/${schedule?.id as string}/pause"`));
  t.regex(html, new RegExp(`action="/schedules/${schedule?.id as string}/stop"`));

  t.is((await page.post(`/schedules/${schedule?.id as string}/pause`, {})).status, 303);
  t.like(await svc.deps.store.getSchedule(schedule?.id as string), { status: 'paused' });
  t.regex(await (await page.get('/schedules')).text(), new RegExp(`action="/schedules/${schedule?.id as string}/resume"`));
  t.is((await page.post(`/schedules/${schedule?.id as string}/resume`, {})).status, 303);
  t.like(await svc.deps.store.getSchedule(schedule?.id as string), { status: 'active', nextAt: Date.parse('2026-11-23T07:00:00Z') });
  // Delete asks first (without the script, on a page of its own); only the confirmed post deletes.
  const ask = await page.post(`/schedules/${schedule?.id as string}/stop`, {});
  t.is(ask.status, 200);
  t.regex(await ask.text(), /Delete the schedule to \+1 202 555 0123\?[\s\S]*name="confirmed" value="yes"/);
  t.like(await svc.deps.store.getSchedule(schedule?.id as string), { status: 'active' });
  t.is((await page.post(`/schedules/${schedule?.id as string}/stop`, { confirmed: 'yes' })).status, 303);
  t.like(await svc.deps.store.getSchedule(schedule?.id as string), { status: 'ended' });
  t.deepEqual(await svc.deps.store.nextDue(10), []);
});

test('when the form has mistakes, then each shows beside its field and nothing is saved; without the CSRF token, 403', async (t) => {
  const { svc, page } = await boot(t);
  const res = await page.post('/schedules', { ...FORM, to: '12', repeat: 'cron', cron: '0 7 * *', retryAttempts: '2', retryAfter: '90', action: 'save' });
  t.is(res.status, 400);
  const html = await res.text();
  t.regex(html, /<span class="field-error" id="to-error">Phone number [^<]+<\/span>/);
  t.regex(html, /<span class="field-error" id="cron-error">Cron expression must have 5 fields[^<]*<\/span>/);
  t.regex(html, /<span class="field-error" id="retryAfter-error">Minutes apart [^<]+<\/span>/);
  // The summary above the form links each problem to its field, as on the home page.
  t.regex(html, /<h2 id="error-summary-title">3 problems to fix<\/h2>/);
  for (const field of ['to', 'cron', 'retryAfter']) t.regex(html, new RegExp(`<li><a href="#${field}">`));
  // "Weekly on…" with no day: the form's words, linked to the first day's box.
  const noDay = await (await page.post('/schedules', { ...FORM, repeat: 'week', action: 'save' })).text();
  t.regex(noDay, /<li><a href="#day-mon">Days must include at least one day: tick one or more<\/a><\/li>/);
  t.deepEqual(await svc.deps.store.listSchedules(page.account.id, 10), []);
  t.is((await page.post('/schedules', { ...FORM, action: 'save' }, { csrf: null })).status, 403);
});

test('when "once" is chosen, then a single call is scheduled, with its retries', async (t) => {
  const { svc, page } = await boot(t);
  const res = await page.post('/schedules', { ...FORM, repeat: 'once', date: '2026-11-23', time: '08:15', action: 'save' });
  t.is(res.status, 303);
  const [call] = await svc.deps.store.listCalls({ accountId: page.account.id, limit: 10 });
  t.like(call, { dueAt: Date.parse('2026-11-23T08:15:00Z'), scheduleId: null, tryNumber: 1, triesTotal: 3, retryAfterMinutes: 10 });
});

test('when a one-off call asks for retries outside 0–3 tries 1–60 minutes apart, then the form says so beside the fields and nothing is stored', async (t) => {
  const { svc, page } = await boot(t);
  for (const [retryAttempts, retryAfter] of [['50', '0'], ['2.5', '10'], ['2', '-30']] as const) {
    const res = await page.post('/schedules', { ...FORM, repeat: 'once', date: '2026-11-23', time: '09:00', retryAttempts, retryAfter, action: 'save' });
    t.is(res.status, 400, `${retryAttempts} tries, ${retryAfter} min`);
    t.regex(await res.text(), /aria-invalid="true"/);
  }
  t.deepEqual(await svc.deps.store.listCalls({ accountId: page.account.id, limit: 10 }), []);
});
