import test from 'ava';
import { bootWithSimulator } from '../helpers/call-flow-harness.ts';
import { closeBrowser, focusedId, hasChromium, said, scrollsSideways, signedInPage, submitAndLoad } from './browser-helpers.ts';

const run = hasChromium ? test.serial : test.serial.skip;
test.after.always(closeBrowser);

const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Tokyo'] as const;
const submit = 'form#schedule-form button[type=submit]';

for (const timezoneId of ZONES) {
  run(`when a first visit in ${timezoneId} accepts the defaults, then the call is due a few minutes ahead; Auckland for one call leaves the viewer's zone alone`, async (t) => {
    const h = await bootWithSimulator(t);
    const { page } = await signedInPage(t, h, { timezoneId });
    await page.goto(h.svc.url);
    t.is(await page.inputValue('#timezone'), timezoneId);
    t.regex((await page.textContent('#when-hint')) ?? '', /^in [234] minutes — \d{1,2}:\d{2}( [AP]M)? your time$/);

    await page.fill('#to', '+1 202 555 0147');
    const before = h.svc.deps.clock.now();
    await submitAndLoad(page, () => page.click(submit));
    t.regex((await page.textContent('.notice')) ?? '', /scheduled for .* your time, in [234] minutes\./);
    const [first] = await h.svc.deps.store.listCalls({ accountId: h.account.id, statuses: ['scheduled'], limit: 5 });
    const ahead = (first?.dueAt ?? 0) - before;
    t.true(ahead > 60_000 && ahead <= 4 * 60_000, `due ${ahead} ms after the submit`);
    t.is(first?.timeZone, timezoneId);

    // One call to Auckland: the untouched date and time follow the zone, and the sentence says both clocks.
    await page.fill('#to', '+1 202 555 0148');
    await page.fill('#timezone', 'Pacific/Auckland');
    t.regex((await page.textContent('#when-hint')) ?? '', /^in [234] minutes — .* your time \(.* in Auckland\)$/);
    const beforeAuckland = h.svc.deps.clock.now();
    await submitAndLoad(page, () => page.click(submit));
    const auckland = (await h.svc.deps.store.listCalls({ accountId: h.account.id, statuses: ['scheduled'], limit: 5 })).find((c) => c.timeZone === 'Pacific/Auckland');
    const aheadAuckland = (auckland?.dueAt ?? 0) - beforeAuckland;
    t.true(aheadAuckland > 60_000 && aheadAuckland <= 4 * 60_000, `Auckland call due ${aheadAuckland} ms after the submit`);
    // The list shows the viewer's time and, beside it, the callee's.
    t.regex((await page.textContent(`li[data-id="${auckland?.id ?? ''}"] .callee-time`)) ?? '', /in Auckland/);

    // The viewer's zone is still the browser's: the next defaults are the viewer's, a few minutes ahead.
    t.is(await page.inputValue('#timezone'), timezoneId);
    t.is((await page.context().cookies()).find((c) => c.name === 'tz')?.value, encodeURIComponent(timezoneId));
    await page.fill('#to', '+1 202 555 0149');
    const beforeThird = h.svc.deps.clock.now();
    await submitAndLoad(page, () => page.click(submit));
    const third = (await h.svc.deps.store.listCalls({ accountId: h.account.id, statuses: ['scheduled'], limit: 5 })).find((c) => c.to === '+12025550149');
    const aheadThird = (third?.dueAt ?? 0) - beforeThird;
    t.true(aheadThird > 60_000 && aheadThird <= 4 * 60_000, `third call due ${aheadThird} ms after the submit`);
    t.is(third?.timeZone, timezoneId);
  });
}

run('when ten live updates arrive, then keyboard focus stays on the same Cancel button and the row is the same node', async (t) => {
  const h = await bootWithSimulator(t);
  const { page } = await signedInPage(t, h, { timezoneId: 'Europe/Berlin' });
  const res = await fetch(`${h.svc.url}/api/calls`, {
    method: 'POST',
    headers: h.account.headers,
    body: JSON.stringify({ to: '+12025550150', at: new Date(h.svc.deps.clock.now() + 86_400_000).toISOString() }),
  });
  const { id } = (await res.json()) as { id: string };
  await page.goto(h.svc.url);
  await page.locator('#live-state:not([hidden])').waitFor();
  const button = page.locator(`li[data-id="${id}"] .cancel-form button`);
  await button.focus();
  await page.evaluate('document.activeElement.marked = true');
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(await h.placeNow(`+1202555016${i}`));
  for (const each of ids) await h.ended(each);
  // Each new call appears and reaches its end on the page, pushed by the stream.
  for (const each of ids) await page.locator(`li[data-id="${each}"][data-status="completed"]`).waitFor();
  const focus = await page.evaluate<{ marked: boolean; row: string | undefined }>(
    `({ marked: document.activeElement?.marked === true, row: document.activeElement?.closest('li')?.getAttribute('data-id') })`,
  );
  t.deepEqual(focus, { marked: true, row: id });
});

