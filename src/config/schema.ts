import { createPublicKey } from 'node:crypto';
import { validate as isCron } from 'node-cron';
import { z } from 'zod';
import { MENU } from '../calls/call-flow.ts';
import { AMD_MODES, BASIC_VOICES, SPEECH_LANGUAGES } from '../telnyx/speech-options.ts';
import { MAX_SPEECH_CHARS } from '../calls/carrier.ts';
import { NUMBER_TYPES } from '../calls/input/destination-policy.ts';
import proxyaddr from 'proxy-addr';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const STAGES = ['development', 'test', 'production'] as const;
export type Stage = (typeof STAGES)[number];

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const databaseUrl = z
  .string()
  .refine((v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), {
    message: 'must be sqlite:<path> or postgres://…',
  });

const ED25519_MESSAGE =
  'must be the base64 of a 32-byte ed25519 public key (Telnyx Mission Control → Keys & Credentials → Public Key); every webhook would be rejected';

/** True when `value` is standard base64 of 32 bytes that Node accepts as an ed25519 public key. */
function isEd25519PublicKey(value: string): boolean {
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== value) return false;
  try {
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    return true;
  } catch {
    return false;
  }
}

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

/** True when proxy-addr (which reads TRUSTED_PROXIES at run time) accepts `entry`: an address, a CIDR range or one of its names. */
function isTrustEntry(entry: string): boolean {
  try {
    proxyaddr.compile([entry]);
    return true;
  } catch {
    return false;
  }
}

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
      // Peers whose X-Forwarded-For/-Proto are believed (CIDR ranges or proxy-addr's names; http/security/proxy-trust.ts).
      trustedProxies: list(z.string().trim().refine(isTrustEntry, { message: 'must be IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal)' })),
      // Deprecated: `true` means trustedProxies also holds loopback (a proxy on the same host).
      trustProxy: flag,
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
      // What Telnyx speaks in one prompt (3000 characters) less the menu that follows the message.
      messageMaxLength: int(1, MAX_SPEECH_CHARS - MENU.length - 1),
      // null: the caller id's country (or DEFAULT_COUNTRY); see src/calls/destination-policy.ts.
      allowedCountries: list(country).nullable(),
      allowedNumberTypes: list(z.enum(NUMBER_TYPES), 1),
    }),
    queue: z.object({
      dialsPerSecond: int(1, 10_000),
      dialRateMarginMs: int(0, 1000),
      maxConcurrentCalls: int(1, 100_000),
      // Live calls one account may hold while others' calls wait (the fair share); 0: half the channels, rounded up.
      maxCallsPerAccount: int(0, 100_000),
      maxLatenessSeconds: int(0),
      windowSize: int(1, 1_000_000),
      dialRetryWindowSeconds: int(0, 60),
      // A dial refused for want of a channel (SIP 403) goes back to the queue after this, doubled per refusal.
      channelLimitBackoffSeconds: int(0, 3600),
      // After this many refusals in a row the call ends failed rather than waiting for a channel for ever.
      channelLimitMaxRequeues: int(0, 100),
      // After a refusal, the queue's concurrency grows back by one call per this many seconds without one.
      capacityProbeSeconds: int(1, 3600),
    }),
    reconcile: z.object({
      // How often calls we think are live are checked against the carrier's own record.
      intervalMs: int(50, 3_600_000),
      // A dial whose outcome is unknown and that the carrier does not list after this long is failed.
      unknownGraceSeconds: int(0, 3600),
      // An answered call with nothing said for this long is spoken to (its webhook was lost).
      silentAfterSeconds: int(1, 3600),
      // Past its ring timeout plus its time limit plus this, a call still alive is hung up by us.
      hangupGraceSeconds: int(0, 3600),
    }),
    maintenance: z.object({
      stuckSchedule: z.string().refine(isCron, { message: 'is not a cron expression' }),
      stuckAfterMinutes: int(1),
      purgeSchedule: z.string().refine(isCron, { message: 'is not a cron expression' }),
      retentionDays: int(1),
    }),
    telnyx: z.object({
      voice: z.string().min(1),
      // The SDK's own list of speech languages; a `male`/`female` voice (service level basic) speaks en-US only.
      language: z.enum(SPEECH_LANGUAGES),
      // Telnyx's timeout_secs accepts 5–600 (tests shorten rings with the simulator's ringTimeoutCapMs instead).
      ringTimeoutSecs: int(5, 600),
      // The dial's answering_machine_detection; a mode that reports the greeting's end lets a machine hear it all.
      answeringMachineDetection: z.enum(AMD_MODES),
      // In detect_beep and premium (Telnyx sends "greeting ended" only on a beep), the longest a machine's message
      // waits for that event after detection: then it is spoken anyway. 0 waits for the event (and the reconciler).
      greetingWaitSecs: int(0, 120),
      // How long the menu after each joke waits for a key once its prompt has been said (Telnyx: 1–120000 ms).
      menuTimeoutMs: int(1, 120_000),
      // Telnyx's time_limit_secs: the longest a call may last once answered (Telnyx: 30–14400, default 14400); below
      // 30 Telnyx would refuse every dial, so it is refused at start.
      timeLimitSecs: int(30, 14_400),
      // Telnyx's opt-in webhook retries: at most 5 delays, summing to at most 60 s (its limits).
      webhookRetriesMs: z
        .array(int(1, 60_000))
        .max(5)
        .refine((delays) => delays.reduce((sum, d) => sum + d, 0) <= 60_000, { message: 'must add up to at most 60000 ms' }),
      requestTimeoutMs: int(100, 120_000),
      apiKey: z.string().min(1).optional(),
      publicKey: z.string().min(1).refine(isEd25519PublicKey, { message: ED25519_MESSAGE }).optional(),
      connectionId: z.string().min(1).optional(),
      fromNumber: e164.optional(),
      baseUrl: z.url().optional(),
    }),
    jokes: z.object({
      apiUrl: z.url({ protocol: /^https?$/ }).nullable(),
      timeoutMs: int(1, 60_000),
    }),
    simulator: z.object({
      answerDelayMs: int(0),
      speakMsPerChar: int(0),
      maxCallMs: int(1),
    }),
    // Live streams (GET /api/calls/events): per account on all instances together (rows in the database, leases
    // renewed every third of leaseSeconds, so a dead instance's stop counting within leaseSeconds), and per instance.
    live: z.object({
      streamsPerAccount: int(1, 1000),
      streamsPerInstance: int(1, 100_000),
      leaseSeconds: int(3, 3600),
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
      // How long a browser (or program) that signed in stays a known device, which the account-wide failure tally never stops.
      rememberDeviceDays: int(1, 365),
    }),
    // A new account's first days: smaller limits (docs/accounts.md). `days` 0 turns probation off.
    probation: z.object({
      days: int(0, 365),
      callsPerDay: int(1),
      // Open schedules to numbers the account has not yet reached with an answered call.
      unreachedSchedules: int(0),
    }),
    // A proof of work (altcha-lib, solved by the browser or the program) asked of registrations, reset requests and
    // sign-ins once they come in numbers; see docs/accounts.md.
    proofOfWork: z.object({
      enabled: flag,
      // Register and reset requests from one network (/24, IPv6 /48) in an hour before each needs a proof of work; 0: always.
      afterRequestsPerNetwork: int(0),
      // Registrations from everywhere in an hour before each needs one; 0: always.
      afterRegistrationsPerHour: int(0),
      // The work: the solver tries up to this many hashes (about half on average); 1000 is a few ms, 100000 about a second.
      maxCounter: int(10, 4_294_967_295),
      challengeSeconds: int(10, 3600),
    }),
    // 0 turns a limit off (benchmarks; an operator who limits elsewhere).
    limits: z.object({
      callsPerAccountPerDay: int(0),
      pendingCallsPerAccount: int(0),
      callsPerNumberPerDay: int(0),
      // Of those, one account's, until a call of that account to the number has been answered.
      callsPerNumberPerAccountPerDay: int(0),
      loginsPerAddressPer15Min: int(0),
      loginFailuresPerAccountPer15Min: int(0),
      loginFailuresPerAccountAndAddressPer15Min: int(0),
      registrationsPerAddressPerHour: int(0),
      // The same counted per network (IPv4 /24, IPv6 /48), and registrations from everywhere together.
      registrationsPerNetworkPerHour: int(0),
      registrationsPerHour: int(0),
      mailsPerRecipientPerHour: int(0),
    }),
  })
  .superRefine((config, ctx) => {
    if ((BASIC_VOICES as readonly string[]).includes(config.telnyx.voice) && config.telnyx.language !== 'en-US') {
      ctx.addIssue({ code: 'custom', path: ['telnyx', 'language'], message: `must be en-US with the basic voice ${config.telnyx.voice}` });
    }
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
