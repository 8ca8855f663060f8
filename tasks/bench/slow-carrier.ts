import { relative } from 'node:path';
import { eachRun, honestP99, LOAD_HEADERS, loadRow, machineNote, mdTable, ms, pct, verdict, writePlot, writeResult, type BenchContext, type Benchmark, type BenchOutcome } from './report.ts';
import { profileComparison, profileService } from './profile-report.ts';
import type { ProfileSummary } from './profile-summary.ts';
import type { SlowCarrierParams, SlowCarrierResult } from './slow-carrier-scenarios.ts';
import { summarize } from './stats.ts';
import { lineChart } from './svg-plot.ts';

const NAME = 'slow-carrier';

type Case = { key: string; label: string; params: SlowCarrierParams };

function cases(smoke: boolean): { slowMs: number; steady: Case[]; burst: Case[] } {
  const slowMs = smoke ? 200 : 2000;
  const steady = (mode: SlowCarrierParams['mode'], apiLatencyMs: number): Case => {
    // Inline with a slow carrier answers a few dozen a second at best: fewer calls, a longer bound, no early timeout.
    const slowInline = mode === 'inline' && apiLatencyMs > 0;
    const maxSeconds = smoke ? 1 : slowInline ? 20 : 10;
    return {
      key: `${mode}-${apiLatencyMs}`,
      label: `${mode}, carrier ${apiLatencyMs} ms`,
      params: {
        mode,
        apiLatencyMs,
        calls: smoke ? 200 : slowInline ? 1500 : 12_000,
        connections: smoke ? 8 : 64,
        maxSeconds,
        timeoutSeconds: slowInline ? maxSeconds : 10,
        recordSamples: false,
        drainSeconds: smoke ? 2 : 15,
      },
    };
  };
  const burst = (mode: SlowCarrierParams['mode'], apiLatencyMs: number): Case => {
    const n = smoke ? 50 : 1000;
    const maxSeconds = smoke ? 3 : mode === 'inline' && apiLatencyMs > 0 ? 60 : 30;
    return {
      key: `burst-${mode}-${apiLatencyMs}`,
      label: `${mode}, carrier ${apiLatencyMs} ms`,
      params: { mode, apiLatencyMs, calls: n, connections: n, maxSeconds, timeoutSeconds: maxSeconds, recordSamples: true, drainSeconds: smoke ? 2 : 15 },
    };
  };
  return {
    slowMs,
    steady: [steady('background', 0), steady('background', slowMs), steady('inline', 0), steady('inline', slowMs)],
    burst: [burst('background', 0), burst('background', slowMs), burst('inline', 0), burst('inline', slowMs)],
  };
}

/**
 * Benchmark 2, the 2019 workshop's experiment: webhooks whose events each make a carrier command, with the carrier
 * answering at once or after a delay, acknowledged in the background (ours) or only after applying them (theirs).
 */
