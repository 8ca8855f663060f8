/**
 * Runs the carrier simulator on its own: `node tasks/simulator/run.ts`.
 *
 * Environment: `SIM_PORT` (or `PORT`, default 3010), `SIM_HOST` (loopback, default 127.0.0.1), `WEBHOOK_URL`
 * (where webhooks go when a dial names none), `SIM_SIGNING_SEED` (base64 32-byte ed25519 seed for a stable
 * public key), and any knob as `SIM_` + its name in upper snake case, e.g. `SIM_ANSWER_DELAY_MS=300`,
 * `SIM_DUPLICATE_WEBHOOKS=true`, `SIM_CHANNEL_LIMIT_MODE=api-429`, lists comma-separated:
 * `SIM_DIAL_UNKNOWN_OUTCOME_MODES=timeout,drop`.
 */
import { CarrierSimulator } from '../../src/simulator/carrier-simulator.ts';
import { DEFAULT_KNOBS, DIAL_UNKNOWN_OUTCOME_MODES, REPEATED_DIAL_ANSWERS } from '../../src/simulator/simulator-options.ts';
import type { SimulatorKnobs } from '../../src/simulator/simulator-options.ts';

function envName(knob: string): string {
  return `SIM_${knob.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

/** Knobs whose default is undefined, by the type they take when set. */
const NUMERIC_OPTIONAL: readonly string[] = ['ringTimeoutCapMs'];

/** Allowed values of the knobs that take one of a few words (or a list of them). */
const CHOICES: Readonly<Record<string, readonly string[]>> = {
  channelLimitMode: ['api-429', 'sip-403'],
  repeatedDialCommandId: REPEATED_DIAL_ANSWERS,
  dialUnknownOutcomeModes: DIAL_UNKNOWN_OUTCOME_MODES,
};

function parseNumber(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

function checkChoice(knob: string, name: string, value: string): string {
  const allowed = CHOICES[knob];
  if (allowed && !allowed.includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got ${value}`);
  return value;
}

/**
 * Reads knobs from `SIM_*` variables, typed after their defaults (lists as comma-separated values); a bad value
 * stops start-up naming the variable.
 */
function knobsFromEnv(env: NodeJS.ProcessEnv): Partial<SimulatorKnobs> {
  const knobs: Record<string, unknown> = {};
  for (const [knob, fallback] of Object.entries(DEFAULT_KNOBS)) {
    const name = envName(knob);
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (typeof fallback === 'number' || NUMERIC_OPTIONAL.includes(knob)) {
      knobs[knob] = parseNumber(name, raw);
    } else if (typeof fallback === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be true or false, got ${raw}`);
      knobs[knob] = raw === 'true';
    } else if (Array.isArray(fallback)) {
      knobs[knob] = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map((item) => checkChoice(knob, name, item));
    } else {
      knobs[knob] = checkChoice(knob, name, raw);
    }
  }
  return knobs;
}

const env = process.env;
const port = Number(env.SIM_PORT ?? env.PORT ?? 3010);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SIM_PORT/PORT must be a port number, got ${env.SIM_PORT ?? env.PORT}`);

const simulator = new CarrierSimulator({
  ...knobsFromEnv(env),
  ...(env.WEBHOOK_URL ? { webhookUrl: env.WEBHOOK_URL } : {}),
  ...(env.SIM_SIGNING_SEED ? { signingSeedBase64: env.SIM_SIGNING_SEED } : {}),
});
const { baseUrl } = await simulator.start({ host: env.SIM_HOST ?? '127.0.0.1', port });
process.stdout.write(
  `Telnyx carrier simulator listening.\nTELNYX_BASE_URL=${baseUrl}\nTELNYX_PUBLIC_KEY=${simulator.publicKeyBase64}\n` +
    `Default webhook URL: ${simulator.knobs.webhookUrl ?? '(none: dials must send webhook_url)'}\n`,
);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: stopping carrier simulator\n`);
  simulator.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`carrier simulator failed to stop: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));
