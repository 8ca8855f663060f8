import { relative } from 'node:path';
import { eachRun, machineNote, mdTable, ms, msWhole, writePlot, writeResult, type BenchContext, type Benchmark, type BenchOutcome } from './report.ts';
import { percentile, type Summary } from './stats.ts';
import { histogramChart, lineChart } from './svg-plot.ts';
import type { TimerParams, TimerResult } from './timer-precision-scenarios.ts';

const NAME = 'timer-precision';

function plan(smoke: boolean): { key: string; label: string; params: TimerParams }[] {
  const off = { dialsPerSecond: 10_000, maxConcurrentCalls: 100_000, carrierDialsPerSecond: 1_000_000 };
  return [
    {
      key: 'limits-off',
      label: 'limits off, callee does not answer during the run',
      params: { calls: smoke ? 200 : 10_000, windowSeconds: smoke ? 1 : 60, leadSeconds: smoke ? 1 : 5, ...off, flow: 'ringing' },
    },
    {
      key: 'limits-off-answered',
      label: 'limits off, every call answered, spoken to, hung up',
      params: { calls: smoke ? 200 : 10_000, windowSeconds: smoke ? 1 : 60, leadSeconds: smoke ? 1 : 5, ...off, flow: 'answered' },
    },
    {
      // Fewer calls than the limits-off runs, to keep the suite short: 600 due over 10 s (60/s) against 30/s.
      key: 'rate-limited',
      label: '30 dials/s (queue and carrier), 2× the rate due',
      params: {
        calls: smoke ? 60 : 600,
        windowSeconds: smoke ? 1 : 10,
        leadSeconds: smoke ? 1 : 3,
        dialsPerSecond: 30,
        maxConcurrentCalls: 100_000,
        carrierDialsPerSecond: 30,
        flow: 'ringing',
      },
    },
  ];
}

const lateRow = (label: string, s: Summary) => [label, String(s.count), msWhole(s.p50), msWhole(s.p97_5), msWhole(s.p99), msWhole(s.max), ms(s.mean)];