export const slowCarrier: Benchmark = {
  name: NAME,
  title: 'Slow carrier',
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const plan = cases(ctx.smoke);
    const results: Record<string, SlowCarrierResult> = {};
    await eachRun(ctx, [...plan.steady, ...plan.burst], async (c) => {
      const kind = c.key.startsWith('burst') ? `${c.params.connections} concurrent webhooks` : `${c.params.connections} connections`;
      ctx.progress.step(`${NAME}: ${c.label}, ${kind}`);
      results[c.key] = await ctx.runner.run<SlowCarrierResult>({
        benchmark: NAME,
        scenario: 'run',
        params: c.params,
        timeoutMs: (c.params.maxSeconds + c.params.drainSeconds + 180) * 1000,
      });
    });
    const get = (key: string) => results[key] as SlowCarrierResult;
    const fast = get(`background-0`);
    const slow = get(`background-${plan.slowMs}`);
    const slowP99 = honestP99(slow.load);
    const fastP99 = honestP99(fast.load);
    const ratio = slowP99.value / fastP99.value;
    const met = ratio <= 1.2;
    const ratioText = `${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'unbounded'} (${slowP99.text} vs ${fastP99.text})`;

    // A miss is explained: the same two steady runs again with the service profiled, compared area by area.
    const profiles: { label: string; summary: ProfileSummary }[] = [];
    if (!met) {
      for (const c of [plan.steady[0], plan.steady[1]]) {
        if (!c) continue;
        const summary = await profileService(ctx, `${NAME}-${c.key}`, (profileDir) =>
          ctx.runner.run<SlowCarrierResult>({
            benchmark: NAME,
            scenario: 'run',
            params: { ...c.params, profileDir },
            timeoutMs: (c.params.maxSeconds + c.params.drainSeconds + 180) * 1000,
          }),
        );
        if (summary) profiles.push({ label: c.label, summary });
      }
    }

    const series = plan.burst.map((c) => {
      const r = get(c.key);
      const completions = [...(r.load.samples?.completionMs ?? [])].sort((a, b) => a - b);
      return { name: `${c.label}: ${completions.length}/${c.params.calls} answered within ${c.params.maxSeconds} s`, points: completions.map((t, i) => [i, t] as const) };
    });
    const burstN = plan.burst[0]?.params.calls ?? 0;
    const plot = await writePlot(
      ctx,
      NAME,
      'completion',
      lineChart(
        {
          title: `${burstN} concurrent webhooks: when each was answered`,
          subtitle: [
            `${burstN} connections, one call.answered webhook each (its event makes a speak command), sent at once; closed loop`,
            `carrier API latency 0 or ${plan.slowMs} ms; background = ack once stored; inline = ack after applying (the 2019 workshop)`,
            `${ctx.machine.cores} cores, Node ${ctx.machine.node}; service, carrier simulator and autocannon in separate processes`,
          ],
          xLabel: 'request, in order of completion',
          yLabel: 'completed after (ms)',
        },
        series,
      ),
    );
    const json = await writeResult(ctx, NAME, {
      slowMs: plan.slowMs,
      ratio: Number.isFinite(ratio) ? ratio : null,
      profiles,
      results: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ...r, load: { ...r.load, samples: undefined } }])),
      bursts: Object.fromEntries(plan.burst.map((c) => [c.key, get(c.key).load.samples?.completionMs ?? []])),
    });

    const speakRow = (c: Case) => {
      const r = get(c.key);
      return [
        c.label,
        r.load.ok,
        r.speaks.atLoadEnd,
        r.speaks.afterDrain,
        r.speaks.drainSeconds === null ? `not within ${c.params.drainSeconds} s` : `${r.speaks.drainSeconds.toFixed(1)} s`,
        r.serviceCpuDuringDrain === null ? '—' : pct(r.serviceCpuDuringDrain),
      ];
    };
    const burstRow = (c: Case) => {
      const r = get(c.key);
      const done = summarize(r.load.samples?.completionMs ?? []);
      return [
        c.label,
        `${done.count}/${c.params.calls}`,
        `${c.params.maxSeconds} s`,
        ms(done.p50),
        ms(done.p97_5),
        ms(done.p99),
        ms(done.max),
        String(r.load.timeouts),
        `${r.speaks.afterDrain}/${c.params.calls}`,
        r.serviceCpuDuringDrain === null ? '—' : pct(r.serviceCpuDuringDrain),
      ];
    };
    const markdown = [
      `Steady load (closed loop). The carrier answers each API request after the stated latency.`,
      '',
      mdTable(LOAD_HEADERS, plan.steady.map((c) => loadRow(c.label, get(c.key).load))),
      '',
      mdTable(
        ['ratio', 'value'],
        [[`background p99 ack, carrier ${plan.slowMs} ms ÷ carrier 0 ms — target ≤ 1.2×`, `${ratioText}; ${verdict(met)}`]],
      ),
      '',
      mdTable(['run', 'acknowledged (2xx)', 'speaks at the carrier when the load stopped', 'after the drain', 'drain time', 'service CPU while draining (1 core = 100 %)'], plan.steady.map(speakRow)),
      '',
      `Burst: ${burstN} webhooks at once, one per connection (completion time = from the start of the burst to the response).`,
      '',
      mdTable(['run', 'answered', 'bound', 'p50', 'p97.5', 'p99', 'last', 'timeouts', 'speaks at the carrier', 'service CPU while draining'], plan.burst.map(burstRow)),
      '',
      `![completion time per request](${plot})`,
      '',
      ...(profiles.length ? [profileComparison(profiles, ctx.linkDir), ''] : []),
      `${machineNote(ctx.machine)} Results: \`${relative(ctx.linkDir, json)}\`.`,
    ].join('\n');
    return {
      name: NAME,
      markdown,
      files: [json, plot],
      targets: [
        {
          benchmark: 'Slow carrier',
          figure: `p99 ack, carrier ${plan.slowMs} ms ÷ 0 ms (background, ${fast.load.connections} connections)`,
          target: '≤ 1.2×',
          measured: ratioText,
          met,
        },
      ],
    };
  },
};
