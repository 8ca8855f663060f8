import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDir } from './bench-service.ts';
import { runLoad } from './load.ts';
import type { LoadRequest, LoadResult } from './load-types.ts';
import { cpuSecondsOf } from './proc-stats.ts';
import { monotonicUs } from './profile-summary.ts';
import type { ScenarioIo } from './scenario-io.ts';
import { startServiceHost } from './service-client.ts';
import { startSimHost, type SimHost } from './sim-client.ts';
import { newSigningSeed, signedWebhook, signerFor, telnyxEventBody } from './telnyx-webhooks.ts';
import { waitUntil } from './wait.ts';

export type SlowCarrierParams = {
  mode: 'background' | 'inline';
  apiLatencyMs: number;
  /** Calls set up, one `call.answered` webhook each: the most requests the run can send. */
  calls: number;
  connections: number;
  maxSeconds: number;
  timeoutSeconds: number;
  recordSamples: boolean;
  /** After the load, how long to wait for the carrier to have received every speak. */
  drainSeconds: number;
  /** Run the service under `node --cpu-prof`, writing the profile here. */
  profileDir?: string;
};

export type SlowCarrierResult = {
  params: SlowCarrierParams;
  load: LoadResult;
  setupSeconds: number;
  /** Speak commands the carrier had answered 200 when the load stopped, and after the drain. */
  speaks: { atLoadEnd: number; afterDrain: number; drainSeconds: number | null };
  /**
   * The service process's CPU use while the drain was awaited (CPU seconds ÷ wall seconds; 1 = one core flat out).
   * Busy with no speaks arriving means it is spinning, not waiting on the carrier.
   */
  serviceCpuDuringDrain: number | null;
  /** With profiling: the service's main-thread profile and the load window in it (monotonic µs). */
  profile?: { file: string; fromUs: number; toUs: number };
};

/**
 * Places `count` calls on the carrier directly, their webhooks going to the simulator host's sink, so each is
 * answered on the carrier's side without the service hearing of it; returns our call id → carrier call id.
 */
async function placeCarrierCalls(sim: SimHost, count: number, io: ScenarioIo): Promise<Map<string, string>> {
  const placed = new Map<string, string>();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      if (i % 2000 === 0) io.progress(`placing carrier calls ${i}/${count}`);
      const callId = randomUUID();
      const res = await fetch(`${sim.baseUrl}/calls`, {
        method: 'POST',
        headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
        body: JSON.stringify({
          connection_id: 'bench-connection',
          to: '+12025550123',
          from: '+12025550100',
          webhook_url: sim.sinkUrl,
          client_state: Buffer.from(callId).toString('base64'),
          command_id: `bench-${callId}`,
        }),
        signal: AbortSignal.timeout(10_000),
      }).catch((err: unknown) => {
        // Named: a bare TimeoutError says nothing of which request it was.
        throw new Error(`placing setup dial ${i} of ${count} at the simulator (${sim.baseUrl}/calls) failed: ${String(err)}`, { cause: err });
      });
      const body = (await res.json()) as { data?: { call_control_id?: string } };
      const controlId = body.data?.call_control_id;
      if (!res.ok || !controlId) throw new Error(`carrier refused a setup dial: ${res.status} ${JSON.stringify(body)}`);
      placed.set(callId, controlId);
    }
  };
  await Promise.all(Array.from({ length: 32 }, lane));
  return placed;
}

export const scenarios = {
  /**
   * `call.answered` webhooks for calls that are live on the carrier and ringing in our database: applying each one
   * moves the call to in_progress and sends the first words (the menu's prompt), which the carrier answers after `apiLatencyMs`. In
   * `background` mode the webhook is acknowledged once stored; in `inline` mode (the 2019 workshop's way) only
   * after the events are applied, speak included.
   */
  async run(params: SlowCarrierParams, io: ScenarioIo): Promise<SlowCarrierResult> {
    const seed = newSigningSeed();
    const t0 = performance.now();
    const sim = await startSimHost({
      seed,
      knobs: { apiLatencyMs: 0, answerDelayMs: 0, speakMsPerChar: 0, maxCallMs: 3_600_000, dialsPerSecond: 1_000_000, channels: 1_000_000, webhookAttempts: 1 },
    });
    io.spawned(sim.pid);
    try {
      const placed = await placeCarrierCalls(sim, params.calls, io);
      const dir = benchDir('carrier');
      io.progress(`starting the service with ${placed.size} ringing calls`);
      const host = await startServiceHost(
        {
          op: 'start-service',
          options: {
            databaseUrl: `sqlite:${join(dir, 'bench.db')}`,
            telnyx: { baseUrl: sim.baseUrl, publicKey: sim.publicKeyBase64 },
            // Without answering-machine detection an answer is spoken to at once: the step this benchmark times.
            overrides: { telnyx: { answeringMachineDetection: 'disabled' }, queue: { maxConcurrentCalls: 100_000, dialsPerSecond: 10_000 } },
            inlineWebhooks: params.mode === 'inline',
          },
          ringing: [...placed],
        },
        params.profileDir ? { profileDir: params.profileDir } : {},
      );
      io.spawned(host.pid);
      let stopped: Promise<string | undefined> | undefined;
      const stop = () => (stopped ??= host.stop());
      try {
        io.progress(`signing ${placed.size} call.answered webhooks`);
        const signer = signerFor(seed);
        const requests: LoadRequest[] = [...placed].map(([callId, callControlId]) =>
          signedWebhook(signer, telnyxEventBody({ eventType: 'call.answered', callId, callControlId })),
        );
        await sim.configure({ apiLatencyMs: params.apiLatencyMs });
        const setupSeconds = (performance.now() - t0) / 1000;
        io.progress(`${params.mode}, carrier ${params.apiLatencyMs} ms: ${params.connections} connections`);
        const fromUs = monotonicUs();
        const load = await runLoad({
          url: host.url,
          connections: params.connections,
          requests,
          amount: requests.length,
          maxSeconds: params.maxSeconds,
          timeoutSeconds: params.timeoutSeconds,
          recordSamples: params.recordSamples,
        });
        const toUs = monotonicUs();
        // The first words go out as the menu's prompt (gather_using_speak), or as a plain speak.
        const speaksOk = async () =>
          (await sim.commands()).filter((c) => (c.kind === 'speak' || c.kind === 'gather') && c.status === 200 && !c.deduplicated).length;
        const atLoadEnd = await speaksOk();
        io.progress('waiting for the carrier to receive the speaks');
        const d0 = performance.now();
        const cpu0 = cpuSecondsOf(host.pid);
        let afterDrain = atLoadEnd;
        const drained = await waitUntil(
          async () => {
            afterDrain = await speaksOk();
            return afterDrain >= load.ok;
          },
          { timeoutMs: params.drainSeconds * 1000, everyMs: 250 },
        );
        const drainWall = (performance.now() - d0) / 1000;
        const cpu1 = cpuSecondsOf(host.pid);
        const profileFile = await stop();
        return {
          params,
          load,
          setupSeconds,
          speaks: { atLoadEnd, afterDrain, drainSeconds: drained ? drainWall : null },
          serviceCpuDuringDrain: cpu0 !== null && cpu1 !== null && drainWall >= 1 ? (cpu1 - cpu0) / drainWall : null,
          ...(profileFile ? { profile: { file: profileFile, fromUs, toUs } } : {}),
        };
      } finally {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await sim.stop();
    }
  },
};
