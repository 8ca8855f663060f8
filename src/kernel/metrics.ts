import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus registry. One per app (never prom-client's global one), so several apps in one
 * test process do not share counters.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route pattern, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route pattern, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    queueWaiting: new Gauge({ name: 'queue_due_waiting', help: 'Due calls waiting for a channel or the dial rate', registers: [registry] }),
    queueWindow: new Gauge({ name: 'queue_window_size', help: 'Scheduled calls held in the in-memory window', registers: [registry] }),
    dialLateness: new Histogram({
      name: 'dial_lateness_seconds',
      help: 'Claim time minus scheduled time',
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 30, 120, 900],
      registers: [registry],
    }),
    callsMissed: new Counter({ name: 'calls_missed_total', help: 'Calls ended as missed at start', registers: [registry] }),
    callsEnded: new Counter({
      name: 'calls_ended_total',
      help: 'Calls that reached an ending, by status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'webhooks_total',
      help: 'Webhooks received, by outcome (accepted, duplicate, rejected, invalid)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookApplyLag: new Histogram({
      name: 'webhook_apply_lag_seconds',
      help: 'Time from receiving a webhook to applying it',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    maintenance: new Counter({
      name: 'maintenance_calls_total',
      help: 'Calls touched by maintenance jobs',
      labelNames: ['job'] as const,
      registers: [registry],
    }),
    reconciled: new Counter({
      name: 'reconciled_calls_total',
      help: 'Calls the reconciler settled from the carrier record, by action (ended, answered, nudged, hung_up, unknown_failed, found)',
      labelNames: ['action'] as const,
      registers: [registry],
    }),
    menuChoices: new Counter({
      name: 'call_menu_choices_total',
      help: 'What callees did at the menu after a joke or message (another_joke, opted_out, nothing)',
      labelNames: ['choice'] as const,
      registers: [registry],
    }),
    answeredBy: new Counter({
      name: 'calls_answered_by_total',
      help: 'Answered calls by who answered, as detection reported it (human, machine, unknown)',
      labelNames: ['by'] as const,
      registers: [registry],
    }),
    channelRefusals: new Counter({
      name: 'channel_limit_refusals_total',
      help: 'Dials the carrier refused for want of a channel (SIP 403), by what became of the call (requeued, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    connectionsRefused: new Counter({
      name: 'http_connections_refused_total',
      help: 'Client connections closed by the limits, by reason (per_address, max_connections, shed: the longest-waiting one closed to make room)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
