import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFinal, type Call } from '../../src/calls/call.ts';
import { buildDeps } from '../../src/compose/index.ts';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { Service } from '../../src/service.ts';
import { doctorLine } from '../../src/telnyx/telnyx-doctor.ts';

/** One API request as the recording proxy saw it (no Authorization header; bodies as sent and answered). */
export type RecordedRequest = { at: string; method: string; path: string; requestBody: unknown; status: number; responseBody: unknown };
/** One webhook as the service received it (signature headers named, not kept). */
export type RecordedWebhook = { at: string; eventType: string; occurredAt: string; payload: unknown; signed: boolean };

export type SmokeReport = {
  startedAt: string;
  to: string;
  answeringMachineDetection: string;
  doctor: string[];
  requests: RecordedRequest[];
  webhooks: RecordedWebhook[];
  /** Every listing of the connection's active calls while the call was live, raw (query and meta). */
  activeCallsPaging: { path: string; status: number; count: number; meta: unknown }[];
  /** The detection and greeting events met, with their results. */
  detection: { eventType: string; result: unknown }[];
  /** Every Telnyx error code met, with the request that met it. */
  errorCodes: { code: string; title: unknown; status: number; path: string }[];
  call: { id: string; status: string; reason: string | null; answeredBy: string | null } | undefined;
  timeline: { at: string; kind: string; name: string; detail: unknown }[];
  outcome: 'ended' | 'timed out' | 'not started';
};

const SECRET_KEYS = /^(authorization|api[_-]?key|public[_-]?key|token|password|secret)$/i;

/** A copy of a JSON value with secret-looking fields replaced. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(v)]));
  }
  return value;
}

const parse = (text: string): unknown => {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 2000);
  }
};

/**
 * A loopback proxy in front of Telnyx's API that records every request and answer: the service talks to it as its
 * `TELNYX_BASE_URL`, so what is recorded is exactly what went over the wire (the API key travels on, unrecorded).
 */
