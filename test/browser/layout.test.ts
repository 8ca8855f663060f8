import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { bootWithSimulator } from '../helpers/call-flow-harness.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { axeViolations, closeBrowser, hasChromium, launch, signedInPage, submitAndLoad, type Harness } from './browser-helpers.ts';

const run = hasChromium ? test.serial : test.serial.skip;
test.after.always(closeBrowser);

// `SCREENSHOTS=1 npx ava test/browser/layout.test.ts` refreshes the schedules and first-page pictures in docs/.
const shoot = process.env.SCREENSHOTS === '1';

/**
 * Layout facts a person sees, measured in the page (text, not a function: the test program has no DOM types):
 * - nothing sticks out of the viewport sideways and the page does not scroll sideways;
 * - each radio button and checkbox has its label's text on the same line, just right of it;
 * - no word is broken across lines (words longer than a phone line may break: long addresses, ids).
 * Returns each problem as a sentence naming the element.
 */
const LAYOUT_PROBLEMS = `(() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && !el.closest('.visually-hidden, .skip, [hidden]');
  };
  if (document.documentElement.scrollWidth > width) problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' px wide in ' + width + ' px');
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'DATALIST', 'OPTION', 'BR'].includes(el.tagName) || !shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 || r.left < -0.5) problems.push(name(el) + ' sticks out: ' + Math.round(r.left) + '–' + Math.round(r.right) + ' px of ' + width);
  }
  for (const box of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    if (!shown(box)) continue;
    const label = box.labels && box.labels[0];
    if (!label) { problems.push(name(box) + ' has no label'); continue; }
    const range = document.createRange();
    const texts = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent.trim()) texts.push(n);
    if (!texts.length) { problems.push(name(box) + "'s label has no text"); continue; }
    range.setStart(texts[0], 0);
    range.setEnd(texts[texts.length - 1], texts[texts.length - 1].textContent.length);
    const first = range.getClientRects()[0];
    const b = box.getBoundingClientRect();
    const text = label.textContent.trim();
    if (!first || first.top >= b.bottom || first.bottom <= b.top) problems.push('"' + text + '" is not on the line of its ' + box.type);
    else if (first.left < b.right - 0.5 || first.left - b.right > 16) problems.push('"' + text + '" is not just right of its ' + box.type + ' (' + Math.round(first.left - b.right) + ' px away)');
    if (range.getClientRects().length > 1 && new Set([...range.getClientRects()].map((q) => Math.round(q.top))).size > 1) problems.push('"' + text + '" wraps beside its ' + box.type);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || !shown(parent) || parent.closest('script, style, datalist, option, pre, textarea')) continue;
    const words = /[^\\s\\-–—/]{2,24}/g;
    for (let m = words.exec(n.textContent); m; m = words.exec(n.textContent)) {
      const range = document.createRange();
      range.setStart(n, m.index);
      range.setEnd(n, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
      if (tops.size > 1) problems.push('"' + m[0] + '" is broken across lines in ' + name(parent));
    }
  }
  return [...new Set(problems)];
})()`;

const layoutProblems = (page: Page) => page.evaluate<string[]>(LAYOUT_PROBLEMS);

/** Calls and schedules in each state a page shows: a finished call whose callee pressed 1 then 9, one upcoming, schedules active and paused. */
async function fill(h: Harness) {
  const post = (path: string, body: object, method = 'POST') => fetch(`${h.svc.url}/api${path}`, { method, headers: h.account.headers, body: JSON.stringify(body) });
  const pressed = await h.placeNow('+12025550919');
  await h.ended(pressed);
  const now = h.svc.deps.clock.now();
  await post('/calls', { to: '+12025550182', at: new Date(now + 26 * 3_600_000).toISOString(), timezone: 'Asia/Calcutta', message: 'Happy birthday, Sam!' });
  const weeklyRes = await post('/schedules', { to: '+12025550193', repeat: { every: 'week', days: ['mon', 'wed', 'fri'], at: '07:30' }, timezone: 'Europe/London', message: 'Stand-up in half an hour' });
  if (weeklyRes.status !== 201) throw new Error(`schedule refused: ${await weeklyRes.text()}`);
  const weekly = (await weeklyRes.json()) as { id: string };
  const daily = (await (await post('/schedules', { to: '+12025550190', repeat: { every: 'weekday', at: '08:00' }, timezone: 'America/New_York', retry: { attempts: 2, afterMinutes: 10 } })).json()) as { id: string };
  await post(`/schedules/${daily.id}`, { paused: true }, 'PATCH');
  return { pressed, weekly: weekly.id };
}

