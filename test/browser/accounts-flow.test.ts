import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bootWithSimulator } from '../helpers/call-flow-harness.ts';
import { SESSION_COOKIE } from '../../src/http/auth/request-auth.ts';
import { createTestAccount, TEST_PASSWORD } from '../helpers/accounts.ts';
import { submitAndLoad } from './browser-helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const run = existsSync(CHROMIUM) ? test.serial : test.serial.skip;

let browser: Browser | undefined;
test.after.always(async () => {
  await browser?.close();
});

/** A fresh browser page that records every CSP violation Chromium reports and every script dialog. */
async function open(t: ExecutionContext, options: { javaScriptEnabled?: boolean } = {}) {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true, timezoneId: 'Europe/Dublin' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const violations: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, context, violations, dialogs };
}

const submit = (p: Page, selector = 'main button[type=submit]') => submitAndLoad(p, () => p.click(selector));

run('when a person registers, opens the mail in the dev outbox, activates, signs in, schedules and signs out, then each step works with no CSP violation', async (t) => {
  const h = await bootWithSimulator(t, { config: { mail: { devOutbox: true } } });
  const { page: p, violations } = await open(t);
  await p.goto(h.svc.url);
  // The first page says what this is and offers both forms; the simulated-mode note shows before any sign-in.
  t.regex((await p.textContent('h1')) ?? '', /A phone call that tells a joke/);
  t.regex((await p.textContent('header')) ?? '', /Simulated mode/);
  await p.fill('#register-email', 'grace@example.test');
  await p.fill('#register-password', 'a long and private phrase');
  await submit(p, 'form[action="/register"] button[type=submit]');
  t.regex((await p.textContent('main')) ?? '', /Check your mail/);
  await p.click('a[href="/dev/mail"]');
  await p.click('text=Confirm your Dial-A-Joke account');
  await p.click('a.mail-link');
  t.true(p.url().startsWith(`${h.svc.url}/activate?token=`));
  await submit(p);
  await p.waitForURL(`${h.svc.url}/login?notice=activated`);
  await p.fill('#email', 'grace@example.test');
  await p.fill('#password', 'a long and private phrase');
  await submit(p);
  await p.waitForURL(`${h.svc.url}/`);
  t.regex((await p.textContent('header')) ?? '', /grace@example\.test/);

  await p.fill('#to', '+1 202 555 0147');
  await p.fill('#date', new Date(h.svc.deps.clock.now() + 2 * 86_400_000).toISOString().slice(0, 10));
  await p.fill('#time', '09:15');
  await p.fill('#timezone', 'Europe/Dublin');
  await submit(p, 'form[action="/calls"] button[type=submit]');
  t.regex((await p.textContent('.notice')) ?? '', /Call to \+1 202 555 0147 scheduled/);

  await submit(p, 'header button[type=submit]');
  await p.waitForURL(`${h.svc.url}/login?notice=signed-out`);
  await p.goto(h.svc.url);
  t.regex((await p.textContent('h1')) ?? '', /A phone call that tells a joke/, 'signed out for good: the first page again');
  t.notRegex((await p.textContent('header')) ?? '', /grace@example\.test/);
  t.deepEqual(violations, []);
});

