/**
 * The per-number attacks of issue 18 (item 6), for `npm run attacks`: the day's hard edges (3 calls to one number at T
 * and 3 more at exactly T + 24 h) and one stranger booking a number's whole day so nobody else can call it. Against a
 * fresh service with the shipped limits (config/default.json), over real HTTP on loopback; each burst is sent at once,
 * so the limits are tried as a race, not one request after another. Bounded: 17 requests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { createTestAccount, type TestAccount } from '../../test/helpers/accounts.ts';
import { startTestService, testConfig } from '../../test/helpers/test-service.ts';

const SHIPPED = JSON.parse(readFileSync(join(ROOT_DIR, 'config', 'default.json'), 'utf8')) as { limits: Record<string, number> };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export async function perNumberAttacks(): Promise<Record<string, unknown>> {
  const { config, dir } = testConfig({ limits: SHIPPED.limits });
  const svc = await startTestService({ config, dir });
  try {
    const book = async (who: TestAccount, to: string, dueAt: number) =>
      (await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: who.headers, body: JSON.stringify({ to, at: new Date(dueAt).toISOString() }) })).status;
    const burst = (calls: [TestAccount, string, number][]) => Promise.all(calls.map(([who, to, at]) => book(who, to, at)));
    const tally = (statuses: number[]) => ({ accepted: statuses.filter((s) => s === 201).length, refused429: statuses.filter((s) => s === 429).length, other: statuses.filter((s) => s !== 201 && s !== 429).length });
    const accounts = await Promise.all(Array.from({ length: 12 }, () => createTestAccount(svc.deps)));
    const T = Math.ceil((svc.deps.clock.now() + 2 * HOUR) / 60_000) * 60_000;

    // The day's edges: three accounts at T, three others at exactly T + 24 h, three more a minute after that.
    const edgeNumber = '+12025550161';
    const atT = tally(await burst(accounts.slice(0, 3).map((a) => [a, edgeNumber, T])));
    const atTPlus24h = tally(await burst(accounts.slice(3, 6).map((a) => [a, edgeNumber, T + DAY])));
    const aMinuteLater = tally(await burst(accounts.slice(6, 9).map((a) => [a, edgeNumber, T + DAY + 60_000])));

    // One stranger books a number three times in a day (its per-number limit), then two bystanders try.
    const heldNumber = '+12025550162';
    const stranger = accounts[9] as TestAccount;
    const strangerBooks = tally(await burst([0, 1, 2].map((h) => [stranger, heldNumber, T + h * HOUR])));
    const bystanders = tally(await burst([accounts[10], accounts[11]].map((a) => [a as TestAccount, heldNumber, T + 3 * HOUR])));
    return {
      limits: { callsPerNumberPerDay: SHIPPED.limits.callsPerNumberPerDay, callsPerNumberPerAccountPerDay: SHIPPED.limits.callsPerNumberPerAccountPerDay },
      dayEdges: { atT, atTPlus24h, aMinuteAfterTPlus24h: aMinuteLater },
      oneAccountHoldsTheDay: { strangerBooks3: strangerBooks, bystandersAfterwards: bystanders },
    };
  } finally {
    await svc.stop();
  }
}
