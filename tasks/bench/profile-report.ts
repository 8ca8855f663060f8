import { mkdir, rename } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { summarizeProfile, type ProfileSummary } from './profile-summary.ts';
import { mdTable, ms, pct, type BenchContext } from './report.ts';

/** What a profiled scenario hands back: the service's main-thread profile and the load window in it. */
export type ProfiledRun = { profile?: { file: string; fromUs: number; toUs: number } };

/**
 * A missed target is explained, not just reported: runs the scenario again with the service under
 * `node --cpu-prof`, keeps the profile under a stable name (each run replaces the last) and summarizes the load
 * window of it.
 */
export async function profileService(ctx: BenchContext, name: string, rerun: (profileDir: string) => Promise<ProfiledRun>): Promise<ProfileSummary | undefined> {
  ctx.progress.step(`${name}: target missed, profiling the service under the same load`);
  const profileDir = join(ctx.outDir, 'profiles');
  await mkdir(profileDir, { recursive: true });
  const { profile } = await rerun(profileDir);
  if (!profile) return undefined;
  const file = join(profileDir, `${ctx.stamp}-${name}-service.cpuprofile`);
  await rename(profile.file, file);
  return summarizeProfile(file, profile);
}

/**
 * Two profiles side by side, by area: what grows from the first run to the second. Shares are of each run's own
 * sampled time, so an area's growth shows even when the totals differ.
 */
export function profileComparison(runs: readonly { label: string; summary: ProfileSummary }[], linkDir: string): string {
  const areas = [...new Set(runs.flatMap((r) => r.summary.byArea.slice(0, 10).map((e) => e.name)))];
  const shareIn = (summary: ProfileSummary, area: string) => summary.byArea.find((e) => e.name === area)?.share ?? 0;
  const last = runs[runs.length - 1];
  const rows = areas
    .map((area) => ({ area, shares: runs.map((r) => shareIn(r.summary, area)) }))
    // Busiest in the last run first: that is the run being explained.
    .sort((a, b) => (last ? shareIn(last.summary, b.area) - shareIn(last.summary, a.area) : 0))
    .map(({ area, shares }) => [area, ...shares.map(pct)]);
  const functions = [...new Set(runs.flatMap((r) => r.summary.topInclusiveSrc.slice(0, 8).map((e) => e.name)))];
  const inclusiveIn = (summary: ProfileSummary, name: string) => summary.topInclusiveSrc.find((e) => e.name === name)?.share;
  return [
    `CPU profiles of the service's main thread under each load (\`node --cpu-prof\`, load window only): ${runs
      .map((r) => `${r.label}: \`${relative(linkDir, r.summary.file)}\`, ${ms(r.summary.totalMs)} sampled, ${pct(r.summary.idleShare)} idle`)
      .join('; ')}.`,
    '',
    mdTable(['self time by area', ...runs.map((r) => r.label)], rows),
    '',
    mdTable(
      ['our function (callees included)', ...runs.map((r) => r.label)],
      functions.map((name) => [name, ...runs.map((r) => {
        const share = inclusiveIn(r.summary, name);
        return share === undefined ? '< top 15' : pct(share);
      })]),
    ),
  ].join('\n');
}

/** Markdown for a profile: where the service's main thread spent the load window. */
export function profileMarkdown(summary: ProfileSummary, linkDir: string): string {
  const rows = (entries: ProfileSummary['byArea']) => entries.slice(0, 10).map((e) => [e.name, pct(e.share), ms(e.ms)]);
  return [
    `CPU profile of the service's main thread under the same load (the service process ran under \`node --cpu-prof\`; only samples inside the load window count; file \`${relative(linkDir, summary.file)}\`, ${ms(summary.totalMs)} sampled, ${pct(summary.idleShare)} idle).`,
    '',
    mdTable(['self time by area', 'share', 'time'], rows(summary.byArea)),
    '',
    mdTable(['our function (callees included)', 'share', 'time'], rows(summary.topInclusiveSrc)),
    '',
    mdTable(['busiest functions (self time)', 'share', 'time'], rows(summary.topSelf)),
  ].join('\n');
}
