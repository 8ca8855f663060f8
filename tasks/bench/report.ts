import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ScenarioRunner } from './child-runner.ts';
import type { LoadResult } from './load-types.ts';
import { machineLine, type Machine } from './machine.ts';
import type { Progress } from './progress.ts';

/** What every benchmark gets from the runner. */
export type BenchContext = {
  smoke: boolean;
  machine: Machine;
  /** Where results and plots are written. */
  outDir: string;
  /** The project root. */
  rootDir: string;
  /** The folder of the Markdown file written: its links are relative to it. */
  linkDir: string;
  /** File name prefix: the run's date (`2026-11-21`) or `smoke`. */
  stamp: string;
  runner: ScenarioRunner;
  progress: Progress;
};

/** One line of the targets table: never asserted, only reported. */
export type TargetRow = { benchmark: string; figure: string; target: string; measured: string; met: boolean | null };

/** What a benchmark hands back: its BENCHMARKS.md section, its target rows and its files. */
export type BenchOutcome = { name: string; markdown: string; targets: TargetRow[]; files: string[] };

/** A benchmark as the runner sees it. */
export type Benchmark = { name: string; title: string; run(ctx: BenchContext): Promise<BenchOutcome> };

/**
 * Runs each item's scenario: one after another in a real run (they would compete for the cores), side by side in a
 * smoke run, whose numbers mean nothing and which must stay short.
 */
export async function eachRun<T>(ctx: BenchContext, items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  if (ctx.smoke) {
    await Promise.all(items.map(run));
    return;
  }
  for (const item of items) await run(item);
}

/** A GitHub-flavoured Markdown table. */
export function mdTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Milliseconds for a table: two decimals below 10, one below 100, none above. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** Whole milliseconds, for figures measured at 1 ms resolution (lateness). */
export function msWhole(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')} ms` : '—';
}

/** A rate for a table: `1,234/s`. */
export function perSec(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')}/s` : '—';
}

/** A ratio as a percentage: `80.0 %`. */
export function pct(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)} %` : '—';
}

/** A target's verdict, with a miss in bold so it stands out in the tables. */
export function verdict(met: boolean | null): string {
  return met === null ? 'not measured' : met ? 'met' : '**missed**';
}

/** Columns every load figure states (connections, duration, rate, p50 / p97.5 / p99 and req/s). */
export const LOAD_HEADERS = ['run', 'connections', 'duration', 'rate', '2xx / sent', 'req/s (2xx)', 'p50', 'p97.5', 'p99', 'max', 'timeouts · unanswered · non-2xx'];

/**
 * The p99 to report: the load's p99 (timed-out and unanswered requests in it at the time they had waited), marked
 * as a lower bound when such a wait reaches it. (A closed loop always stops with one fresh request per connection in
 * flight; those only count when they had waited that long.)
 */
export function honestP99(r: LoadResult): { value: number; text: string } {
  const bound = r.censored > 0 && r.censoredMaxMs >= r.latency.p99;
  return { value: r.latency.p99, text: bound ? `≥ ${ms(r.latency.p99)} (${r.censored} of ${r.sent} unanswered or timed out)` : ms(r.latency.p99) };
}

/** One row under {@link LOAD_HEADERS}. */
export function loadRow(label: string, r: LoadResult): string[] {
  const non2xx = r.responses - r.ok;
  return [
    label,
    String(r.connections),
    `${r.durationSeconds.toFixed(1)} s (max ${r.maxSeconds} s)`,
    r.rate ? perSec(r.rate) : 'closed loop',
    `${r.ok.toLocaleString('en-US')} / ${r.sent.toLocaleString('en-US')}`,
    perSec(r.reqPerSec),
    ms(r.latency.p50),
    ms(r.latency.p97_5),
    ms(r.latency.p99),
    ms(r.latency.max),
    `${r.timeouts} · ${r.unanswered} · ${non2xx}`,
  ];
}

/** Where the processes sit; stated under every plot, since on two cores they compete for the same CPUs. */
export const TOPOLOGY = 'server under test in its own process, autocannon in a worker thread of another';

/** The line under each table and plot: where it was measured. */
export function machineNote(machine: Machine): string {
  return `Machine: ${machineLine(machine)}.`;
}

/** Writes `<stamp>-<name>.json` and returns its path. */
export async function writeResult(ctx: BenchContext, name: string, data: unknown): Promise<string> {
  await mkdir(ctx.outDir, { recursive: true });
  const path = join(ctx.outDir, `${ctx.stamp}-${name}.json`);
  await writeFile(path, `${JSON.stringify({ name, stamp: ctx.stamp, smoke: ctx.smoke, machine: ctx.machine, ...(data as object) }, null, 2)}\n`);
  return path;
}

/** Writes `<stamp>-<name>-<plot>.svg`; returns the path to link from the Markdown file. */
export async function writePlot(ctx: BenchContext, name: string, plot: string, svg: string): Promise<string> {
  await mkdir(ctx.outDir, { recursive: true });
  const path = join(ctx.outDir, `${ctx.stamp}-${name}-${plot}.svg`);
  await writeFile(path, svg);
  return relative(ctx.linkDir, path);
}

const START = (name: string) => `<!-- bench:${name} -->`;
const END = (name: string) => `<!-- /bench:${name} -->`;

/**
 * Replaces what sits between `<!-- bench:name -->` and `<!-- /bench:name -->`, leaving the prose around it alone.
 * A missing pair is appended at the end, so a new benchmark still lands somewhere visible.
 */
export function replaceSection(doc: string, name: string, content: string): string {
  const start = doc.indexOf(START(name));
  const end = doc.indexOf(END(name));
  const block = `${START(name)}\n${content.trim()}\n${END(name)}`;
  if (start === -1 || end === -1 || end < start) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, start) + block + doc.slice(end + END(name).length);
}

/** Rewrites the sections of a Markdown file (created if absent). */
export async function updateMarkdown(path: string, sections: Readonly<Record<string, string>>): Promise<void> {
  let doc = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  for (const [name, content] of Object.entries(sections)) doc = replaceSection(doc, name, content);
  await writeFile(path, doc);
}
