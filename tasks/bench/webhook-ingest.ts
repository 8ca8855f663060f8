import { relative } from 'node:path';
import { STORE_KINDS, STORE_LABEL, type StoreKind } from './bench-db.ts';
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
const p99Verdict = (met: boolean | null) => (met === null ? 'not applicable: the reference itself is slower' : verdict(met));

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
    ctx.progress.step(`${NAME}: Koa + raw body + verify reference, ${s.connections} connections`);
    const reference = await ctx.runner.run<LoadResult>({
      benchmark: NAME,
      scenario: 'koa-verify',
      params: { ...load, amount: 5_000_000 },
      timeoutMs: 120_000,
    });
    const services = {} as Record<StoreKind, IngestServiceResult>;
    for (const store of STORE_KINDS) {
      ctx.progress.step(`${NAME}: service POST /webhook on ${STORE_LABEL[store]}, ${s.connections} connections`);
      services[store] = await ctx.runner.run<IngestServiceResult>({
        benchmark: NAME,
        scenario: 'service',
        params: { ...load, amount: s.amount, calls: s.calls, store },
        timeoutMs: 180_000,
      });
    }
    const service = services.sqlite;
    const pg = services.postgres;

    // The targets: ≥ 80 % (SQLite) and ≥ 60 % (PostgreSQL) of the Koa + raw body + verify reference measured in
    // this run; p99 ack ≤ 15 ms wherever the reference's own p99 is ≤ 5 ms (on a loaded machine it is not, and
    // then the p99 target is reported as not applicable).
    const MIN_RATIO: Record<StoreKind, number> = { sqlite: 0.8, postgres: 0.6 };
    const refP99 = honestP99(reference);
    const p99Applies = refP99.value <= 5;
    const figures = (r: IngestServiceResult, store: StoreKind) => {
      const ratio = r.load.reqPerSec / reference.reqPerSec;
      const p99 = honestP99(r.load);
      return { ratio, p99, met: ratio >= MIN_RATIO[store], p99Met: p99Applies ? p99.value <= 15 : null };
    };
    const { ratio, p99, met, p99Met } = figures(service, 'sqlite');
    const pgFigures = figures(pg, 'postgres');

    // The CPU profile is taken on SQLite, as before: one profile per run keeps the suite's length in bounds.
    const profile =
      met && p99Met !== false
        ? undefined
        : await profileService(ctx, NAME, (profileDir) =>
            ctx.runner.run<IngestServiceResult>({
              benchmark: NAME,
              scenario: 'service',
              params: { ...load, maxSeconds: s.profileSeconds, amount: s.amount, calls: s.calls, store: 'sqlite', profileDir },
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
            `${s.connections} connections, closed loop, ≤ ${s.maxSeconds} s each; verify ceiling: the service's verifier with ${s.connections} in flight`,
            `service p99: SQLite ${p99.text}, PostgreSQL ${pgFigures.p99.text}; bare Koa p99 ${ms(bare.latency.p99)}`,
            `${ctx.machine.cores} cores, Node ${ctx.machine.node}; ${TOPOLOGY}`,
          ],
          xLabel: 'requests (or verifications) per second',
        },
        [
          { label: 'bare Koa, 200 without reading the body', value: bare.reqPerSec },
          { label: 'Koa + raw body + verify, 200 (the reference)', value: reference.reqPerSec },
          { label: 'ed25519 verification alone (service verifier, WebCrypto)', value: ceiling.webCrypto.opsPerSec },
          { label: 'service POST /webhook on SQLite (verify + inbox insert + 200)', value: service.load.reqPerSec },
          { label: 'service POST /webhook on PostgreSQL', value: pg.load.reqPerSec },
        ],
        'req/s',
      ),
    );
    const ratiosOf = (r: IngestServiceResult) => ({
      toBareKoa: r.load.reqPerSec / bare.reqPerSec,
      toVerifyCeiling: r.load.reqPerSec / ceiling.webCrypto.opsPerSec,
      toReference: r.load.reqPerSec / reference.reqPerSec,
    });
    const data = { sizes: s, ceiling, bare, reference, service, postgres: pg, ratios: ratiosOf(service), postgresRatios: ratiosOf(pg), profile };
    const json = await writeResult(ctx, NAME, data);

    const markdown = [
      mdTable(LOAD_HEADERS, [
        loadRow('service `POST /webhook`, SQLite', service.load),
        loadRow('service `POST /webhook`, PostgreSQL', pg.load),
        loadRow('Koa + raw body + verify (the reference)', reference),
        loadRow('bare Koa (200, body unread)', bare),
      ]),
      '',
      mdTable(
        ['verification alone (same bodies and headers)', 'in flight', 'ops', 'ops/s'],
        [
          ['the service\'s verifier: WebCrypto, key imported once', ceiling.webCrypto.concurrency, ceiling.webCrypto.ops, perSec(ceiling.webCrypto.opsPerSec)],
          ['`crypto.verify` (sync, key imported once)', ceiling.cryptoVerify.concurrency, ceiling.cryptoVerify.ops, perSec(ceiling.cryptoVerify.opsPerSec)],
          ['the SDK\'s `client.webhooks.unwrap` (key imported per call)', ceiling.unwrap.concurrency, ceiling.unwrap.ops, perSec(ceiling.unwrap.opsPerSec)],
          ['the SDK\'s `client.webhooks.unwrap`, one at a time', 1, ceiling.unwrapSerial.ops, perSec(ceiling.unwrapSerial.opsPerSec)],
        ],
      ),
      '',
      mdTable(
        ['ratio', 'SQLite', 'PostgreSQL'],
        [
          ['service ÷ Koa + raw body + verify — target ≥ 80 % (SQLite), ≥ 60 % (PostgreSQL)', `${pct(ratio)} (${verdict(met)})`, `${pct(pgFigures.ratio)} (${verdict(pgFigures.met)})`],
          [
            `service p99 ack at ${s.connections} connections — target ≤ 15 ms where the reference's p99 (${refP99.text}) is ≤ 5 ms`,
            `${p99.text} (${p99Verdict(p99Met)})`,
            `${pgFigures.p99.text} (${p99Verdict(pgFigures.p99Met)})`,
          ],
          ['service ÷ bare Koa', pct(data.ratios.toBareKoa), pct(data.postgresRatios.toBareKoa)],
          ['service ÷ verification alone', pct(data.ratios.toVerifyCeiling), pct(data.postgresRatios.toVerifyCeiling)],
        ],
      ),
      '',
      `Verification with ${s.connections} in flight: the service's WebCrypto verifier (key imported once) at ${pct(ceiling.webCrypto.opsPerSec / ceiling.cryptoVerify.opsPerSec)} of synchronous \`crypto.verify\` and ${pct(ceiling.webCrypto.opsPerSec / ceiling.unwrap.opsPerSec)} of the SDK's unwrap.`,
      '',
      `Event worker meanwhile: ${STORE_KINDS.map((store) => {
        const r = services[store];
        return (
          `${STORE_LABEL[store]}: ${r.stored.toLocaleString('en-US')} events stored for ${r.calls} scheduled calls, ` +
          `${r.appliedAtEnd.toLocaleString('en-US')} already applied when the load stopped, ` +
          `${r.drainSeconds === null ? 'not drained within 30 s' : `the rest within ${r.drainSeconds.toFixed(2)} s`}`
        );
      }).join('; ')}.`,
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
      targets: STORE_KINDS.flatMap((store) => {
        const r = services[store];
        const f = figures(r, store);
        const benchmark = `Webhook ingest (${STORE_LABEL[store]})`;
        return [
          {
            benchmark,
            figure: 'webhooks/s ÷ Koa + raw body + verify',
            target: `≥ ${pct(MIN_RATIO[store])}`,
            measured: `${pct(f.ratio)} (${perSec(r.load.reqPerSec)} vs ${perSec(reference.reqPerSec)})`,
            met: f.met,
          },
          {
            benchmark,
            figure: `p99 ack at ${s.connections} connections`,
            target: '≤ 15 ms (where the reference p99 ≤ 5 ms)',
            measured: p99Applies ? f.p99.text : `${f.p99.text} (reference p99 ${refP99.text}: not applicable)`,
            met: f.p99Met,
          },
        ];
      }),
    };
  },
};
