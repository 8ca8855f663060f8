import test from 'ava';
import { bootWithSimulator } from '../helpers/call-flow-harness.ts';
import { axeViolations, closeBrowser, hasChromium, signedInPage, submitAndLoad } from './browser-helpers.ts';

const run = hasChromium ? test.serial : test.serial.skip;
test.after.always(closeBrowser);

// The browser's zone, what the zone field shows for it (a legacy id by its current name), and a callee's city typed
// into the field instead of picked from the list.
const ZONES = [
  { timezoneId: 'America/New_York', shown: 'America/New_York', callee: 'Kolkata', calleeZone: 'Asia/Calcutta' },
  { timezoneId: 'Asia/Calcutta', shown: 'Asia/Kolkata', callee: 'Berlin', calleeZone: 'Europe/Berlin' },
  { timezoneId: 'Europe/Berlin', shown: 'Europe/Berlin', callee: 'Tokyo', calleeZone: 'Asia/Tokyo' },
] as const;

for (const zone of ZONES) {
  run(`when a person in ${zone.timezoneId} makes a weekly schedule for ${zone.callee}, then its own page tells the rule and the next dates in both zones; paused, its call reads Paused; delete asks by name`, async (t) => {
    const h = await bootWithSimulator(t);
    const { page, asked } = await signedInPage(t, h, { timezoneId: zone.timezoneId, viewport: { width: 1100, height: 900 } });
    // Set the display zone the way the page's script does on the first visit.
    await page.goto(`${h.svc.url}/`);
    await page.goto(`${h.svc.url}/schedules`);
    t.is(await page.inputValue('#timezone'), zone.shown, 'the zone field starts at the browser zone, by its current name');
    t.is(await page.locator('#zone-list option').count() > 400, true, 'the same searchable list as the home page');

    await page.fill('#to', '+12025550123');
    await page.check('#repeat-week');
    t.true(await page.locator('#day-mon').isVisible(), 'the days show for "Weekly on…"');
    await page.check('#day-mon');
    await page.check('#day-fri');
    await page.fill('#time', '07:30');
    await page.fill('#timezone', zone.callee);
    await submitAndLoad(page, () => page.click('#sched-form button[value=preview]'));
    t.is(await page.locator('.sched-preview li').count(), 3);
    await submitAndLoad(page, () => page.click('#sched-form button[value=save]'));
    t.regex((await page.textContent('.notice')) ?? '', new RegExp(`^Schedule to \\+1 202 555 0123 saved: every Mon, Fri at 07:30, ${zone.callee} time\\.$`));

    const [schedule] = await h.svc.deps.store.listSchedules(h.account.id, 5);
    t.is(schedule?.timeZone, zone.calleeZone);
    await submitAndLoad(page, () => page.click(`#schedule-${schedule?.id ?? ''} a.to`));
    t.regex((await page.textContent('.rule')) ?? '', new RegExp(`^Every Monday and Friday at 07:30, ${zone.callee} time\\.$`));
    const next = page.locator('ol.upcoming li');
    t.true((await next.count()) >= 1);
    // Each date in the callee's zone, and the viewer's own time beside it (their clocks differ in every pair here).
    t.regex((await next.first().textContent()) ?? '', new RegExp(`(Mon|Fri),? .*7:30( AM)? ${zone.callee} \\(.* your time\\)`));
    t.deepEqual(await axeViolations(page), []);

    const [occurrence] = await h.svc.deps.store.listCalls({ accountId: h.account.id, statuses: ['scheduled'], limit: 1 });
    await submitAndLoad(page, () => page.click('form[action$="/pause"] button'));
    t.regex((await page.textContent('.notice')) ?? '', /paused/);
    t.is((await page.textContent('.status.big'))?.trim(), 'Paused');
    await page.goto(`${h.svc.url}/`);
    const row = page.locator(`li[data-id="${occurrence?.id ?? ''}"]`);
    t.is((await row.locator('.status-word').textContent())?.trim(), 'Paused', 'a paused occurrence is not "Canceled"');
    t.regex((await row.locator('.relative').textContent()) ?? '', /was due in /);

    await page.goto(`${h.svc.url}/schedules/${schedule?.id ?? ''}`);
    await submitAndLoad(page, () => page.click('form.confirm-form button'));
    t.deepEqual(asked, ['Delete the schedule to +1 202 555 0123? No more calls will be made from it.']);
    t.regex((await page.textContent('.notice')) ?? '', /deleted/);
    t.like(await h.svc.deps.store.getSchedule(schedule?.id ?? ''), { status: 'ended' });
  });
}

