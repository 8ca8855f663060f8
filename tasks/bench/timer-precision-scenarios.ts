import { createBenchDb, type StoreKind } from './bench-db.ts';
import type { ScenarioIo } from './scenario-io.ts';
import { startServiceHost, type LoopDelay } from './service-client.ts';
import { startSimHost } from './sim-client.ts';
import { maxInWindow, summarize, type Summary } from './stats.ts';
import { newSigningSeed } from './telnyx-webhooks.ts';
import { sleep, waitUntil } from './wait.ts';

export type TimerParams = {
  calls: number;
  /** The calls fall due evenly over this many seconds… */
  windowSeconds: number;
  /** …starting this long after they are scheduled (scheduling itself takes a moment). */
  leadSeconds: number;
  /** The service's limits (`queue.dialsPerSecond`, `queue.maxConcurrentCalls`). */
  dialsPerSecond: number;
  maxConcurrentCalls: number;
  /** The carrier's own dial limit (Telnyx: 30 per second). */
  carrierDialsPerSecond: number;
  /** `ringing`: the callee does not answer within the run; `answered`: every call is answered, spoken to and hung up. */
  flow: 'ringing' | 'answered';
  store: StoreKind;
};

export type TimerResult = {
  params: TimerParams;
  /** True when scheduling finished before the first call fell due (else early lateness is the setup's). */
  scheduledInTime: boolean;
  scheduleSeconds: number;
  dialed: number;
  /** Dial received by the carrier (first accepted attempt) − due time. */
  carrierLateness: Summary;
  /** Claim (the service's `latenessMs`) − due time. */
  claimLateness: Summary;
  /** [due offset from the first due (ms), carrier lateness (ms), claim lateness (ms), predicted lateness (ms)] per call, in due order. */
  points: [number, number, number, number][];
  windows: { claimsPerSecond: number; claimsPer5s: number; carrierPerSecond: number; carrierPer5s: number };
  carrierRefusals: number;
  /** |claim − prediction| for the rate-limited runs: how far the queue is from the ideal sliding window. */
  predictionError: Summary;
  /** The sliding window the prediction used (1 s plus the service's margin). */
  windowMs: number;
  /**
   * The service's event loop from the first due time to the last dial: the gaps between its 1 ms ticks. Every job
   * of the process (claims, dials, webhooks, the reconciler's rounds over the live calls) shows up here if it holds
   * the loop.
   */
  loopDelay: LoopDelay;
  /** Calls live (dialing, ringing, in progress) in the database when the last call was dialed. */
  liveAtEnd: number;
};

/**
 * The ideal dial times under a sliding limit of `perSecond` per `windowMs`: each call as soon as it is due and the
 * `perSecond`-th dial before it has left the window.
 */
export function predictDials(dueTimes: readonly number[], perSecond: number, windowMs: number): number[] {
  const out: number[] = [];
  dueTimes.forEach((due, k) => {
    const limit = k >= perSecond ? (out[k - perSecond] as number) + windowMs : -Infinity;
    out.push(Math.max(due, limit));
  });
  return out;
}