/** Benchmark 4: how close to its due time each dial reaches the carrier, without limits and under the 30/s limit. */
export const timerPrecision: Benchmark = {
  name: NAME,
  title: 'Timer precision',
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const runs = plan(ctx.smoke);
    const results: Record<string, TimerResult> = {};
    await eachRun(ctx, runs, async (r) => {
      ctx.progress.step(`${NAME}: ${r.params.calls} calls due over ${r.params.windowSeconds} s, ${r.label}`);
      results[r.key] = await ctx.runner.run<TimerResult>({
        benchmark: NAME,
        scenario: 'run',
        params: r.params,
        timeoutMs: (r.params.leadSeconds + r.params.windowSeconds + r.params.calls / Math.min(r.params.dialsPerSecond, r.params.carrierDialsPerSecond) + 180) * 1000,
      });
    });
    const off = results['limits-off'] as TimerResult;
    const limited = results['rate-limited'] as TimerResult;
    const offMet = off.carrierLateness.p99 <= 20 && off.dialed === off.params.calls;
    const perSecond = limited.params.dialsPerSecond;
    const claimsMet = limited.windows.claimsPerSecond <= perSecond && limited.windows.claimsPer5s <= perSecond * 5;
    const carrierMet = limited.windows.carrierPerSecond <= perSecond && limited.windows.carrierPer5s <= perSecond * 5 && limited.carrierRefusals === 0;

    const machine = `${ctx.machine.cores} cores, Node ${ctx.machine.node}; service and carrier simulator in separate processes`;
    const offValues = off.points.map((p) => p[1]);
    const histMax = Math.max(10, Math.ceil(percentile(Float64Array.from(offValues).sort(), 99.9) / 5) * 5);
    const histogram = await writePlot(
      ctx,
      NAME,
      'lateness-histogram',
      histogramChart(
        {
          title: `Dial lateness at the carrier, ${off.params.calls} calls due over ${off.params.windowSeconds} s, limits off`,
          subtitle: [
            `lateness = dial received by the carrier simulator − due time; p50 ${msWhole(off.carrierLateness.p50)}, p97.5 ${msWhole(off.carrierLateness.p97_5)}, p99 ${msWhole(off.carrierLateness.p99)}, max ${msWhole(off.carrierLateness.max)}`,
            machine,
          ],
          xLabel: 'lateness (ms)',
          yLabel: 'calls',
        },
        offValues,
        { bins: Math.min(100, histMax), xMax: histMax },
      ),
    );
    const overTime = await writePlot(
      ctx,
      NAME,
      'lateness-over-time',
      lineChart(
        {
          title: 'Dial lateness across the window',
          subtitle: [`each dot a call (x: when it was due, y: how late its dial reached the carrier); ${machine}`],
          xLabel: 'due, seconds after the first call',
          yLabel: 'lateness (ms)',
        },
        runs
          .filter((r) => r.key !== 'rate-limited')
          .map((r) => ({ name: r.label, mode: 'dots' as const, points: (results[r.key] as TimerResult).points.map((p) => [p[0] / 1000, p[1]] as const) })),
        { yMax: Math.max(50, percentile(Float64Array.from(runs.filter((r) => r.key !== 'rate-limited').flatMap((r) => (results[r.key] as TimerResult).points.map((p) => p[1]))).sort(), 99.9) * 1.1) },
      ),
    );
    const limitedPlot = await writePlot(
      ctx,
      NAME,
      'rate-limited',
      lineChart(
        {
          title: `${limited.params.calls} calls due over ${limited.params.windowSeconds} s, at most ${perSecond} dials per second`,
          subtitle: [
            `prediction: each dial as soon as it is due and the ${perSecond}th dial before it is ${limited.windowMs} ms old (the service's sliding window)`,
            `carrier simulator also limited to ${perSecond}/s (1 s window); its refusals are retried by the service; ${machine}`,
          ],
          xLabel: 'due, seconds after the first call',
          yLabel: 'lateness (ms)',
        },
        [
          { name: 'predicted lateness', points: limited.points.map((p) => [p[0] / 1000, p[3]] as const) },
          { name: 'claimed (service)', mode: 'dots', points: limited.points.map((p) => [p[0] / 1000, p[2]] as const) },
          { name: 'dial accepted by the carrier', mode: 'dots', points: limited.points.map((p) => [p[0] / 1000, p[1]] as const) },
        ],
      ),
    );
    const json = await writeResult(ctx, NAME, { results });

    const windowsTable = mdTable(
      ['where counted', 'most in any 1 s', 'most in any 5 s', 'limit'],
      [
        ['claims (service, `claimed_at`)', limited.windows.claimsPerSecond, limited.windows.claimsPer5s, `${perSecond} / ${perSecond * 5}`],
        ['dial requests received by the carrier (retries included)', limited.windows.carrierPerSecond, limited.windows.carrierPer5s, `${perSecond} / ${perSecond * 5}`],
      ],
    );
    const markdown = [
      mdTable(
        ['run', 'calls', 'p50', 'p97.5', 'p99', 'max', 'mean'],
        runs.flatMap((r) => {
          const res = results[r.key] as TimerResult;
          const note = `${r.params.calls} due over ${r.params.windowSeconds} s, ${r.label}${res.scheduledInTime ? '' : ' (scheduling overran the first due time)'}`;
          return [lateRow(`${note}: at the carrier`, res.carrierLateness), lateRow(`${note}: claimed`, res.claimLateness)];
        }),
      ),
      '',
      `Lateness = (dial received by the carrier simulator, or claim by the queue) − due time; 1 ms resolution. Dialed: ${runs
        .map((r) => `${r.key} ${(results[r.key] as TimerResult).dialed}/${r.params.calls}`)
        .join(', ')}.`,
      '',
      `Rate-limited run (${limited.params.calls} calls rather than 10 000, to keep the suite short): the carrier refused ${limited.carrierRefusals} dial requests with 429; ` +
        `the queue's claims were ${msWhole(limited.predictionError.p50)} (p50) / ${msWhole(limited.predictionError.p99)} (p99) / ${msWhole(limited.predictionError.max)} (max) from the prediction ` +
        `(each call as soon as it is due and the ${perSecond}th dial before it has left the service's ${limited.windowMs} ms window).`,
      '',
      windowsTable,
      '',
      `![lateness histogram](${histogram})`,
      '',
      `![lateness across the window](${overTime})`,
      '',
      `![rate-limited lateness](${limitedPlot})`,
      '',
      `${machineNote(ctx.machine)} Results: \`${relative(ctx.linkDir, json)}\`.`,
    ].join('\n');
    return {
      name: NAME,
      markdown,
      files: [json, histogram, overTime, limitedPlot],
      targets: [
        {
          benchmark: 'Timer precision',
          figure: `p99 dial lateness at the carrier, ${off.params.calls} calls in ${off.params.windowSeconds} s, limits off`,
          target: '≤ 20 ms',
          measured: `${msWhole(off.carrierLateness.p99)} (claim ${msWhole(off.claimLateness.p99)})`,
          met: offMet,
        },
        {
          benchmark: 'Timer precision',
          figure: `${perSecond}/s limit: lateness grows as the sliding window predicts (claim − prediction, p99)`,
          target: '≤ 50 ms (our criterion)',
          measured: `${msWhole(limited.predictionError.p99)} (max ${msWhole(limited.predictionError.max)}; lateness reached ${msWhole(limited.claimLateness.max)})`,
          met: limited.predictionError.p99 <= 50,
        },
        {
          benchmark: 'Timer precision',
          figure: `${perSecond}/s limit: claims in any 1 s / 5 s`,
          target: `≤ ${perSecond} / ${perSecond * 5}`,
          measured: `${limited.windows.claimsPerSecond} / ${limited.windows.claimsPer5s}`,
          met: claimsMet,
        },
        {
          benchmark: 'Timer precision',
          figure: `${perSecond}/s limit: dial requests at the carrier in any 1 s / 5 s, refusals`,
          target: `≤ ${perSecond} / ${perSecond * 5}, 0 refused`,
          measured: `${limited.windows.carrierPerSecond} / ${limited.windows.carrierPer5s}, ${limited.carrierRefusals} refused`,
          met: carrierMet,
        },
      ],
    };
  },
};
