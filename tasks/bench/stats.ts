/** Percentiles and counts the benchmarks report, computed from every sample (no histogram bucketing). */
export type Summary = {
  count: number;
  mean: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  min: number;
};

/** Nearest-rank percentile of an ascending array (`p` in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Count, mean, p50 / p97.5 / p99, min and max of the samples. */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: percentile(sorted, 50),
    p97_5: percentile(sorted, 97.5),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    min: sorted.length ? (sorted[0] as number) : NaN,
  };
}

/** The most events falling in any half-open window `[t, t + widthMs)`; two pointers over the sorted times. */
export function maxInWindow(times: readonly number[], widthMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= widthMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

