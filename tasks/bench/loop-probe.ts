/**
 * Preloaded into the real entry point by the schedules benchmark (`node --import ./loop-probe.ts src/main.ts`): node's
 * own event-loop delay sampler at 1 ms resolution (prom-client's, on `/metrics`, ticks every 10 ms: too coarse to
 * tell "a few milliseconds"). On SIGUSR2 it writes what it saw since the last signal to `LOOP_PROBE_FILE` as JSON
 * (`{ seq, samples, p50Ms, p99Ms, maxMs }`, gaps between ticks, so an idle loop reads about 1 ms) and starts again.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.LOOP_PROBE_FILE;
if (file) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let seq = 0;
  process.on('SIGUSR2', () => {
    const ms = (ns: number) => ns / 1e6;
    seq += 1;
    writeFileSync(file, JSON.stringify({ seq, samples: loop.count, p50Ms: ms(loop.percentile(50)), p99Ms: ms(loop.percentile(99)), maxMs: ms(loop.max) }));
    loop.reset();
  });
}
