import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { bootWithSimulator } from '../integration/call-flow/harness.ts';
import { SESSION_COOKIE } from '../../src/http/auth/request-auth.ts';

// Debian's Chromium (`apt-get install chromium`); .ci/run installs it, so CI always runs these.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const run = existsSync(CHROMIUM) ? test.serial : test.serial.skip;
if (!existsSync(CHROMIUM)) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let browser: Browser | undefined;
test.after.always(async () => {
  await browser?.close();
});
async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  return browser;
}

/** A browser page signed in as the harness's account (its session cookie set directly: sign-in itself is tested in accounts-flow). */
async function page(t: ExecutionContext, h: Awaited<ReturnType<typeof bootWithSimulator>>, options: { javaScriptEnabled: boolean; timezoneId: string }) {
  const context = await (await launch()).newContext(options);
  t.teardown(() => context.close());
  await context.addCookies([{ name: SESSION_COOKIE, value: await h.svc.deps.sessions.open(h.account.id), url: h.svc.url, httpOnly: true, sameSite: 'Lax' }]);
  return context.newPage();
}

run('when JavaScript is off, then a person can schedule and cancel a call with plain forms', async (t) => {
  const h = await bootWithSimulator(t);
  const p = await page(t, h, { javaScriptEnabled: false, timezoneId: 'Europe/Dublin' });
  await p.goto(h.svc.url);
  await p.fill('#to', '+1 202 555 0147');
  const date = new Date(h.svc.deps.clock.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await p.fill('#date', date);
  await p.fill('#time', '09:15');
  await p.selectOption('#timezone', 'Europe/Dublin');
  await p.fill('#message', 'Happy new year');
  await p.click('form[action="/calls"] button[type=submit]');
  await p.waitForURL(`${h.svc.url}/`);
  t.regex(await p.textContent('.notice') ?? '', /scheduled for \w{3} \d{1,2} \w{3} \d{4}, 09:15 \(Europe\/Dublin\)/);
  await p.click('.call-list button:has-text("Cancel")');
  t.regex(await p.textContent('.notice') ?? '', /canceled/);
  t.is(await p.locator('.status-canceled').count(), 1);
});

run('when the form is wrong, then the browser shows each message beside its field and keeps the values', async (t) => {
  const h = await bootWithSimulator(t);
  const p = await page(t, h, { javaScriptEnabled: false, timezoneId: 'UTC' });
  await p.goto(h.svc.url);
  await p.fill('#to', '12345');
  await p.fill('#message', 'still here');
  await p.click('form[action="/calls"] button[type=submit]');
  t.regex(await p.locator('.field.invalid .field-error').first().textContent() ?? '', /Phone number/);
  t.is(await p.inputValue('#message'), 'still here');
  t.is(await p.inputValue('#to'), '12345');
});

run('when JavaScript is on, then the browser’s zone is pre-selected and the list follows a call to its end', async (t) => {
  const h = await bootWithSimulator(t);
  const p = await page(t, h, { javaScriptEnabled: true, timezoneId: 'America/New_York' });
  await p.goto(h.svc.url);
  t.is(await p.inputValue('#timezone'), 'America/New_York');
  const id = await h.placeNow('+12025550123');
  await h.ended(id);
  // The script refreshes the list itself; no reload.
  await p.locator(`li[data-id="${id}"].status-completed`).waitFor({ timeout: 10_000 });
  t.is(await p.locator(`li[data-id="${id}"] .status`).textContent(), 'completed');
});

for (const timezoneId of ['Asia/Tokyo', 'America/New_York']) {
  run(`when a first visit in ${timezoneId} accepts the default date and time, then the call is due a few minutes from now`, async (t) => {
    const h = await bootWithSimulator(t);
    const p = await page(t, h, { javaScriptEnabled: true, timezoneId });
    await p.goto(h.svc.url);
    t.is(await p.inputValue('#timezone'), timezoneId);
    await p.fill('#to', '+1 202 555 0147');
    const before = h.svc.deps.clock.now();
    await p.click('form[action="/calls"] button[type=submit]');
    await p.waitForURL(`${h.svc.url}/`);
    t.regex((await p.textContent('.notice')) ?? '', /scheduled for/);
    const [call] = await h.svc.deps.store.listCalls({ accountId: h.account.id, limit: 1 });
    const ahead = (call?.dueAt ?? 0) - before;
    t.true(ahead > 0 && ahead <= 4 * 60_000, `due ${ahead} ms after the submit`);
    t.is(call?.timeZone, timezoneId);
  });
}
