import { validate as isCron } from 'node-cron';
import { z } from 'zod';
import { NUMBER_TYPES } from '../calls/destination-policy.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const STAGES = ['development', 'test', 'production'] as const;
export type Stage = (typeof STAGES)[number];

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const databaseUrl = z
  .string()
  .refine((v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), {
    message: 'must be sqlite:<path> or postgres://…',
  });

/** A list from config (an array) or from the environment (comma-separated). */
const list = <T extends z.ZodType>(item: T, min = 0) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(item).min(min),
  );
/** A boolean from config, or `true`/`false`/`1`/`0` from the environment. */
const flag = z.union([z.boolean(), z.stringbool()]);
const country = z.string().transform((v) => v.toUpperCase()).pipe(
  z.string().regex(/^([A-Z]{2}|001)$/, { message: 'must be ISO 3166 alpha-2 codes such as US, or 001 for non-geographic numbers' }),
);

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, { message: 'must be an E.164 number such as +15551234567' });

export const configSchema = z
  .object({
    stage: z.enum(STAGES),
    host: z.string().min(1),
    port: int(0, 65535),
    databaseUrl,
    publicUrl: z.url({ protocol: /^https?$/ }).nullable(),
    logLevel: z.enum(LOG_LEVELS),
    logPretty: z.boolean(),
    http: z.object({
      bodyLimitBytes: int(1024),
      shutdownTimeoutMs: int(0),
      // Behind a load balancer: client address and protocol come from X-Forwarded-For/-Proto (`proxyHops` hops).
      trustProxy: flag,
      proxyHops: int(1, 10),
      // Host names accepted besides PUBLIC_URL's and the listen address (DNS-rebinding check).
      allowedHosts: list(z.string().min(1).transform((v) => v.toLowerCase())),
      headersTimeoutMs: int(1000, 600_000),
      requestTimeoutMs: int(1000, 3_600_000),
      keepAliveTimeoutMs: int(100, 600_000),
      maxConnections: int(1, 1_000_000),
      maxConnectionsPerAddress: int(0, 1_000_000),
    }),
    metricsToken: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
    scheduling: z.object({
      defaultCountry: z
        .string()
        .regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166 alpha-2 code such as US' })
        .nullable(),
      graceSeconds: int(0),
      horizonDays: int(1, 3650),
      messageMaxLength: int(1, 5000),
      // null: the caller id's country (or DEFAULT_COUNTRY); see src/calls/destination-policy.ts.
      allowedCountries: list(country).nullable(),
      allowedNumberTypes: list(z.enum(NUMBER_TYPES), 1),
    }),
    queue: z.object({
      dialsPerSecond: int(1, 10_000),
      dialRateMarginMs: int(0, 1000),
      maxConcurrentCalls: int(1, 100_000),
      maxLatenessSeconds: int(0),
      windowSize: int(1, 1_000_000),
      dialRetryWindowSeconds: int(0, 60),
    }),
    maintenance: z.object({
      stuckSchedule: z.string().refine(isCron, { message: 'is not a cron expression' }),
      stuckAfterMinutes: int(1),
      purgeSchedule: z.string().refine(isCron, { message: 'is not a cron expression' }),
      retentionDays: int(1),
    }),
    telnyx: z.object({
      voice: z.string().min(1),
      language: z.string().min(2),
      // Telnyx accepts 5–600; below 5 is only for tests against the simulator.
      ringTimeoutSecs: int(1, 600),
      requestTimeoutMs: int(100, 120_000),
      apiKey: z.string().min(1).optional(),
      publicKey: z.string().min(1).optional(),
      connectionId: z.string().min(1).optional(),
      fromNumber: e164.optional(),
      baseUrl: z.url().optional(),
    }),
    jokes: z.object({
      apiUrl: z.url({ protocol: /^https?$/ }).nullable(),
      timeoutMs: int(1, 60_000),
    }),
    webhooks: z.object({
      // `inline` applies each event before answering, as the 2019 workshop did; kept only for the benchmark.
      mode: z.enum(['background', 'inline']),
    }),
    simulator: z.object({
      answerDelayMs: int(0),
      speakMsPerChar: int(0),
      maxCallMs: int(1),
    }),
    ngrokAuthtoken: z.string().min(1).optional(),
    mail: z.object({
      smtpUrl: z.url({ protocol: /^smtps?$/, error: 'must be smtp://user:pass@host:port or smtps://…' }).optional(),
      from: z.string().min(3),
      // Without SMTP_URL, development keeps account mail in an in-memory outbox shown at /dev/mail.
      devOutbox: z.boolean(),
    }),
    auth: z.object({
      jwtSecret: z.string().refine((v) => Buffer.byteLength(v) >= 32, { message: 'must be at least 32 bytes' }).optional(),
      accessTokenSeconds: int(60, 86_400),
      sessionDays: int(1, 365),
      mailLinkHours: int(1, 168),
      // log2 of scrypt's N: 15 is 32 MiB per hash; tests lower it to stay fast.
      passwordCost: int(10, 20),
    }),
    // 0 turns a limit off (benchmarks; an operator who limits elsewhere).
    limits: z.object({
      callsPerAccountPerDay: int(0),
      pendingCallsPerAccount: int(0),
      callsPerNumberPerDay: int(0),
      loginsPerAddressPer15Min: int(0),
      loginFailuresPerAccountPer15Min: int(0),
      registrationsPerAddressPerHour: int(0),
      mailsPerRecipientPerHour: int(0),
    }),
  })
  .superRefine((config, ctx) => {
    // With an API key we talk to Telnyx itself: a dial needs a connection and a caller id, a webhook a key.
    if (config.telnyx.apiKey) {
      for (const key of ['publicKey', 'connectionId', 'fromNumber'] as const) {
        if (!config.telnyx[key]) ctx.addIssue({ code: 'custom', path: ['telnyx', key], message: 'is required when TELNYX_API_KEY is set' });
      }
    }
    if (config.stage !== 'production') return;
    // A production instance must never fall back to the simulator: every Telnyx setting is required.
    for (const key of ['apiKey', 'publicKey', 'connectionId', 'fromNumber'] as const) {
      if (!config.telnyx[key]) {
        ctx.addIssue({ code: 'custom', path: ['telnyx', key], message: 'is required in production' });
      }
    }
    if (!config.publicUrl) {
      ctx.addIssue({ code: 'custom', path: ['publicUrl'], message: 'is required in production' });
    }
    // Accounts: mail must really leave, and sessions must survive a restart and be shared across instances.
    if (!config.mail.smtpUrl) ctx.addIssue({ code: 'custom', path: ['mail', 'smtpUrl'], message: 'is required in production' });
    if (!config.auth.jwtSecret) ctx.addIssue({ code: 'custom', path: ['auth', 'jwtSecret'], message: 'is required in production' });
    if (config.mail.devOutbox) ctx.addIssue({ code: 'custom', path: ['mail', 'devOutbox'], message: 'the dev outbox is never on in production' });
  });

/** The validated, frozen configuration handed to the composition root. */
export type Config = z.infer<typeof configSchema>;