type State = { name: string; open: (page: Page) => Promise<unknown>; picture?: string };

function states(h: Harness, ids: { pressed: string; weekly: string }): { signedIn: State[]; stranger: State[] } {
  const url = (path: string) => `${h.svc.url}${path}`;
  return {
    signedIn: [
      { name: 'home with calls', open: (p) => p.goto(url('/')) },
      {
        name: 'home with errors',
        open: async (p) => {
          await p.goto(url('/'));
          await p.fill('#to', '12');
          await submitAndLoad(p, () => p.click('form#schedule-form button[type=submit]'));
        },
      },
      { name: 'schedules', open: (p) => p.goto(url('/schedules')), picture: 'schedules' },
      {
        name: 'schedules with errors',
        open: async (p) => {
          await p.goto(url('/schedules'));
          await p.fill('#to', '12');
          await p.check('#repeat-week');
          await submitAndLoad(p, () => p.click('#sched-form button[value=save]'));
        },
        picture: 'schedules-errors',
      },
      {
        name: 'schedules with the next dates',
        open: async (p) => {
          await p.goto(url('/schedules'));
          await p.fill('#to', '+1 202 555 0191');
          await submitAndLoad(p, () => p.click('#sched-form button[value=preview]'));
        },
      },
      { name: 'a schedule of its own', open: (p) => p.goto(url(`/schedules/${ids.weekly}`)), picture: 'schedule' },
      {
        name: 'the delete question without script',
        open: async (p) => {
          await p.goto(url(`/schedules/${ids.weekly}`));
          await Promise.all([p.waitForURL(/\/stop$/), p.evaluate("document.querySelector('form.confirm-form').submit()")]);
        },
      },
      { name: 'a call pressed 1 then 9', open: (p) => p.goto(url(`/calls/${ids.pressed}`)), picture: 'call' },
      { name: 'the dev outbox', open: (p) => p.goto(url('/dev/mail')) },
    ],
    stranger: [
      { name: 'the first page', open: (p) => p.goto(url('/')), picture: 'welcome' },
      { name: 'sign-in', open: (p) => p.goto(url('/login')) },
      { name: 'register with errors', open: async (p) => { await p.goto(url('/register')); await submitAndLoad(p, () => p.click('main button[type=submit]')); } },
    ],
  };
}

const VIEWS = [
  { width: 320, colorScheme: 'light', timezoneId: 'Asia/Calcutta' },
  { width: 320, colorScheme: 'dark', timezoneId: 'America/New_York' },
  { width: 1280, colorScheme: 'light', timezoneId: 'Europe/Berlin' },
  { width: 1280, colorScheme: 'dark', timezoneId: 'Asia/Calcutta' },
] as const;

async function look(t: ExecutionContext, page: Page, state: State, label: string, axe: boolean) {
  await state.open(page);
  t.deepEqual(await layoutProblems(page), [], `${state.name}, ${label}`);
  if (axe) t.deepEqual(await axeViolations(page), [], `${state.name}, ${label}: axe`);
  // The pictures: each state's at desktop width in light mode; the schedules page and the first page also on a phone.
  const phone = label.startsWith('320 px, light') && ['schedules', 'welcome'].includes(state.picture ?? '');
  if (shoot && state.picture && (label.startsWith('1280 px, light') || phone)) {
    await page.screenshot({ path: join(ROOT_DIR, 'docs', `${state.picture}${phone ? '-phone' : ''}.png`), fullPage: true });
  }
}

for (const view of VIEWS) {
  const label = `${view.width} px, ${view.colorScheme}, ${view.timezoneId}`;
  run(`when every page and state is shown at ${label}, then each box sits beside its label, nothing sticks out and no word breaks; axe finds nothing`, async (t) => {
    const h = await bootWithSimulator(t, { config: { mail: { devOutbox: true } } });
    const ids = await fill(h);
    const options: BrowserContextOptions = { timezoneId: view.timezoneId, colorScheme: view.colorScheme, viewport: { width: view.width, height: 800 }, locale: 'en-US' };
    const { page } = await signedInPage(t, h, options);
    const all = states(h, ids);
    // axe at two of the four views (it takes seconds a page): the phone in light, the desktop in dark.
    const axe = (view.width === 320) === (view.colorScheme === 'light');
    for (const state of all.signedIn) await look(t, page, state, label, axe);
    const stranger = await (await launch()).newContext(options);
    t.teardown(() => stranger.close());
    const strangerPage = await stranger.newPage();
    for (const state of all.stranger) await look(t, strangerPage, state, label, axe);
  });
}
