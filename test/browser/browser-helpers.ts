import type { ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import type { bootWithSimulator } from '../helpers/call-flow-harness.ts';
import { SESSION_COOKIE } from '../../src/http/auth/request-auth.ts';

// Debian's Chromium (`apt-get install chromium`); .ci/run installs it, so CI always runs these.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

export type Harness = Awaited<ReturnType<typeof bootWithSimulator>>;

let browser: Browser | undefined;
/** One Chromium per test file, closed after it. */
export async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  return browser;
}
export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

/**
 * A page signed in as the harness's account (its session cookie set directly: sign-in is tested in accounts-flow).
 * Every announcement the page's live region makes is recorded in `window.__said` by a MutationObserver, so a test
 * can count them; dialogs are accepted unless told otherwise.
 */
export async function signedInPage(t: ExecutionContext, h: Harness, options: BrowserContextOptions & { dialogs?: 'accept' | 'dismiss' }) {
  const { dialogs = 'accept', ...contextOptions } = options;
  const context = await (await launch()).newContext({ locale: 'en-US', ...contextOptions });
  t.teardown(() => context.close());
  await context.addCookies([{ name: SESSION_COOKIE, value: await h.svc.deps.sessions.open(h.account.id), url: h.svc.url, httpOnly: true, sameSite: 'Lax' }]);
  // Page-side code as text: the test program is type-checked without the DOM's types.
  await context.addInitScript(`
    window.__said = [];
    document.addEventListener('DOMContentLoaded', () => {
      const region = document.getElementById('announcer');
      if (!region) return;
      new MutationObserver((records) => {
        for (const r of records) for (const node of r.addedNodes) window.__said.push(node.textContent || '');
      }).observe(region, { childList: true });
    });
  `);
  const page = await context.newPage();
  const asked: string[] = [];
  page.on('dialog', (dialog) => {
    asked.push(dialog.message());
    void (dialogs === 'accept' ? dialog.accept() : dialog.dismiss());
  });
  const cspViolations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return { page, context, asked, cspViolations };
}

/** What the live region has said since the page loaded. */
export const said = (page: Page) => page.evaluate<string[]>('window.__said');

/** axe's violations on the page as it is now (WCAG 2.x A and AA rules), as short strings for a readable failure. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** True when the page scrolls sideways. */
export const scrollsSideways = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');

/** The id of the element that has keyboard focus. */
export const focusedId = (page: Page) => page.evaluate<string | undefined>('document.activeElement?.id');

/**
 * Runs `action` (a form submit) and resolves once the document it leads to has loaded. Waiting for the URL would
 * not do: the page posts from `/` and the answer redirects back to `/`, so the URL matches before the post is sent.
 */
export async function submitAndLoad(page: Page, action: () => Promise<unknown>): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await action();
  await navigated;
  await page.waitForLoadState('load');
}
