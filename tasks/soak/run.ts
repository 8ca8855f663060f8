/**
 * The soak: 1,000 calls through the real service and the carrier simulator in its
 * Telnyx-faithful mode (one webhook delivery, active calls cursor paged, the channel limit refused as a SIP 403 with
 * either hangup cause or as an API error on the dial), with 10 % of webhooks lost, 5 % of dials answered in a way
 * that leaves their outcome unknown, fewer channels at the carrier than our MAX_CONCURRENT_CALLS, premium detection
 * with machines that never beep, faxes and silence, and detection slow enough to cancel prompts (`cancelled_amd`). Timings are accelerated through simulator knobs and config only; the service's logic is
 * the production one. Loopback only, bounded in calls and time. Prints the figures; exits 1 if a check fails.
 *
 *   make soak            (or: npm run soak -- --calls 200)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFinal, type Call } from '../../src/calls/call.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { buildDeps } from '../../src/compose/index.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { Service } from '../../src/service.ts';
import { CarrierSimulator } from 'telnyx-simulator';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg('calls', 1000);
const DEADLINE_MS = arg('minutes', 5) * 60_000;
const CHANNELS = 20;
const MAX_CONCURRENT = 30;
const RING_TIMEOUT_SECS = 5;
const TIME_LIMIT_SECS = 60;
const HANGUP_GRACE_SECS = 5;
const RECONCILE_MS = 500;

/** Destination endings and how often each appears (the simulator's scenarios by last four digits). */
const MIX: [suffix: string, weight: number][] = [
  ['1234', 40], // a person who presses nothing
  ['0901', 10], // presses 1 once
  ['0911', 5], // presses 1 at every menu
  ['0909', 5], // presses 9: do-not-call
  ['0919', 5], // 1 then 9
  ['0700', 10], // an answering machine
  ['0701', 5], // a machine that never beeps: the bounded greeting wait
  ['0329', 3], // a fax: hung up without a word
  ['0702', 3], // silence
  ['0703', 3], // a person at a business
  ['0486', 6], // busy
  ['0408', 6], // no answer
  ['0603', 5], // rejected
  ['0500', 4], // first dial 500
  ['0429', 4], // first dial 429
];
const totalWeight = MIX.reduce((n, [, w]) => n + w, 0);
function suffixFor(i: number): string {
  let point = (i * 7919) % totalWeight;
  for (const [suffix, weight] of MIX) {
    if (point < weight) return suffix;
    point -= weight;
  }
  return '1234';
}
/** Unique valid US numbers: area code and exchange vary, the last four pick the scenario. */
const AREAS = ['202', '212', '312', '415', '503', '617'];
const numberFor = (i: number) => `+1${AREAS[i % AREAS.length]}${200 + Math.floor(i / AREAS.length)}${suffixFor(i)}`;

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'daj-soak-'));
  const config = loadConfig({
    env: { STAGE: 'test', DATABASE_URL: `sqlite:${join(dir, 'soak.db')}` },
    configDir: join(ROOT_DIR, 'config'),
    overrides: {
      queue: { maxConcurrentCalls: MAX_CONCURRENT, dialsPerSecond: 30, channelLimitBackoffSeconds: 1, channelLimitMaxRequeues: 30, capacityProbeSeconds: 5 },
      telnyx: {
        ringTimeoutSecs: RING_TIMEOUT_SECS,
        timeLimitSecs: TIME_LIMIT_SECS,
        requestTimeoutMs: 1000,
        menuTimeoutMs: 1000,
        answeringMachineDetection: 'premium',
        greetingWaitSecs: 2,
      },
      reconcile: { intervalMs: RECONCILE_MS, unknownGraceSeconds: 2, silentAfterSeconds: 3, hangupGraceSeconds: HANGUP_GRACE_SECS },
    },
  });
  const simulator = new CarrierSimulator({
    // Telnyx's defaults: one delivery; the channel limit in each form it may take.
    webhookAttempts: 1,
    channelLimitModes: ['sip-403', 'sip-403-rejected', 'api-403'],
    channels: CHANNELS,
    webhookLossRate: 0.1,
    dialUnknownOutcomeRate: 0.05,
    // Accelerated far end.
    answerDelayMs: 100,
    ringTimeoutCapMs: 800,
    speakMsPerChar: 1,
    // Detection ends around when the reconciler nudges a quiet answered call (silentAfterSeconds 3): some prompts
    // start before it and are cancelled (cancelled_amd).
    amdDelayMs: 3100,
    machineGreetingMs: 300,
    digitDelayMs: 50,
    maxCallMs: 12_000,
  });
  const service = new Service(buildDeps(config, { simulator, logger: createLogger({ level: 'error', pretty: false }) }));
  const started = Date.now();
  const { url } = await service.start();
  const { store } = service.deps;
  // One person schedules everything: an account of its own and a bearer token, as a program would use.
  const accountId = service.deps.newId();
  await store.insertAccount({ id: accountId, email: 'soak@example.test', passwordHash: 'none', createdAt: Date.now() });
  const authorization = `Bearer ${await service.deps.tokens.accessToken(accountId, 3600)}`;
  const ids: string[] = [];
  try {
    for (let i = 0; i < CALLS; i++) {
      const res = await fetch(`${url}/api/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ to: numberFor(i), at: new Date().toISOString() }),
      });
      if (res.status !== 201) throw new Error(`scheduling call ${i} failed: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    // Poll the database (a script, not a test): every call final, or the deadline.
    let calls: Call[] = [];
    for (;;) {
      calls = (await Promise.all(ids.map((id) => store.getCall(id)))).filter((c): c is Call => c !== undefined);
      const open = calls.filter((c) => !isFinal(c.status)).length;
      if (open === 0 || Date.now() - started > DEADLINE_MS) break;
      if (process.stdout.isTTY) process.stdout.write(`\r${calls.length - open}/${CALLS} ended, ${simulator.liveCalls().length} live at the carrier   `);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    process.stdout.write('\n');
    // Hangups we sent may still be landing at the carrier: give them a few seconds.
    for (let i = 0; i < 10 && simulator.liveCalls().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 500));
    const reconciled = (await service.deps.metrics.reconciled.get()).values.map((v) => `${String(v.labels.action)} ${v.value}`).join(', ');
    return await report(calls, service, simulator, Date.now() - started, reconciled || 'nothing');
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function report(calls: Call[], service: Service, simulator: CarrierSimulator, elapsedMs: number, reconciled: string): Promise<number> {
  const clientState = (id: string) => Buffer.from(id, 'utf8').toString('base64');
  const limitMs = (RING_TIMEOUT_SECS + TIME_LIMIT_SECS + HANGUP_GRACE_SECS) * 1000 + 4 * RECONCILE_MS;
  const open = calls.filter((c) => !isFinal(c.status));
  const noReason = calls.filter((c) => isFinal(c.status) && c.status !== 'completed' && !c.reason);
  const overLimit = calls.filter((c) => c.endedAt !== null && c.claimedAt !== null && c.endedAt - c.claimedAt > limitMs);
  const dialedTwice = calls.filter((c) => simulator.placedCount(clientState(c.id)) > Math.max(1, c.attempt));
  const isFax = (to: string) => to.endsWith('0329');
  // A fax is hung up without a word by design: it is checked apart.
  const silent = simulator.answeredNeverSpoken().filter((c) => !isFax(c.to));
  const faxesHeard = simulator.calls().filter((c) => isFax(c.to) && c.spoken.length > 0).length;
  const alive = simulator.liveCalls();
  const byStatus = new Map<string, number>();
  for (const c of calls) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + 1);
  const requeued = calls.filter((c) => c.attempt > 1).length;
  const stats = simulator.stats;
  const timelines = await Promise.all(calls.map((c) => service.deps.store.listEvents(c.id)));
  // Once detection said fax, nothing more is said (a nudge before a slow or lost verdict may have spoken first).
  const spokenAfterFax = timelines.filter((events) => {
    const verdict = events.findIndex((e) => e.kind === 'webhook' && e.detail?.result === 'fax_detected');
    return verdict >= 0 && events.slice(verdict).some((e) => e.kind === 'command' && (e.name === 'speak' || e.name === 'gather'));
  }).length;
  const noted = (name: string) => timelines.filter((events) => events.some((e) => e.kind === 'note' && e.name === name)).length;
  const durations = calls.filter((c) => c.endedAt && c.claimedAt).map((c) => (c.endedAt as number) - (c.claimedAt as number)).sort((a, b) => a - b);
  const pct = (p: number) => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? 0;
  const failedWhy = new Map<string, number>();
  for (const c of calls.filter((c) => c.status === 'failed')) {
    const why = (c.reason ?? '').slice(0, 70);
    failedWhy.set(why, (failedWhy.get(why) ?? 0) + 1);
  }
  const lines = [
    `soak: ${calls.length} calls in ${(elapsedMs / 1000).toFixed(1)} s; carrier channels ${CHANNELS}, MAX_CONCURRENT_CALLS ${MAX_CONCURRENT}`,
    `endings: ${[...byStatus].map(([s, n]) => `${s} ${n}`).join(', ')}`,
    `failed because: ${[...failedWhy].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${n}× "${why}"`).join('; ') || 'none'}`,
    `faults: webhooks lost ${stats.webhooks.lost} of ${stats.webhooks.delivered + stats.webhooks.lost}, dials with unknown outcome ${stats.dialsUnknownOutcome}, channel-limit refusals ${stats.channelLimited}, calls requeued ${requeued}`,
    `detection: calls with a prompt cancelled by detection (cancelled_amd) ${noted('speech.cancelled-by-detection')}, greeting waits run out ${noted('greeting.not-heard')}, faxes hung up ${noted('fax')} (${faxesHeard} heard a nudge before their verdict); beepless machines ${calls.filter((c) => c.to.endsWith('0701')).length}, faxes ${calls.filter((c) => isFax(c.to)).length}`,
    `reconciler (from the carrier's record): ${reconciled}`,
    `carrier: calls placed ${stats.callsPlaced}, most live at once ${stats.maxLiveCalls}, queue capacity at the end ${service.deps.dialer.capacity}`,
    `claim→end: p50 ${(pct(0.5) / 1000).toFixed(1)} s, p95 ${(pct(0.95) / 1000).toFixed(1)} s, max ${((durations.at(-1) ?? 0) / 1000).toFixed(1)} s (limit ${limitMs / 1000} s)`,
  ];
  const checks: [string, number][] = [
    ['every call ended', open.length],
    ['every ending has a reason', noReason.length],
    ['every call ended within its time limit', overLimit.length],
    ['none answered and left silent (faxes apart)', silent.length],
    ['nothing said to a fax once detected', spokenAfterFax],
    ['none dialed twice (per attempt)', dialedTwice.length],
    ['none still alive at the carrier', alive.length],
  ];
  for (const line of lines) console.log(line);
  for (const [name, bad] of checks) console.log(`${bad === 0 ? 'PASS' : 'FAIL'} ${name}${bad === 0 ? '' : ` (${bad})`}`);
  return checks.every(([, bad]) => bad === 0) ? 0 : 1;
}

process.exitCode = await main();
