/**
 * The chaos run's carrier: the simulator in its own process, plus a stats port the runner reads at the end.
 * Every dial request that reaches it is recorded (time, our call id from client_state, whether it placed a leg or
 * repeated an accepted command_id), with the live calls at that moment. Env: as `tasks/simulator/run.ts`, plus
 * `CHAOS_STATS_PORT`.
 */
import { createServer } from 'node:http';
import { CarrierSimulator } from 'telnyx-simulator';
import { knobsFromEnv } from '../simulator/knobs-from-env.ts';
import type { DialSeen } from './checks.ts';

const env = process.env;
const simulator = new CarrierSimulator({
  ...knobsFromEnv(env),
  ...(env.WEBHOOK_URL ? { webhookUrl: env.WEBHOOK_URL } : {}),
  ...(env.SIM_SIGNING_SEED ? { signingSeedBase64: env.SIM_SIGNING_SEED } : {}),
});
const dials: DialSeen[] = [];
simulator.on('command', (record: { kind: string; at: number; body: Record<string, unknown>; callControlId?: string; deduplicated: boolean; status: number }) => {
  if (record.kind !== 'dial') return;
  const state = typeof record.body.client_state === 'string' ? Buffer.from(record.body.client_state, 'base64').toString('utf8') : '';
  dials.push({
    at: record.at,
    callId: state,
    placed: record.callControlId !== undefined && !record.deduplicated && record.status < 300,
    live: simulator.stats.liveCalls,
  });
});
const { baseUrl } = await simulator.start({ host: '127.0.0.1', port: Number(env.SIM_PORT ?? 0) });
const stats = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ dials, maxLiveCalls: simulator.stats.maxLiveCalls, liveCalls: simulator.stats.liveCalls, callsPlaced: simulator.stats.callsPlaced }));
});
await new Promise<void>((resolve) => stats.listen(Number(env.CHAOS_STATS_PORT ?? 0), '127.0.0.1', resolve));
const statsAddress = stats.address();
const statsUrl = `http://127.0.0.1:${typeof statsAddress === 'object' && statsAddress ? statsAddress.port : 0}`;
process.stdout.write(`${JSON.stringify({ baseUrl, publicKey: simulator.publicKeyBase64, statsUrl })}\n`);
process.once('SIGTERM', () => {
  stats.close();
  void simulator.stop().then(() => process.exit(0));
});
