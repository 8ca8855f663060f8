import type { Summary } from './stats.ts';

/** One HTTP request the load generator sends, ready to write. */
export type LoadRequest = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };

/** What a load run does; plain data, so it crosses into the load worker thread. */
export type LoadSpec = {
  /** Origin only (`http://127.0.0.1:<port>`); anything but loopback is refused. */
  url: string;
  connections: number;
  /** Sent in order, one per request. */
  requests: LoadRequest[];
  /** Total requests at most; beyond `requests.length` they are reused from the start (only for references). */
  amount: number;
  /** Hard stop, whatever is still in flight. */
  maxSeconds: number;
  /** A request not answered within this counts as a timeout. */
  timeoutSeconds: number;
  /** Requests per second over all connections; undefined: as fast as answers come (closed loop). */
  overallRate?: number;
  /** Keep every response's latency and completion time (for plots); off for long runs. */
  recordSamples: boolean;
};

/** What a load run measured. Latencies are milliseconds from request written to response complete. */
export type LoadResult = {
  connections: number;
  amount: number;
  maxSeconds: number;
  rate: number | null;
  durationSeconds: number;
  sent: number;
  responses: number;
  ok: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Requests still waiting for an answer when the run stopped. */
  unanswered: number;
  /** 2xx responses per second of the run. */
  reqPerSec: number;
  /**
   * Latency of every request sent: answered ones as measured; timed-out and unanswered ones at the time they had
   * waited (a lower bound), so a server that stalls cannot look fast by not answering.
   */
  latency: Summary;
  /** How many samples in `latency` are such lower bounds, and the longest of them. */
  censored: number;
  censoredMaxMs: number;
  /** Completion times (ms since the run began) and latencies, in completion order, when asked for. */
  samples?: { completionMs: number[]; latencyMs: number[] };
};
