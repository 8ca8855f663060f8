import { relative } from 'node:path';
import { machineNote, mdTable, ms, verdict, writeResult, type BenchContext, type Benchmark, type BenchOutcome } from './report.ts';
import type { SchedulesResult } from './schedules-scenarios.ts';

const NAME = 'schedules';
const mb = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)} MB`);
const msOrNone = (v: number | null) => (v === null ? 'never' : ms(v));

/**
 * Benchmark 6: the real entry point over 10,000 active schedules — after a restart (each has its pending
 * occurrence) and on a first start where the keeper must create all 10,000 occurrences through the abuse limits.
 */
export const schedules: Benchmark = {
  name: NAME,
  title: 'Schedules',
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const count = ctx.smoke ? 500 : 10_000;
    const results: SchedulesResult[] = [];
    // The same start over an empty file first, in the same run: what the figures are compared with.
    for (const [schedules, withPending] of [[0, true], [count, true], [count, false]] as const) {
      ctx.progress.step(`${NAME}: ${schedules.toLocaleString('en-US')} schedules, ${withPending ? 'occurrences pending' : 'no occurrence yet'}`);
      results.push(await ctx.runner.run<SchedulesResult>({ benchmark: NAME, scenario: 'run', params: { schedules, withPending }, timeoutMs: 300_000 }));
    }
    const json = await writeResult(ctx, NAME, { results });
    const [empty, restart, cold] = results as [SchedulesResult, SchedulesResult, SchedulesResult];
    const peak = Math.max(restart.peakRssMb ?? Infinity, cold.peakRssMb ?? Infinity);
    const ready = Math.max(restart.spawnToReadyMs ?? Infinity, cold.spawnToReadyMs ?? Infinity);
    const row = (label: string, r: SchedulesResult) => [
      label,
      `${r.dbMb.toFixed(1)} MB`,
      msOrNone(r.spawnToReadyMs),
      msOrNone(r.spawnToAllPendingMs),
      `${r.pending.toLocaleString('en-US')}/${r.params.schedules.toLocaleString('en-US')}`,
      mb(r.rssAtReadyMb),
      mb(r.peakRssMb),
      ms(r.idleSweepMs),
    ];
    const markdown = [
      mdTable(
        ['start', 'file', 'start → /ready 200', 'start → every schedule has its occurrence', 'pending occurrences', 'RSS at ready', 'peak RSS', 'idle sweep query'],
        [row('empty file (reference)', empty), row('restart (occurrences pending)', restart), row('first start (keeper creates all)', cold)],
      ),
      '',
      mdTable(
        ['figure', 'target', 'measured', 'verdict'],
        [
          ['peak RSS', '≤ 250 MB', `${mb(peak)} (empty: ${mb(empty.peakRssMb)})`, verdict(peak <= 250)],
          ['start → /ready', '≤ 2 s', `${msOrNone(ready)} (empty: ${msOrNone(empty.spawnToReadyMs)})`, verdict(ready <= 2000)],
        ],
      ),
      '',
      `${count.toLocaleString('en-US')} daily schedules, ${10} per account, each to its own number, due over the next day; the service runs with the default abuse limits, so each occurrence the keeper creates passes the same three indexed checks as a call. ` +
        `The idle sweep is the keeper's query (in pages of 500) when every schedule already has its occurrence — its cost every 30 s at steady state. The first start's /ready no longer waits for the keeper: its sweep runs in the background and lets requests in every 25 schedules (before that change /ready took 22 s). Building the files took ${(restart.buildSeconds + cold.buildSeconds).toFixed(1)} s in all and is not part of any figure.`,
      '',
      `${machineNote(ctx.machine)} Results: \`${relative(ctx.linkDir, json)}\`.`,
    ].join('\n');
    return {
      name: NAME,
      markdown,
      files: [json],
      targets: [
        { benchmark: 'Schedules', figure: `peak RSS with ${count.toLocaleString('en-US')} active schedules`, target: '≤ 250 MB', measured: `${mb(peak)} (empty: ${mb(empty.peakRssMb)})`, met: peak <= 250 },
        { benchmark: 'Schedules', figure: 'process start → /ready 200', target: '≤ 2 s', measured: `${msOrNone(ready)} (empty: ${msOrNone(empty.spawnToReadyMs)})`, met: ready <= 2000 },
      ],
    };
  },
};
