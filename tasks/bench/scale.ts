import { relative } from 'node:path';
import { STORE_KINDS, STORE_LABEL, type StoreKind } from './bench-db.ts';
import { machineNote, mdTable, ms, msWhole, verdict, writePlot, writeResult, type BenchContext, type Benchmark, type BenchOutcome } from './report.ts';
import type { ScaleParams, ScaleResult } from './scale-scenarios.ts';
import { barChart } from './svg-plot.ts';

const NAME = 'scale';

const mb = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)} MB`);
const msOrNone = (v: number | null) => (v === null ? 'never' : ms(v));

type StoreRuns = { empty: ScaleResult; full: ScaleResult };

/** Benchmark 5: the real entry point over a million pending calls, against the same start over an empty database, on both stores. */
export const scale: Benchmark = {
  name: NAME,
  title: 'Scale',
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const rows = ctx.smoke ? 10_000 : 1_000_000;
    const near: Omit<ScaleParams, 'rows' | 'store'> = ctx.smoke ? { near: 10, nearLeadMs: 1500, nearSpacingMs: 20 } : { near: 100, nearLeadMs: 4000, nearSpacingMs: 20 };
    const runs = {} as Record<StoreKind, StoreRuns>;
    for (const store of STORE_KINDS) {
      ctx.progress.step(`${NAME}: ${STORE_LABEL[store]}, reference start, empty database`);
      const empty = await ctx.runner.run<ScaleResult>({ benchmark: NAME, scenario: 'run', params: { rows: 0, ...near, store }, timeoutMs: 120_000 });
      ctx.progress.step(`${NAME}: ${STORE_LABEL[store]}, ${rows.toLocaleString('en-US')} pending calls`);
      const full = await ctx.runner.run<ScaleResult>({ benchmark: NAME, scenario: 'run', params: { rows, ...near, store }, timeoutMs: 900_000 });
      runs[store] = { empty, full };
    }

    const met = (r: ScaleResult) => ({ rss: (r.peakRssMb ?? Infinity) <= 250, ready: (r.spawnToReadyMs ?? Infinity) <= 2000 });
    const machine = `${ctx.machine.cores} cores, Node ${ctx.machine.node}`;
    const rssPlot = await writePlot(
      ctx,
      NAME,
      'memory',
      barChart(
        {
          title: `node src/main.ts: peak resident memory, empty vs ${rows.toLocaleString('en-US')} pending calls`,
          subtitle: [
            `VmHWM of the service process after the first ${near.near} due calls were dialed (PostgreSQL's own server processes not counted)`,
            `start to /ready: ${STORE_KINDS.map((store) => `${STORE_LABEL[store]} ${msOrNone(runs[store].empty.spawnToReadyMs)} vs ${msOrNone(runs[store].full.spawnToReadyMs)}`).join(', ')}`,
            machine,
          ],
          xLabel: 'MB',
        },
        STORE_KINDS.flatMap((store) => [
          { label: `${STORE_LABEL[store]}, empty database`, value: runs[store].empty.peakRssMb ?? 0 },
          { label: `${STORE_LABEL[store]}, ${rows.toLocaleString('en-US')} pending calls (${runs[store].full.dbMb.toFixed(0)} MB)`, value: runs[store].full.peakRssMb ?? 0 },
        ]),
        'MB',
      ),
    );
    // The SQLite pair keeps its old keys, so earlier results read the same.
    const json = await writeResult(ctx, NAME, { empty: runs.sqlite.empty, full: runs.sqlite.full, postgres: runs.postgres });
    const row = (label: string, r: ScaleResult) => [
      label,
      `${r.dbMb.toFixed(0)} MB`,
      msOrNone(r.spawnToListeningMs),
      msOrNone(r.spawnToReadyMs),
      mb(r.rssAtReadyMb),
      mb(r.peakRssMb),
      `${r.nearClaimed}/${r.params.near}`,
      msWhole(r.nearLateness.p50),
      msWhole(r.nearLateness.p99),
      msWhole(r.nearLateness.max),
    ];
    const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
    const markdown = [
      mdTable(
        ['store', 'database', 'size', 'start → listening', 'start → /ready 200', 'RSS at ready', 'peak RSS', 'next due dialed', 'lateness p50', 'p99', 'max'],
        STORE_KINDS.flatMap((store) => [
          [STORE_LABEL[store], ...row('empty (reference)', runs[store].empty)],
          [STORE_LABEL[store], ...row(`${rows.toLocaleString('en-US')} pending calls`, runs[store].full)],
        ]),
      ),
      '',
      mdTable(
        ['store', 'figure', `${rows.toLocaleString('en-US')} ÷ empty`, 'target', 'verdict'],
        STORE_KINDS.flatMap((store) => {
          const { empty, full } = runs[store];
          const m = met(full);
          return [
            [STORE_LABEL[store], 'peak RSS', ratio(full.peakRssMb, empty.peakRssMb), '≤ 250 MB', `${mb(full.peakRssMb)} (${verdict(m.rss)})`],
            [STORE_LABEL[store], 'start → /ready', ratio(full.spawnToReadyMs, empty.spawnToReadyMs), '≤ 2 s', `${msOrNone(full.spawnToReadyMs)} (${verdict(m.ready)})`],
          ];
        }),
      ),
      '',
      `The ${near.near} calls due first fall due ${near.nearLeadMs / 1000} s after the process is spawned, ${near.nearSpacingMs} ms apart; their lateness is the queue's claim − due time. ` +
        `RSS is the service process's alone; on PostgreSQL the database server's memory is elsewhere (its own processes), as it would be in production. ` +
        `Building the ${rows.toLocaleString('en-US')}-row database (with each call's first timeline row) is not part of any figure: SQLite, one transaction of prepared inserts, ${runs.sqlite.full.buildSeconds.toFixed(1)} s; ` +
        `PostgreSQL, two INSERT … SELECT over generate_series and a VACUUM ANALYZE, ${runs.postgres.full.buildSeconds.toFixed(1)} s. Each PostgreSQL run has a database of its own, dropped afterwards.`,
      '',
      `![peak memory](${rssPlot})`,
      '',
      `${machineNote(ctx.machine)} Results: \`${relative(ctx.linkDir, json)}\`.`,
    ].join('\n');
    return {
      name: NAME,
      markdown,
      files: [json, rssPlot],
      targets: STORE_KINDS.flatMap((store) => {
        const { empty, full } = runs[store];
        const m = met(full);
        const benchmark = `Scale (${STORE_LABEL[store]})`;
        return [
          { benchmark, figure: `peak RSS with ${rows.toLocaleString('en-US')} pending calls`, target: '≤ 250 MB', measured: `${mb(full.peakRssMb)} (empty: ${mb(empty.peakRssMb)})`, met: m.rss },
          { benchmark, figure: 'process start → /ready 200', target: '≤ 2 s', measured: `${msOrNone(full.spawnToReadyMs)} (empty: ${msOrNone(empty.spawnToReadyMs)})`, met: m.ready },
        ];
      }),
    };
  },
};
