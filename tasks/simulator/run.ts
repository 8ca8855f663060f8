/**
 * Runs the carrier simulator on its own: `node tasks/simulator/run.ts`.
 *
 * Environment: `SIM_PORT` (or `PORT`, default 3010), `SIM_HOST` (loopback, default 127.0.0.1), `WEBHOOK_URL`
 * (where webhooks go when a dial names none), `SIM_SIGNING_SEED` (base64 32-byte ed25519 seed for a stable
 * public key), and any knob as `SIM_` + its name in upper snake case, e.g. `SIM_ANSWER_DELAY_MS=300`,
 * `SIM_DUPLICATE_WEBHOOKS=true`, `SIM_CHANNEL_LIMIT_MODE=api-429`, lists comma-separated:
 * `SIM_DIAL_UNKNOWN_OUTCOME_MODES=timeout,drop`.
 */
import { CarrierSimulator } from 'telnyx-simulator';
import { knobsFromEnv } from './knobs-from-env.ts';

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