export const scenarios = {
  /**
   * Schedules `calls` due evenly over a window, against the carrier simulator in its own process, and measures
   * when each dial reaches the carrier relative to its due time.
   */
  async run(params: TimerParams, io: ScenarioIo): Promise<TimerResult> {
    const seed = newSigningSeed();
    const ringing = params.flow === 'ringing';
    const sim = await startSimHost({
      seed,
      knobs: {
        dialsPerSecond: params.carrierDialsPerSecond,
        channels: 1_000_000,
        // Ringing: nobody answers during the run, so each call costs a dial and its call.initiated webhook only.
        answerDelayMs: ringing ? 600_000 : 1000,
        speakMsPerChar: 20,
      },
    });
    io.spawned(sim.pid);
    const db = await createBenchDb(params.store, 'timer');
    try {
      const host = await startServiceHost({
        op: 'start-service',
        options: {
          databaseUrl: db.databaseUrl,
          telnyx: { baseUrl: sim.baseUrl, publicKey: sim.publicKeyBase64 },
          overrides: {
            queue: { dialsPerSecond: params.dialsPerSecond, maxConcurrentCalls: params.maxConcurrentCalls },
            telnyx: { ringTimeoutSecs: 600 },
          },
        },
      });
      io.spawned(host.pid);
      try {
        const start = Date.now() + params.leadSeconds * 1000;
        const spacing = (params.windowSeconds * 1000) / params.calls;
        const dueTimes = Array.from({ length: params.calls }, (_, i) => Math.round(start + i * spacing));
        io.progress(`scheduling ${params.calls} calls due over ${params.windowSeconds} s`);
        const ids = await host.schedule(dueTimes.map((dueAt) => ({ to: '+12025550123', dueAt, message: 'Timer bench.' })));
        const scheduledAt = Date.now();
        // The loop's window opens at the first due time (scheduling's own load is not the timer's).
        if (start > Date.now()) await sleep(start - Date.now());
        await host.loopDelay(true);
        const dueById = new Map(ids.map((id, i) => [id, dueTimes[i] as number]));

        const count = async (sql: string) => (await db.all<{ n: number }>(sql))[0]?.n ?? 0;
        const deadline = params.leadSeconds + params.windowSeconds + Math.ceil(params.calls / Math.min(params.dialsPerSecond, params.carrierDialsPerSecond)) + 60;
        await waitUntil(
          async () => {
            const left = await count("SELECT count(*) AS n FROM calls WHERE status = 'scheduled' OR (status = 'dialing' AND call_control_id IS NULL)");
            io.progress(`${params.calls - left}/${params.calls} dialed`);
            return left === 0;
          },
          { timeoutMs: deadline * 1000, everyMs: 500 },
        );
        const loopDelay = await host.loopDelay(false);
        const liveAtEnd = await count("SELECT count(*) AS n FROM calls WHERE status IN ('dialing', 'ringing', 'in_progress')");
        await sleep(200);
        const rows = await db.all<{ id: string; claimed_at: number; lateness_ms: number }>('SELECT id, claimed_at, lateness_ms FROM calls WHERE claimed_at IS NOT NULL');
        const claimById = new Map(rows.map((r) => [r.id, r]));
        const dials = await sim.commands('dial');
        const firstAccepted = new Map<string, number>();
        for (const d of dials) {
          const id = d.clientState === null ? undefined : Buffer.from(d.clientState, 'base64').toString('utf8');
          if (id !== undefined && d.status === 200 && !firstAccepted.has(id)) firstAccepted.set(id, d.at);
        }
        // The service's window: one second plus the margin it keeps for jitter between its count and the carrier's.
        const windowMs = 1000 + (host.queue?.dialRateMarginMs ?? 0);
        const predicted = predictDials(dueTimes, params.dialsPerSecond, windowMs);
        const points: TimerResult['points'] = [];
        const predictionError: number[] = [];
        ids.forEach((id, i) => {
          const due = dueById.get(id) as number;
          const atCarrier = firstAccepted.get(id);
          const claim = claimById.get(id);
          if (atCarrier === undefined || claim === undefined) return;
          const ideal = predicted[i] as number;
          points.push([due - start, atCarrier - due, claim.lateness_ms, ideal - due]);
          predictionError.push(Math.abs(claim.claimed_at - ideal));
        });
        return {
          params,
          scheduledInTime: scheduledAt <= start,
          scheduleSeconds: (scheduledAt - (start - params.leadSeconds * 1000)) / 1000,
          dialed: firstAccepted.size,
          carrierLateness: summarize(points.map((p) => p[1])),
          claimLateness: summarize(points.map((p) => p[2])),
          points,
          windows: {
            claimsPerSecond: maxInWindow(rows.map((r) => r.claimed_at), 1000),
            claimsPer5s: maxInWindow(rows.map((r) => r.claimed_at), 5000),
            // Every dial request the carrier received counts, refused ones too: that is what it rate-limits.
            carrierPerSecond: maxInWindow(dials.map((d) => d.at), 1000),
            carrierPer5s: maxInWindow(dials.map((d) => d.at), 5000),
          },
          carrierRefusals: dials.filter((d) => d.status === 429).length,
          predictionError: summarize(predictionError),
          windowMs,
          loopDelay,
          liveAtEnd,
        };
      } finally {
        await host.stop();
      }
    } finally {
      await sim.stop();
      await db.drop();
    }
  },
};
