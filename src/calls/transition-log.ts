import type { Logger } from '../kernel/logger.ts';
import { isFinal, type Call, type CallStatus } from './call.ts';
import type { CallPatch } from './call-store.ts';

/** `…0123`: the number's last four digits only; the rest is nobody's business in a log file. */
export function maskNumber(e164: string): string {
  return `…${e164.slice(-4)}`;
}

const WHO: Record<string, string> = { human: 'a person', machine: 'a machine', unknown: 'someone (not told who)' };

/** One sentence for a call's move to `to`, or undefined for the moves not worth an info line (scheduling, ringing). */
export function transitionLine(call: Pick<Call, 'status' | 'answeredBy' | 'reason'>, to: CallStatus): string | undefined {
  if (to === 'dialing') return 'dialing';
  if (to === 'in_progress') return call.answeredBy ? `answered by ${WHO[call.answeredBy] ?? call.answeredBy}` : 'answered';
  if (isFinal(to)) {
    const who = to === 'completed' && call.answeredBy ? `, answered by ${WHO[call.answeredBy] ?? call.answeredBy}` : '';
    return `call ended: ${to.replace('_', ' ')}${who}${call.reason ? ` (${call.reason})` : ''}`;
  }
  return undefined;
}

type Logged = {
  transition(id: string, from: readonly CallStatus[], to: CallStatus, at: number, patch?: CallPatch): Promise<Call | undefined>;
  update(id: string, patch: CallPatch, at: number): Promise<void>;
  getCall(id: string): Promise<Call | undefined>;
  claimDue?: (...args: never[]) => Promise<{ claimed: Call[] }>;
};

/**
 * The store, writing one `info` line per call transition a reader of the log cares about — dialing, answered (and
 * by whom, once detection says), ended how — each naming the call's id and only the last four digits of its number.
 * The other moves and the webhooks stay at `debug` where their modules log them. Like `withChangeSignal`, it wraps
 * the methods that change a call, so every path (claims, webhooks, the reconciler, recovery) is covered.
 */
export function withTransitionLog<S extends Logged>(store: S, logger: Logger): S {
  const wrapped: S = { ...store };
  const log = (call: Call, line: string) => logger.info({ callId: call.id, to: maskNumber(call.to), status: call.status }, line);
  wrapped.transition = async (id, from, to, at, patch) => {
    const moved = await store.transition(id, from, to, at, patch);
    const line = moved ? transitionLine(moved, to) : undefined;
    if (moved && line) log(moved, line);
    return moved;
  };
  wrapped.update = async (id, patch, at) => {
    await store.update(id, patch, at);
    // Detection reports after the answer: who answered gets a line of its own.
    // The update has happened: a failure to read the call back for the log line must not look like its failure.
    if (patch.answeredBy && patch.answeredBy !== 'unknown') {
      const call = await store.getCall(id).catch((err: unknown) => void logger.debug({ err, callId: id }, 'no log line: the call could not be read back'));
      if (call?.status === 'in_progress') log(call, `answered by ${WHO[patch.answeredBy] ?? patch.answeredBy}`);
    }
  };
  const claim = store.claimDue;
  if (claim) {
    wrapped.claimDue = async (...args: never[]) => {
      const result = await claim.apply(store, args);
      for (const call of result.claimed) log(call, 'dialing');
      return result;
    };
  }
  return wrapped;
}
