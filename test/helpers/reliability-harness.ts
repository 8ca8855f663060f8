import type { ExecutionContext } from 'ava';
import type { SimulatorOptions } from 'telnyx-simulator';
import { bootWithSimulator } from './call-flow-harness.ts';

/**
 * The call-flow harness with fast but legal timings for reliability tests: a 5 s ring timeout that the simulator
 * caps, quick AMD and menus, and the reconciler every 100 ms on the real clock. The request timeout stays roomy
 * (2 s) so a loaded machine does not turn ordinary answers into unknown outcomes; tests of the simulator's
 * `timeout` mode (which holds its answer until we give up) shorten it.
 */
export function bootReliable(t: ExecutionContext, options: { simulator?: SimulatorOptions; config?: Record<string, unknown>; dir?: string } = {}) {
  const { config = {}, simulator = {} } = options;
  const telnyx = (config.telnyx ?? {}) as Record<string, unknown>;
  const reconcile = (config.reconcile ?? {}) as Record<string, unknown>;
  return bootWithSimulator(t, {
    dir: options.dir,
    simulator: { ringTimeoutCapMs: 300, amdDelayMs: 5, machineGreetingMs: 20, digitDelayMs: 5, webhookAttempts: 1, ...simulator },
    config: {
      ...config,
      telnyx: { ringTimeoutSecs: 5, requestTimeoutMs: 2000, ...telnyx },
      reconcile: { intervalMs: 100, unknownGraceSeconds: 1, silentAfterSeconds: 1, hangupGraceSeconds: 5, ...reconcile },
    },
  });
}

/** Our `client_state` for a call id, as the dial sends it. */
export const clientStateOf = (callId: string) => Buffer.from(callId, 'utf8').toString('base64');
