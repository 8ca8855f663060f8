import { relative } from 'node:path';
import { STORE_KINDS, STORE_LABEL, type StoreKind } from './bench-db.ts';
import type { LoadResult } from './load-types.ts';
import { TOPOLOGY, LOAD_HEADERS, loadRow, machineNote, mdTable, ms, pct, perSec, verdict, writePlot, writeResult, type BenchContext, type Benchmark, type BenchOutcome } from './report.ts';
import { profileMarkdown, profileService } from './profile-report.ts';
import type { SchedulingServiceResult } from './scheduling-scenarios.ts';
import { barChart } from './svg-plot.ts';

const NAME = 'scheduling';

/** Benchmark 3: calls scheduled per second through the JSON API, against a bare Koa JSON POST in the same run. */
/** The share of a bare Koa JSON POST each store's scheduling must reach (issue 20: a durable insert under locked limits). */
const TARGET: Record<StoreKind, number> = { sqlite: 0.25, postgres: 0.15 };

export const scheduling: Benchmark = {
  name: NAME,
  title: 'Scheduling',
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const s = ctx.smoke ? { connections: 8, maxSeconds: 1, amount: 1500 } : { connections: 64, maxSeconds: 10, amount: 60_000 };
    ctx.progress.step(`${NAME}: bare Koa JSON POST, ${s.connections} connections`);
    const bare = await ctx.runner.run<LoadResult>({ benchmark: NAME, scenario: 'bare-json', params: { ...s, amount: 5_000_000 }, timeoutMs: 120_000 });
    const services = {} as Record<StoreKind, SchedulingServiceResult>;
    for (const store of STORE_KINDS) {
      ctx.progress.step(`${NAME}: service POST /api/calls on ${STORE_LABEL[store]}, ${s.connections} connections`);
      services[store] = await ctx.runner.run<SchedulingServiceResult>({ benchmark: NAME, scenario: 'service', params: { ...s, store }, timeoutMs: 180_000 });
    }
    const service = services.sqlite;
    const pg = services.postgres;

    const ratioOf = (r: SchedulingServiceResult) => r.load.reqPerSec / bare.reqPerSec;
    const ratio = ratioOf(service);
    const met = ratio >= TARGET.sqlite;
    // The CPU profile is taken on SQLite, as before: one profile per run keeps the suite's length in bounds.
    const profile = met
      ? undefined
      : await profileService(ctx, NAME, (profileDir) =>
          ctx.runner.run<SchedulingServiceResult>({ benchmark: NAME, scenario: 'service', params: { ...s, maxSeconds: ctx.smoke ? 1 : 5, store: 'sqlite', profileDir }, timeoutMs: 180_000 }),
        );
    const plot = await writePlot(
      ctx,
      NAME,
      'throughput',
      barChart(
        {
          title: 'Scheduling: POST /api/calls per second',
          subtitle: [
            `${s.connections} connections, closed loop, ≤ ${s.maxSeconds} s each; same JSON bodies for both`,
            `service p99: SQLite ${ms(service.load.latency.p99)}, PostgreSQL ${ms(pg.load.latency.p99)}; bare p99 ${ms(bare.latency.p99)}`,
            `${ctx.machine.cores} cores, Node ${ctx.machine.node}; ${TOPOLOGY}`,
          ],
          xLabel: 'requests per second',
        },
        [
          { label: 'bare Koa JSON POST (koa-body, 201 echo)', value: bare.reqPerSec },
          { label: 'service POST /api/calls on SQLite (validate + insert + 201)', value: service.load.reqPerSec },
          { label: 'service POST /api/calls on PostgreSQL', value: pg.load.reqPerSec },
        ],
        'req/s',
      ),
    );
    const json = await writeResult(ctx, NAME, { sizes: s, bare, service, ratio, postgres: pg, postgresRatio: ratioOf(pg), profile });
    const markdown = [
      mdTable(LOAD_HEADERS, [
        loadRow('service `POST /api/calls`, SQLite', service.load),
        loadRow('service `POST /api/calls`, PostgreSQL', pg.load),
        loadRow('bare Koa JSON POST', bare),
      ]),
      '',
      mdTable(
        ['ratio', 'SQLite', 'PostgreSQL'],
        [['service ÷ bare Koa JSON POST — target ≥ 25 % SQLite, ≥ 15 % PostgreSQL', `${pct(ratio)} (${verdict(met)})`, `${pct(ratioOf(pg))} (${verdict(ratioOf(pg) >= TARGET.postgres)})`]],
      ),
      '',
      `Calls in the database afterwards (every 201 is a committed row): SQLite ${service.stored.toLocaleString('en-US')}, PostgreSQL ${pg.stored.toLocaleString('en-US')}.`,
      '',
      `![scheduling throughput](${plot})`,
      '',
      ...(profile ? [profileMarkdown(profile, ctx.linkDir), ''] : []),
      `${machineNote(ctx.machine)} Results: \`${relative(ctx.linkDir, json)}\`.`,
    ].join('\n');
    return {
      name: NAME,
      markdown,
      files: [json, plot],
      targets: STORE_KINDS.map((store) => ({
        benchmark: `Scheduling (${STORE_LABEL[store]})`,
        figure: 'POST /api/calls ÷ bare Koa JSON POST',
        target: `≥ ${pct(TARGET[store])}`,
        measured: `${pct(ratioOf(services[store]))} (${perSec(services[store].load.reqPerSec)} vs ${perSec(bare.reqPerSec)})`,
        met: ratioOf(services[store]) >= TARGET[store],
      })),
    };
  },
};