async function recordingProxy(target: string, requests: RecordedRequest[]) {
  const base = target.replace(/\/$/, '');
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').replace(/^\/v2/, '');
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      fetch(`${base}${path}`, { method: req.method, headers, body: body === '' ? undefined : body, signal: AbortSignal.timeout(30_000) })
        .then(async (answer) => {
          const text = await answer.text();
          requests.push({ at: new Date().toISOString(), method: req.method ?? '', path, requestBody: redact(parse(body)), status: answer.status, responseBody: redact(parse(text)) });
          const out: Record<string, string> = { 'content-type': answer.headers.get('content-type') ?? 'application/json' };
          for (const name of ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
            const value = answer.headers.get(name);
            if (value !== null) out[name] = value;
          }
          res.writeHead(answer.status, out).end(text);
        })
        .catch((err: unknown) => {
          requests.push({ at: new Date().toISOString(), method: req.method ?? '', path, requestBody: redact(parse(body)), status: 0, responseBody: String(err) });
          res.destroy();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * `make smoke-telnyx TO=+1…`: with a real account, one call to a number you own, with the menu. Boots the real
 * service (its own temporary database, the port and webhooks of `.env`), records every API request through a
 * proxy and every webhook as received, lists the active calls while the call lives, and writes a report (JSON and
 * a short text) to compare with the simulator. Resolves with the exit code (0 once the call ended).
 */
export async function smoke(options: {
  env: Readonly<Record<string, string | undefined>>;
  to: string | undefined;
  reportDir: string;
  write: (line: string) => void;
  /** How long to wait for the call to end; default: ring timeout + time limit + 60 s. */
  timeoutMs?: number;
}): Promise<{ code: number; report?: SmokeReport; file?: string }> {
  const { env, write } = options;
  if (!env.TELNYX_API_KEY) {
    write('make smoke-telnyx needs a real account: set TELNYX_API_KEY (and the rest of .env.example) first.');
    return { code: 1 };
  }
  if (!options.to || !/^\+[1-9]\d{6,14}$/.test(options.to)) {
    write('Name the number to call, one you own, in E.164: make smoke-telnyx TO=+15551234567');
    return { code: 1 };
  }
  const to = options.to;
  const requests: RecordedRequest[] = [];
  const webhooks: RecordedWebhook[] = [];
  const proxy = await recordingProxy(env.TELNYX_BASE_URL || 'https://api.telnyx.com/v2', requests);
  const dir = mkdtempSync(join(tmpdir(), 'daj-smoke-'));
  const report: SmokeReport = {
    startedAt: new Date().toISOString(),
    to,
    answeringMachineDetection: '',
    doctor: [],
    requests,
    webhooks,
    activeCallsPaging: [],
    detection: [],
    errorCodes: [],
    call: undefined,
    timeline: [],
    outcome: 'not started',
  };
  let service: Service | undefined;
  try {
    let config;
    try {
      config = loadConfig({
        env: { LOG_LEVEL: 'warn', ...env, STAGE: 'development', TELNYX_BASE_URL: proxy.url, DATABASE_URL: `sqlite:${join(dir, 'smoke.db')}` },
        configDir: join(ROOT_DIR, 'config'),
      });
    } catch (err) {
      if (err instanceof ConfigError) {
        write(`config error: ${err.message}`);
        return { code: 1 };
      }
      throw err;
    }
    report.answeringMachineDetection = config.telnyx.answeringMachineDetection;
    const deps = buildDeps(config, { isTty: false });
    // Every webhook as it arrives, before the service stores it (the signature headers are checked, not kept).
    const receive = deps.receiveWebhook;
    deps.receiveWebhook = (readRaw, headers) =>
      receive(async () => {
        const raw = await readRaw();
        const body = parse(raw) as { data?: { event_type?: string; occurred_at?: string; payload?: unknown } } | null;
        webhooks.push({
          at: new Date().toISOString(),
          eventType: String(body?.data?.event_type ?? '?'),
          occurredAt: String(body?.data?.occurred_at ?? ''),
          payload: redact(body?.data?.payload ?? null),
          signed: typeof headers['telnyx-signature-ed25519'] === 'string',
        });
        return raw;
      }, headers);
    service = new Service(deps);
    const started = await service.start();
    report.doctor = (started.doctor ?? []).map(doctorLine);
    for (const line of report.doctor) write(line);
    if (started.tunnelUrl) write(`Telnyx webhooks arrive at ${started.tunnelUrl}/webhook`);

    const call = await deps.calls.schedule({ to, dueAt: deps.clock.now(), timeZone: 'UTC', message: null });
    write(`Calling ${to} (call ${call.id}); answer it and press 1 or 9, or let it ring.`);
    report.outcome = 'timed out';
    const budget = options.timeoutMs ?? (config.telnyx.ringTimeoutSecs + config.telnyx.timeLimitSecs + 60) * 1000;
    const until = deps.clock.now() + budget;
    let listed = false;
    let current: Call | undefined = call;
    while (deps.clock.now() < until) {
      current = await deps.store.getCall(call.id);
      if (!current || isFinal(current.status)) break;
      // Once the call is live at the carrier, list the connection's active calls through the adapter (raw pages
      // recorded by the proxy): how Telnyx pages them is what the reconciler relies on.
      if (!listed && current.callControlId && (current.status === 'ringing' || current.status === 'in_progress')) {
        listed = true;
        await deps.telephony.activeCalls().catch((err: unknown) => write(`listing active calls failed: ${String(err)}`));
      }
      await deps.clock.sleep(250);
    }
    if (current && isFinal(current.status)) report.outcome = 'ended';
    await deps.inboxWorker.whenIdle();
    const final = await deps.store.getCall(call.id);
    report.call = final && { id: final.id, status: final.status, reason: final.reason, answeredBy: final.answeredBy };
    report.timeline = (await deps.store.listEvents(call.id)).map((e) => ({ at: new Date(e.at).toISOString(), kind: e.kind, name: e.name, detail: redact(e.detail) }));
  } finally {
    await service?.stop();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }

  report.activeCallsPaging = requests
    .filter((r) => r.path.includes('/active_calls'))
    .map((r) => {
      const body = r.responseBody as { data?: unknown[]; meta?: unknown } | null;
      return { path: r.path, status: r.status, count: Array.isArray(body?.data) ? body.data.length : 0, meta: body?.meta ?? null };
    });
  report.detection = webhooks.filter((w) => w.eventType.startsWith('call.machine.')).map((w) => ({ eventType: w.eventType, result: (w.payload as { result?: unknown } | null)?.result }));
  report.errorCodes = requests.flatMap((r) => {
    const errors = (r.responseBody as { errors?: { code?: unknown; title?: unknown }[] } | null)?.errors;
    return Array.isArray(errors) ? errors.map((e) => ({ code: String(e.code), title: e.title, status: r.status, path: r.path })) : [];
  });
  mkdirSync(options.reportDir, { recursive: true });
  const file = join(options.reportDir, `smoke-telnyx-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  write(`Call ${report.call?.status ?? 'unknown'}${report.call?.reason ? ` (${report.call.reason})` : ''}: ${requests.length} API requests, ${webhooks.length} webhooks.`);
  write(`Active-calls listings: ${report.activeCallsPaging.map((p) => `${p.count} calls, meta ${JSON.stringify(p.meta)}`).join('; ') || 'none'}.`);
  write(`Detection (${report.answeringMachineDetection}): ${report.detection.map((d) => `${d.eventType} ${String(d.result)}`).join(', ') || 'no events'}.`);
  write(`Error codes met: ${report.errorCodes.map((e) => `${e.status} ${e.code} on ${e.path}`).join(', ') || 'none'}.`);
  write(`Report written to ${file}.`);
  return { code: report.outcome === 'ended' ? 0 : 1, report, file };
}
