import { ConfigError, loadConfig } from './config/load-config.ts';
import { buildDeps } from './compose/index.ts';
import { ROOT_DIR } from './kernel/paths.ts';
import { join } from 'node:path';
import { Service } from './service.ts';
import { doctorLine } from './telnyx/telnyx-doctor.ts';

// The only module that reads the process: environment, terminal, signals, exit codes.
let config;
try {
  config = loadConfig({ env: process.env, configDir: join(ROOT_DIR, 'config') });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`config error: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

let service: Service;
try {
  service = new Service(buildDeps(config, { isTty: process.stdout.isTTY }));
  const started = await service.start();
  // Plain lines a developer reads at a glance (the log has them too): the tunnel's address and the set-up checks.
  if (started.tunnelUrl) process.stdout.write(`Telnyx webhooks arrive at ${started.tunnelUrl}/webhook (ngrok tunnel)\n`);
  for (const check of started.doctor ?? []) process.stdout.write(`${doctorLine(check)}\n`);
} catch (err) {
  process.stderr.write(`cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(1);
  service.deps.logger.info({ signal }, 'shutting down');
  service.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      service.deps.logger.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