run('when a call goes through its states, then each change is announced once, in words', async (t) => {
  const h = await bootWithSimulator(t);
  const { page } = await signedInPage(t, h, { timezoneId: 'Asia/Tokyo' });
  // A live stream needs an account that has scheduled a call: one for tomorrow, which does not change meanwhile.
  const first = await fetch(`${h.svc.url}/api/calls`, {
    method: 'POST',
    headers: h.account.headers,
    body: JSON.stringify({ to: '+12025550151', at: new Date(h.svc.deps.clock.now() + 86_400_000).toISOString() }),
  });
  t.is(first.status, 201);
  await page.goto(h.svc.url);
  await page.locator('#live-state:not([hidden])').waitFor();
  const id = await h.placeNow('+12025550123');
  await h.ended(id);
  await page.locator(`li[data-id="${id}"][data-status="completed"]`).waitFor();
  await page.waitForFunction(`window.__said.some((s) => s.includes('has ended'))`);
  const lines = await said(page);
  t.is(lines.filter((s) => s === 'Call to +1 202 555 0123 has ended: completed').length, 1, lines.join(' | '));
  t.is(new Set(lines).size, lines.length, `no change said twice: ${lines.join(' | ')}`);
  t.true(lines.every((s) => s.startsWith('Call to +1 202 555 0123 ')), lines.join(' | '));
});

run('when a person uses only the keyboard, then they can schedule a call and cancel it, confirming by name', async (t) => {
  const h = await bootWithSimulator(t);
  const { page, asked } = await signedInPage(t, h, { timezoneId: 'America/New_York' });
  await page.goto(h.svc.url);
  // Tab from the top of the page to the phone field.
  for (let i = 0; i < 15 && (await focusedId(page)) !== 'to'; i++) await page.keyboard.press('Tab');
  t.is(await focusedId(page), 'to');
  await page.keyboard.type('+1 202 555 0170');
  await submitAndLoad(page, () => page.keyboard.press('Enter'));
  t.regex((await page.textContent('.notice')) ?? '', /Call to \+1 202 555 0170 scheduled/);
  const [call] = await h.svc.deps.store.listCalls({ accountId: h.account.id, statuses: ['scheduled'], limit: 1 });
  const id = call?.id ?? '';
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate<boolean>(`document.activeElement?.closest('li[data-id="${id}"] .cancel-form') != null`);
  }
  t.true(found, 'the Cancel button is reachable with Tab');
  await submitAndLoad(page, () => page.keyboard.press('Enter'));
  t.is(asked.length, 1);
  t.regex(asked[0] ?? '', /^Cancel the call to \+1 202 555 0170 on /);
  t.regex((await page.textContent('.notice')) ?? '', /Call to \+1 202 555 0170 canceled\./);
  t.is((await h.svc.deps.store.getCall(id))?.status, 'canceled');
});

run('when a person declines the confirmation, then the call stays scheduled', async (t) => {
  const h = await bootWithSimulator(t);
  const { page, asked } = await signedInPage(t, h, { timezoneId: 'Europe/Berlin', dialogs: 'dismiss' });
  await page.goto(h.svc.url);
  await page.fill('#to', '+1 202 555 0171');
  await submitAndLoad(page, () => page.click(submit));
  await page.click('.cancel-form button');
  t.is(asked.length, 1);
  const [call] = await h.svc.deps.store.listCalls({ accountId: h.account.id, limit: 1 });
  t.is(call?.status, 'scheduled');
});

run('when the screen is 320 px wide, then nothing scrolls sideways: empty, with calls and with errors', async (t) => {
  const h = await bootWithSimulator(t);
  const { page } = await signedInPage(t, h, { timezoneId: 'Asia/Tokyo', viewport: { width: 320, height: 640 } });
  await page.goto(h.svc.url);
  t.false(await scrollsSideways(page), 'empty');
  await page.fill('#to', '+1 202 555 0172');
  await page.fill('#message', 'A rather long message with a long unbroken word: Donaudampfschifffahrtsgesellschaftskapitän');
  await submitAndLoad(page, () => page.click(submit));
  await page.locator('li.call').first().waitFor();
  t.false(await scrollsSideways(page), 'with a call');
  await page.fill('#to', 'nonsense');
  await page.click(submit);
  await page.locator('#error-summary').waitFor();
  t.false(await scrollsSideways(page), 'with errors');
});

run('when JavaScript is off, then a person schedules, refreshes by link and cancels after a confirmation page', async (t) => {
  const h = await bootWithSimulator(t);
  const { page } = await signedInPage(t, h, { javaScriptEnabled: false, timezoneId: 'Europe/Berlin' });
  await page.goto(h.svc.url);
  // The server cannot know the browser's zone: it says which one it shows.
  t.regex((await page.textContent('#viewer-zone-label')) ?? '', /^UTC$/);
  await page.fill('#to', '+1 202 555 0147');
  const date = new Date(h.svc.deps.clock.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await page.fill('#date', date);
  await page.fill('#time', '09:15');
  await page.fill('#timezone', 'berlin');
  await page.fill('#message', 'Happy new year');
  await submitAndLoad(page, () => page.click(submit));
  t.regex((await page.textContent('.notice')) ?? '', /scheduled for .* 8:15 AM your time \(.* 9:15 AM in Berlin\)/);
  t.is(await page.locator('noscript a[href="/"]').count(), 1);
  await submitAndLoad(page, () => page.click('.cancel-form button'));
  t.regex((await page.textContent('h1')) ?? '', /Cancel the call to \+1 202 555 0147\?/);
  await submitAndLoad(page, () => page.click('button:has-text("Yes, cancel")'));
  t.regex((await page.textContent('.notice')) ?? '', /canceled/);
  t.is(await page.locator('.status-canceled').count(), 1);
});