run('when the delete dialog is dismissed, then the schedule stays', async (t) => {
  const h = await bootWithSimulator(t);
  const { page, asked } = await signedInPage(t, h, { timezoneId: 'UTC', dialogs: 'dismiss' });
  const res = await fetch(`${h.svc.url}/api/schedules`, { method: 'POST', headers: h.account.headers, body: JSON.stringify({ to: '+12025550124', repeat: { every: 'day', at: '09:00' }, timezone: 'UTC' }) });
  const { id } = (await res.json()) as { id: string };
  await page.goto(`${h.svc.url}/schedules`);
  await page.click(`#schedule-${id} form.confirm-form button`);
  t.is(asked.length, 1);
  t.is(new URL(page.url()).pathname, '/schedules');
  t.like(await h.svc.deps.store.getSchedule(id), { status: 'active' });
});

for (const timezoneId of ['Asia/Calcutta', 'America/New_York', 'Europe/Berlin']) {
  run(`when the callee pressed 1 then 9, then the call page in ${timezoneId} tells each prompt, key and goodbye in order, with seconds, and when the call ended`, async (t) => {
    const h = await bootWithSimulator(t);
    const { page } = await signedInPage(t, h, { timezoneId, locale: 'en-GB' });
    await page.goto(`${h.svc.url}/`);
    const id = await h.placeNow('+12025550919');
    await h.ended(id);
    await page.goto(`${h.svc.url}/calls/${id}`);
    const steps = await page.locator('.timeline li .step').allTextContents();
    t.deepEqual(
      steps.filter((s) => !s.startsWith('Dialed')),
      [
        'Scheduled',
        'Ringing',
        'Answered',
        'Answering-machine check: a person',
        'Told a joke, then the menu: press 1 for another joke, 9 to stop calls',
        'Pressed 1: another joke',
        'Told another joke, then the menu: press 1 for another joke, 9 to stop calls',
        'Pressed 9: stop calls to this number',
        'The number is on the do-not-call list now',
        'Confirmed by voice that the number will not be called again',
        'Finished speaking',
        'Hung up after the last words',
        'Ended: answered; they heard a joke.',
      ],
    );
    t.regex(steps[1] ?? '', /^Dialed (on time|\d+ s after its time)$/);
    // Every step to the second; the dial measured against its due time, the others from the step before.
    for (const time of await page.locator('.timeline li > time').allTextContents()) t.regex(time, /^\d{1,2}:\d{2}:\d{2}( [AP]M)?$/);
    t.regex((await page.locator('.timeline li').nth(1).textContent()) ?? '', /\(due \d{1,2}:\d{2}:\d{2}( [AP]M)?\)/);
    t.regex((await page.locator('.timeline li').nth(2).textContent()) ?? '', /\(\+\d+ s\)/);
    t.is(await page.locator('.timeline q.said').count(), 3, 'the two jokes and the goodbye, quoted');
    const facts = (await page.textContent('.facts')) ?? '';
    t.regex(facts, /Ended.*your time · (now|\d+ seconds? ago)/s);
    t.notRegex(facts, /Calcutta/);
    if (timezoneId === 'Asia/Calcutta') t.regex(facts, /Kolkata \(UTC\+5:30\)/);
    t.deepEqual(await axeViolations(page), []);
  });
}
