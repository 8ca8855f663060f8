import { relative } from 'node:path';
import type { LoadResult } from './load-types.ts';
import { profileMarkdown, profileService } from './profile-report.ts';
import {
  TOPOLOGY,
  honestP99,
  LOAD_HEADERS,
  loadRow,
  machineNote,
  mdTable,
  ms,
  pct,
  perSec,
  verdict,
  writePlot,
  writeResult,
  type BenchContext,
  type Benchmark,
  type BenchOutcome,
} from './report.ts';
import { barChart } from './svg-plot.ts';
import type { CeilingResult, IngestServiceResult } from './webhook-ingest-scenarios.ts';

const NAME = 'webhook-ingest';

function sizes(smoke: boolean) {
  return smoke
    ? { connections: 8, maxSeconds: 1, amount: 1500, calls: 50, ceilingCount: 2000, ceilingSeconds: 0.5, profileSeconds: 1 }
    : { connections: 64, maxSeconds: 10, amount: 60_000, calls: 1000, ceilingCount: 200_000, ceilingSeconds: 5, profileSeconds: 5 };
}

/** Benchmark 1: signed webhooks per second accepted by `POST /webhook`, against two ceilings measured alongside. */
export const webhookIngest: Benchmark = {
  name: NAME,
  title: 'Webhook ingest',
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const s = sizes(ctx.smoke);
    const load = { connections: s.connections, maxSeconds: s.maxSeconds };
    ctx.progress.step(`${NAME}: ed25519 verify ceiling`);
    const ceiling = await ctx.runner.run<CeilingResult>({
      benchmark: NAME,
      scenario: 'verify-ceiling',
      params: { count: s.ceilingCount, maxSeconds: s.ceilingSeconds, concurrency: s.connections },
      timeoutMs: 120_000,
    });
    ctx.progress.step(`${NAME}: bare Koa reference, ${s.connections} connections`);
    const bare = await ctx.runner.run<LoadResult>({
      benchmark: NAME,
      scenario: 'bare-koa',
      params: { ...load, amount: 5_000_000 },
      timeoutMs: 120_000,
    });
    ctx.progress.step(`${NAME}: service POST /webhook, ${s.connections} connections`);
    const service = await ctx.runner.run<IngestServiceResult>({
      benchmark: NAME,
      scenario: 'service',
      params: { ...load, amount: s.amount, calls: s.calls },
      timeoutMs: 180_000,
    });

    const limit = Math.min(bare.reqPerSec, ceiling.unwrap.opsPerSec);
    const ratio = service.load.reqPerSec / limit;
    const p99 = honestP99(service.load);
    const met = ratio >= 0.8;
    const p99Met = p99.value <= 15;

    const profile =
      met && p99Met
        ? undefined
        : await profileService(ctx, NAME, (profileDir) =>
            ctx.runner.run<IngestServiceResult>({
              benchmark: NAME,
              scenario: 'service',
              params: { ...load, maxSeconds: s.profileSeconds, amount: s.amount, calls: s.calls, profileDir },
              timeoutMs: 180_000,
            }),
          );

    const plot = await writePlot(
      ctx,
      NAME,
      'throughput',
      barChart(
        {
          title: 'Webhook ingest: signed webhooks per second',
          subtitle: [
            `${s.connections} connections, closed loop, ≤ ${s.maxSeconds} s each; verify ceiling: SDK unwrap with ${s.connections} in flight`,
            `service p50 ${ms(service.load.latency.p50)}, p97.5 ${ms(service.load.latency.p97_5)}, p99 ${p99.text}; bare Koa p99 ${ms(bare.latency.p99)}`,
            `${ctx.machine.cores} cores, Node ${ctx.machine.node}; ${TOPOLOGY}`,
          ],
          xLabel: 'requests (or verifications) per second',
        },
        [
          { label: 'bare Koa, 200 without reading the body', value: bare.reqPerSec },
          { label: 'ed25519 verification alone (telnyx unwrap)', value: ceiling.unwrap.opsPerSec },
          { label: 'service POST /webhook (verify + inbox insert + 200)', value: service.load.reqPerSec },
        ],
        'req/s',
      ),
    );
    const data = { sizes: s, ceiling, bare, service, ratios: { toBareKoa: service.load.reqPerSec / bare.reqPerSec, toVerifyCeiling: service.load.reqPerSec / ceiling.unwrap.opsPerSec, toLimit: ratio }, profile };
    const json = await writeResult(ctx, NAME, data);

    const markdown = [
      mdTable(LOAD_HEADERS, [loadRow('service `POST /webhook`', service.load), loadRow('bare Koa (200, body unread)', bare)]),
      '',
      mdTable(
        ['verification alone (same bodies and headers)', 'in flight', 'ops', 'ops/s'],
        [
          ['`client.webhooks.unwrap` (the service\'s verifier)', ceiling.unwrap.concurrency, ceiling.unwrap.ops, perSec(ceiling.unwrap.opsPerSec)],
          ['`client.webhooks.unwrap`, one at a time', 1, ceiling.unwrapSerial.ops, perSec(ceiling.unwrapSerial.opsPerSec)],
          ['`crypto.verify` (sync, key imported once)', 1, ceiling.cryptoVerify.ops, perSec(ceiling.cryptoVerify.opsPerSec)],
        ],
      ),
      '',
      mdTable(
        ['ratio', 'value'],
        [
          ['service ÷ bare Koa', pct(data.ratios.toBareKoa)],
          ['service ÷ verify ceiling', pct(data.ratios.toVerifyCeiling)],
          ['service ÷ min(bare Koa, verify ceiling) — target ≥ 80 %', `${pct(ratio)} (${verdict(met)})`],
          [`service p99 ack at ${s.connections} connections — target ≤ 15 ms`, `${p99.text} (${verdict(p99Met)})`],
        ],
      ),
      '',
      `Event worker meanwhile: ${service.stored.toLocaleString('en-US')} events stored for ${service.calls} scheduled calls, ` +
        `${service.appliedAtEnd.toLocaleString('en-US')} already applied when the load stopped, ` +
        `${service.drainSeconds === null ? 'not drained within 30 s' : `the rest within ${service.drainSeconds.toFixed(2)} s`}.`,
      '',
      `![webhook ingest throughput](${plot})`,
      '',
      ...(profile ? [profileMarkdown(profile, ctx.linkDir), ''] : []),
      `${machineNote(ctx.machine)} Results: \`${relative(ctx.linkDir, json)}\`.`,
    ].join('\n');

    return {
      name: NAME,
      markdown,
      files: [json, plot],
      targets: [
        { benchmark: 'Webhook ingest', figure: 'webhooks/s ÷ min(bare Koa, verify ceiling)', target: '≥ 80 %', measured: `${pct(ratio)} (${perSec(service.load.reqPerSec)} vs ${perSec(limit)})`, met },
        { benchmark: 'Webhook ingest', figure: `p99 ack at ${s.connections} connections`, target: '≤ 15 ms', measured: p99.text, met: p99Met },
      ],
    };
  },
};
