import { relative } from 'node:path';
import { machineNote, mdTable, ms, msWhole, verdict, writePlot, writeResult, type BenchContext, type Benchmark, type BenchOutcome } from './report.ts';
import type { ScaleParams, ScaleResult } from './scale-scenarios.ts';
import { barChart } from './svg-plot.ts';

const NAME = 'scale';

const mb = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)} MB`);
const msOrNone = (v: number | null) => (v === null ? 'never' : ms(v));

/** Benchmark 5: the real entry point over a file of a million pending calls, against the same start over an empty one. */
export const scale: Benchmark = {
  name: NAME,
  title: 'Scale',
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const rows = ctx.smoke ? 10_000 : 1_000_000;
    const near: Omit<ScaleParams, 'rows'> = ctx.smoke ? { near: 10, nearLeadMs: 1500, nearSpacingMs: 20 } : { near: 100, nearLeadMs: 4000, nearSpacingMs: 20 };
    ctx.progress.step(`${NAME}: reference start, empty database`);
    const empty = await ctx.runner.run<ScaleResult>({ benchmark: NAME, scenario: 'run', params: { rows: 0, ...near }, timeoutMs: 120_000 });
    ctx.progress.step(`${NAME}: ${rows.toLocaleString('en-US')} pending calls`);
    const full = await ctx.runner.run<ScaleResult>({ benchmark: NAME, scenario: 'run', params: { rows, ...near }, timeoutMs: 300_000 });

    const peak = full.peakRssMb ?? Infinity;
    const ready = full.spawnToReadyMs ?? Infinity;
    const rssMet = peak <= 250;
    const readyMet = ready <= 2000;
    const machine = `${ctx.machine.cores} cores, Node ${ctx.machine.node}`;
    const rssPlot = await writePlot(
      ctx,
      NAME,
      'memory',
      barChart(
        {
          title: `node src/main.ts: peak resident memory, empty vs ${rows.toLocaleString('en-US')} pending calls`,
          subtitle: [`VmHWM after the first ${near.near} due calls were dialed; start to /ready ${msOrNone(empty.spawnToReadyMs)} vs ${msOrNone(full.spawnToReadyMs)}`, machine],
          xLabel: 'MB',
        },
        [
          { label: 'empty database', value: empty.peakRssMb ?? 0 },
          { label: `${rows.toLocaleString('en-US')} pending calls (${full.dbMb.toFixed(0)} MB file)`, value: full.peakRssMb ?? 0 },
        ],
        'MB',
      ),
    );
    const json = await writeResult(ctx, NAME, { empty, full });
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
        ['database', 'file', 'start → listening', 'start → /ready 200', 'RSS at ready', 'peak RSS', 'next due dialed', 'lateness p50', 'p99', 'max'],
        [row('empty (reference)', empty), row(`${rows.toLocaleString('en-US')} pending calls`, full)],
      ),
      '',
      mdTable(
        ['figure', `${rows.toLocaleString('en-US')} ÷ empty`, 'target', 'verdict'],
        [
          ['peak RSS', ratio(full.peakRssMb, empty.peakRssMb), '≤ 250 MB', `${mb(full.peakRssMb)} (${verdict(rssMet)})`],
          ['start → /ready', ratio(full.spawnToReadyMs, empty.spawnToReadyMs), '≤ 2 s', `${msOrNone(full.spawnToReadyMs)} (${verdict(readyMet)})`],
        ],
      ),
      '',
      `The ${near.near} calls due first fall due ${near.nearLeadMs / 1000} s after the process is spawned, ${near.nearSpacingMs} ms apart; their lateness is the queue's claim − due time. ` +
        `Building the ${rows.toLocaleString('en-US')}-row file (one transaction, with each call's first timeline row) took ${full.buildSeconds.toFixed(1)} s and is not part of any figure.`,
      '',
      `![peak memory](${rssPlot})`,
      '',
      `${machineNote(ctx.machine)} Results: \`${relative(ctx.linkDir, json)}\`.`,
    ].join('\n');
    return {
      name: NAME,
      markdown,
      files: [json, rssPlot],
      targets: [
        { benchmark: 'Scale', figure: `peak RSS with ${rows.toLocaleString('en-US')} pending calls`, target: '≤ 250 MB', measured: `${mb(full.peakRssMb)} (empty: ${mb(empty.peakRssMb)})`, met: rssMet },
        { benchmark: 'Scale', figure: 'process start → /ready 200', target: '≤ 2 s', measured: `${msOrNone(full.spawnToReadyMs)} (empty: ${msOrNone(empty.spawnToReadyMs)})`, met: readyMet },
      ],
    };
  },
};