run('when a page on another origin posts the scheduling form, then it is refused with 403 and nothing is scheduled', async (t) => {
  const h = await bootWithSimulator(t);
  const { page: p, context } = await open(t);
  await context.addCookies([{ name: SESSION_COOKIE, value: await h.svc.deps.sessions.open(h.account.id), url: h.svc.url, httpOnly: true, sameSite: 'Lax' }]);
  // Same host, another port: same site, so even the SameSite=Lax cookie goes along; only the CSRF token is missing.
  const evil = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form method="post" action="${h.svc.url}/calls"><input name="to" value="+12025550123"><input name="date" value="2030-01-01">
      <input name="time" value="10:00"><input name="timezone" value="UTC"></form><script>document.forms[0].submit()</script>`);
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => evil.close(() => resolve())));
  const response = p.waitForResponse(`${h.svc.url}/calls`);
  await p.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
  t.is((await response).status(), 403);
  await p.waitForURL(`${h.svc.url}/calls`);
  t.regex((await p.textContent('main')) ?? '', /403/);
  t.deepEqual(await h.svc.deps.store.listCalls({ limit: 5 }), []);
});

run('when a stored message carries a script, then the page shows it as text, runs nothing and reports no CSP violation', async (t) => {
  const h = await bootWithSimulator(t);
  const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
  const at = new Date(h.svc.deps.clock.now() + 86_400_000).toISOString();
  const res = await fetch(`${h.svc.url}/api/calls`, { method: 'POST', headers: h.account.headers, body: JSON.stringify({ to: '+12025550123', at, message: payload }) });
  t.is(res.status, 201);
  const { page: p, context, violations, dialogs } = await open(t);
  await context.addCookies([{ name: SESSION_COOKIE, value: await h.svc.deps.sessions.open(h.account.id), url: h.svc.url, httpOnly: true, sameSite: 'Lax' }]);
  await p.goto(h.svc.url);
  t.is(await p.locator('.call .message').first().textContent(), `“${payload}”`);
  t.is(await p.locator('.call img').count(), 0);
  t.deepEqual(dialogs, []);
  t.deepEqual(violations, []);
});

run('when a person signs in with the keyboard alone, then the form is reachable and submits without a mouse', async (t) => {
  const h = await bootWithSimulator(t);
  const account = await createTestAccount(h.svc.deps);
  const { page: p } = await open(t);
  await p.goto(`${h.svc.url}/login`);
  t.is(await p.locator('#email:focus').count(), 1, 'the address field has the focus');
  await p.keyboard.type(account.email);
  await p.keyboard.press('Tab');
  t.is(await p.locator('#password:focus').count(), 1, 'Tab moves to the password');
  await p.keyboard.type(TEST_PASSWORD);
  await Promise.all([p.waitForURL(`${h.svc.url}/`), p.keyboard.press('Enter')]);
  t.regex((await p.textContent('header')) ?? '', new RegExp(account.email.replace(/\./g, '\\.')));
});

run('when the register form asks for a proof of work, then the browser solves it offline under the CSP and the registration goes through; a form sent without it is told why', async (t) => {
  const h = await bootWithSimulator(t, {
    config: { mail: { devOutbox: true }, proofOfWork: { enabled: true, afterRequestsPerNetwork: 0, afterRegistrationsPerHour: 0, maxCounter: 3000 } },
  });
  const { page: p, violations } = await open(t);
  // Every script the solver needs comes from the service itself: a request anywhere else fails the test.
  const elsewhere: string[] = [];
  p.on('request', (req) => {
    if (!req.url().startsWith(h.svc.url)) elsewhere.push(req.url());
  });
  await p.goto(`${h.svc.url}/register`);
  t.truthy(await p.$('form[action="/register"][data-pow]'), 'the form says it needs the work');
  t.regex((await p.textContent('.pow-note')) ?? '', /your browser first does a short calculation/);
  await p.fill('#email', 'ada@example.test');
  await p.fill('#password', 'a long and private phrase');
  await submit(p);
  t.regex((await p.textContent('main')) ?? '', /Check your mail/);
  t.is(h.svc.deps.outbox?.list().filter((m) => m.to === 'ada@example.test').length, 1);
  t.deepEqual(violations, []);
  t.deepEqual(elsewhere, []);

  // Without JavaScript nothing solves it: the page says so plainly, with 429.
  const { page: plain } = await open(t, { javaScriptEnabled: false });
  await plain.goto(`${h.svc.url}/register`);
  await plain.fill('#email', 'bob@example.test');
  await plain.fill('#password', 'a long and private phrase');
  const [response] = await Promise.all([plain.waitForNavigation(), plain.click('main button[type=submit]')]);
  t.is(response?.status(), 429);
  t.regex((await plain.textContent('.problem')) ?? '', /asks your browser for a short calculation \(a proof of work; it needs JavaScript\)/);
});
