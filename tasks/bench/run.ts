/**
 * The benchmark suite: `node tasks/bench/run.ts` (`make bench`) runs every benchmark, writes
 * `bench/results/<date>-<name>.json` and SVG plots, and rewrites the tables in BENCHMARKS.md between their marker
 * comments. `--smoke` (`make bench-smoke`) runs each for about a second with tiny counts and writes to a temp
 * folder only, so CI proves the harness works without touching the real figures. `--only=a,b` runs some
 * benchmarks again: their sections are rewritten, and so are their rows of the targets summary, when the day's
 * summary (`<date>-summary.json`) has the rest; the summary's closing line then says which were rerun, and when.
 *
 * Every scenario runs in its own child process with the load generator in a worker thread, all on 127.0.0.1,
 * every run bounded in requests and seconds; children (and what they spawn) are killed at the end, even on error.
 * The store-bound benchmarks run on SQLite and on PostgreSQL (BENCH_POSTGRES_URL, default this machine's server):
 * each PostgreSQL scenario makes a database of its own and drops it; any a killed scenario left are dropped here.
 * Targets are reported, never asserted: the exit code says only whether the harness worked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_RUN_ENV, dropRunDatabases } from './bench-db.ts';
import { createScenarioRunner } from './child-runner.ts';
import { describeMachine, machineLine } from './machine.ts';
import { createProgress } from './progress.ts';
import { mdTable, updateMarkdown, verdict, type BenchContext, type Benchmark, type TargetRow } from './report.ts';
import { scale } from './scale.ts';
import { scheduling } from './scheduling.ts';
import { schedules } from './schedules.ts';
import { slowCarrier } from './slow-carrier.ts';
import { timerPrecision } from './timer-precision.ts';
import { webhookIngest } from './webhook-ingest.ts';
import { jobQueues } from './job-queues.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BENCHMARKS: readonly Benchmark[] = [webhookIngest, slowCarrier, scheduling, timerPrecision, scale, schedules, jobQueues];

const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, only: { type: 'string' } } });
const smoke = values.smoke;
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
const selected = BENCHMARKS.filter((b) => !only || only.includes(b.name));

// Names this run's PostgreSQL databases (the scenario children inherit it), so the end can drop any left behind.
const run = randomBytes(4).toString('hex');
process.env[BENCH_RUN_ENV] = run;
const dropLeftovers = () =>
  dropRunDatabases(run).then(
    (names) => names.length > 0 && process.stderr.write(`dropped ${names.length} database(s) left by killed scenarios: ${names.join(', ')}\n`),
    () => undefined,
  );

const machine = describeMachine();
const outDir = smoke ? mkdtempSync(join(tmpdir(), 'daj-bench-smoke-')) : join(ROOT, 'bench', 'results');
const progress = createProgress();
const runner = createScenarioRunner({ progress });
const ctx: BenchContext = { smoke, machine, outDir, rootDir: ROOT, linkDir: smoke ? outDir : ROOT, stamp: smoke ? 'smoke' : new Date().toISOString().slice(0, 10), runner, progress };

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress.stop();
    runner.killAll();
    process.stderr.write(`\n${signal}: benchmark children killed\n`);
    void dropLeftovers().finally(() => process.exit(130));
  });
}

const started = Date.now();
const sections: Record<string, string> = {};
const targets: TargetRow[] = [];
const targetsOf = new Map<string, TargetRow[]>();
const failures: string[] = [];
progress.note(`${smoke ? 'Smoke run' : 'Benchmarks'} on ${machineLine(machine)}; results in ${outDir}`);
try {
  for (const [i, bench] of selected.entries()) {
    progress.step(`[${i + 1}/${selected.length}] ${bench.name}`);
    const t0 = Date.now();
    try {
      const outcome = await bench.run(ctx);
      sections[bench.name] = outcome.markdown;
      targets.push(...outcome.targets);
      targetsOf.set(bench.name, outcome.targets);
      progress.note(`${bench.name}: done in ${Math.round((Date.now() - t0) / 1000)} s — ${outcome.targets.map((t) => `${t.figure} ${t.measured} (${verdict(t.met).replace(/\*/g, '')})`).join('; ')}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push(`${bench.name}: ${message}`);
      sections[bench.name] = `The last run could not measure this benchmark: ${message.split('\n')[0] ?? ''}`;
      progress.note(`${bench.name}: FAILED — ${message}`);
    }
  }
} finally {
  progress.stop();
  runner.killAll();
  await dropLeftovers();
}

const summaryPath = join(outDir, `${ctx.stamp}-summary.json`);
// Smoke figures are not figures: they go to the temp folder, never into the real BENCHMARKS.md.
const markdownPath = smoke ? join(outDir, 'BENCHMARKS.smoke.md') : join(ROOT, 'BENCHMARKS.md');
const targetsTable = (rows: readonly TargetRow[]) =>
  mdTable(
    ['benchmark', 'figure', 'target', 'measured', 'verdict'],
    rows.map((t) => [t.benchmark, t.figure, t.target, t.measured, verdict(t.met)]),
  );
const at = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
let summaryTargets: TargetRow[] = targets;
let merged = false;
if (!only) {
  sections['targets'] = [targetsTable(targets), '', `Run of ${at(started)} UTC, ${Math.round((Date.now() - started) / 1000)} s in all, on ${machineLine(machine)}.`].join('\n');
} else if (!smoke) {
  // A rerun of some benchmarks: their rows replace the day's, the others' stay (a target row belongs to the benchmark
  // whose title it starts with, e.g. "Scale (PostgreSQL)" to scale).
  const previous = await readFile(summaryPath, 'utf8').then((text) => (JSON.parse(text) as { targets?: TargetRow[] }).targets, () => undefined);
  const runLine = /Run of [^\n]*/.exec((await readFile(markdownPath, 'utf8').catch(() => '')).split('<!-- bench:targets -->')[1] ?? '')?.[0];
  if (previous && runLine && failures.length === 0) {
    const belongs = (t: TargetRow, b: Benchmark) => t.benchmark === b.title || t.benchmark.startsWith(`${b.title} (`);
    summaryTargets = BENCHMARKS.flatMap((b) => targetsOf.get(b.name) ?? previous.filter((t) => belongs(t, b)));
    const rerun = `${selected.map((b) => b.name).join(', ')} rerun at ${at(started)} UTC (${Math.round((Date.now() - started) / 1000)} s)`;
    sections['targets'] = [targetsTable(summaryTargets), '', `${runLine.replace(/\.$/, '')}; ${rerun}.`].join('\n');
    merged = true;
  }
}
// A partial rerun that could not be merged leaves the day's summary as it was.
if (!only || smoke || merged) await writeFile(summaryPath, `${JSON.stringify({ machine, smoke, targets: summaryTargets, failures }, null, 2)}\n`);
await updateMarkdown(markdownPath, sections);
process.stderr.write(`${failures.length ? `${failures.length} benchmark(s) failed:\n${failures.join('\n')}\n` : ''}Wrote ${markdownPath} (${Math.round((Date.now() - started) / 1000)} s).\n`);
process.exit(failures.length ? 1 : 0);
