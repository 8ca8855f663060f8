import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bootWithSimulator } from '../helpers/call-flow-harness.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { axeViolations, closeBrowser, hasChromium, signedInPage, submitAndLoad, type Harness } from './browser-helpers.ts';

const run = hasChromium ? test.serial : test.serial.skip;
test.after.always(closeBrowser);

// `SCREENSHOTS=1 npx ava test/browser/accessibility.test.ts` refreshes the pictures in docs/ the README shows.
const shoot = process.env.SCREENSHOTS === '1';
async function check(t: ExecutionContext, page: Page, state: string, picture?: string) {
  t.deepEqual(await axeViolations(page), [], state);
  if (shoot && picture) await page.screenshot({ path: join(ROOT_DIR, 'docs', picture), fullPage: true });
}

/** A list with a call in each kind of state: upcoming in two zones, one under way, and endings. */
async function fillList(h: Harness) {
  const now = h.svc.deps.clock.now();
  const post = (body: object) => fetch(`${h.svc.url}/api/calls`, { method: 'POST', headers: h.account.headers, body: JSON.stringify(body) });
  await post({ to: '+12025550181', at: new Date(now + 2 * 3_600_000).toISOString(), timezone: 'Pacific/Auckland', message: 'Happy birthday, Sam!' });
  await post({ to: '+12025550182', at: new Date(now + 26 * 3_600_000).toISOString() });
  await post({ to: '+12025550183', at: new Date(now + 5 * 86_400_000).toISOString(), timezone: 'Europe/Berlin' });
  const done = await h.placeNow('+12025550184');
  const busy = await h.placeNow('+12025550486'); // the simulator's "busy" suffix
  await h.ended(done);
  await h.ended(busy);
  return done;
}

for (const colorScheme of ['light', 'dark'] as const) {
  run(`when the page is shown in ${colorScheme} mode, then axe finds nothing: empty, with calls, with errors, a call's page, the cancel question`, async (t) => {
    const h = await bootWithSimulator(t);
    const { page, cspViolations } = await signedInPage(t, h, { timezoneId: 'Europe/Berlin', colorScheme, viewport: { width: 1200, height: 900 } });
    await page.goto(h.svc.url);
    await check(t, page, 'empty');
    const done = await fillList(h);
    await page.reload();
    await page.locator(`li[data-id="${done}"][data-status="completed"]`).waitFor();
    await check(t, page, 'list', colorScheme === 'light' ? 'page.png' : 'page-dark.png');
    await page.fill('#to', '12');
    await page.fill('#date', '2020-01-01');
    await page.click('form#schedule-form button[type=submit]');
    await page.locator('#error-summary').waitFor();
    t.is(await page.evaluate<string | undefined>('document.activeElement?.id'), 'error-summary');
    t.regex(await page.title(), /^Error: /);
    t.is(await page.getAttribute('#date', 'aria-invalid'), 'true', 'a past date marks the date');
    await check(t, page, 'errors', colorScheme === 'light' ? 'errors.png' : undefined);
    await page.goto(`${h.svc.url}/calls/${done}`);
    t.regex((await page.textContent('.timeline')) ?? '', /Dialed (on time|.* after its time).*Ringing.*Answered.*Told a joke, then the menu.*Pressed nothing.*Said goodbye.*Hung up after the last words.*Ended: answered/s);
    await check(t, page, 'call page'); // docs/call.png is layout.test.ts's: a call whose callee pressed 1 then 9
    const [upcoming] = await h.svc.deps.store.listCalls({ accountId: h.account.id, statuses: ['scheduled'], limit: 1 });
    await page.goto(`${h.svc.url}/calls/${upcoming?.id ?? ''}`);
    await check(t, page, 'a scheduled call page');
    // form.submit() skips the script's dialog, as a browser without JavaScript would: the server asks instead.
    await Promise.all([page.waitForURL(/\/cancel$/), page.evaluate("document.querySelector('.cancel-form').submit()")]);
    t.regex((await page.textContent('h1')) ?? '', /^Cancel the call to /);
    await check(t, page, 'the cancel question');
    await page.goto(`${h.svc.url}/login`);
    await check(t, page, 'sign-in page', colorScheme === 'light' ? 'sign-in.png' : undefined);
    await page.goto(`${h.svc.url}/register`);
    await submitAndLoad(page, () => page.click('main button[type=submit]'));
    await check(t, page, 'register page with errors');
    await page.goto(`${h.svc.url}/reset`);
    await check(t, page, 'reset page');
    t.deepEqual(cspViolations, []);
  });
}

run('when the page is 320 px wide, then axe finds nothing and the picture fits', async (t) => {
  const h = await bootWithSimulator(t);
  const { page } = await signedInPage(t, h, { timezoneId: 'America/New_York', viewport: { width: 320, height: 800 } });
  await fillList(h);
  await page.goto(h.svc.url);
  await check(t, page, 'phone', 'phone.png');
});

run('when the API reference is opened, then Swagger UI renders the document from this server with no CSP violation', async (t) => {
  const h = await bootWithSimulator(t);
  const { page, cspViolations } = await signedInPage(t, h, { timezoneId: 'UTC' });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${h.svc.url}/docs/api`);
  await page.locator('text=Schedule a call').first().waitFor();
  t.deepEqual(cspViolations, []);
  t.deepEqual(requests.filter((u) => !u.startsWith(h.svc.url) && !u.startsWith('data:')), []);
  if (shoot) await page.screenshot({ path: join(ROOT_DIR, 'docs', 'api-reference.png') });
});
