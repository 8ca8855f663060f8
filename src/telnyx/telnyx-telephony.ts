import Telnyx, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'telnyx';
import { serviceLevelFor, type AmdMode, type SpeechLanguage } from './speech-options.ts';
import { TelephonyError, type CarrierCall, type CarrierRefusal, type Telephony } from '../calls/carrier.ts';

export type TelnyxTelephonyOptions = {
  apiKey: string;
  /** Read at first use: the in-process simulator only knows its address once it listens. */
  baseUrl: () => string | undefined;
  connectionId: string;
  fromNumber: string;
  /** Where Telnyx sends this call's webhooks; undefined leaves the connection's own webhook URL in force. */
  webhookUrl: () => string | undefined;
  voice: string;
  language: SpeechLanguage;
  /** Answering-machine detection asked for on every dial (`disabled` for none). */
  answeringMachineDetection: AmdMode;
  ringTimeoutSecs: number;
  /** Telnyx ends the call this long after the answer (`time_limit_secs`), whatever we do or fail to do. */
  timeLimitSecs: number;
  /** Telnyx's opt-in webhook retries (`webhook_retries_policies`): delays between attempts; empty sends none. */
  webhookRetriesMs: readonly number[];
  requestTimeoutMs: number;
};

type TelnyxErrorBody = { errors?: { code?: string; title?: string; detail?: string }[] };

/** Telnyx's own words for a failed command: the first error's title and detail. */
function describe(body: unknown, status: number): { message: string; code: string | undefined } {
  const first = (body as TelnyxErrorBody | undefined)?.errors?.[0];
  const words = [first?.title, first?.detail].filter(Boolean).join(': ');
  return { message: words || `Telnyx answered ${status}`, code: first?.code };
}

/** Seconds in a `Retry-After` (delta seconds or an HTTP date) or an `x-ratelimit-reset` (seconds until reset). */
function secondsIn(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds > 0 ? seconds : undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) && at > now ? (at - now) / 1000 : undefined;
}

/**
 * How long Telnyx asks us to wait: its `Retry-After`, or, once `x-ratelimit-remaining` says the window is spent,
 * the `x-ratelimit-reset` seconds until it refills (Telnyx's rate-limiting docs); the longer of the two.
 */
export function retryDelayMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const retryAfter = secondsIn(headers.get('retry-after'), now);
  const spent = headers.get('x-ratelimit-remaining') === '0';
  const reset = spent ? secondsIn(headers.get('x-ratelimit-reset'), now) : undefined;
  const seconds = Math.max(retryAfter ?? 0, reset ?? 0);
  return seconds > 0 ? Math.ceil(seconds * 1000) : undefined;
}

/** Socket errors raised before a request left this machine: the carrier cannot have acted on it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function socketCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * What a refusal says about the call, when Telnyx's words tell. 90034 ("Call not answered yet") and 90018 ("Call has
 * already ended") appear in Telnyx's Call Control examples only; no source confirms when they are sent, so callers
 * confirm them with the call's status before acting on them. The channel limit is documented only as SIP 403 "User
 * channel limit exceeded" on the leg; a dial refused with those words (403, or 429) is read as the same limit.
 */
function refusalOf(status: number, code: string | undefined, message: string): CarrierRefusal | undefined {
  if (code === '90034') return 'not_answered_yet';
  if (code === '90018') return 'call_ended';
  if ((status === 403 || status === 429) && /channel limit/i.test(message)) return 'channel_limit';
  return undefined;
}

/**
 * Maps the SDK's errors onto the port. Retryable: 429, 408, 5xx, timeouts and connection failures (a repeat under
 * the same command_id is safe). Refused (`permanent`): any other 4xx, which would fail the same way again.
 * `outcomeUnknown` marks the failures after which the carrier may have acted all the same: a timeout, a dropped
 * connection, a 408 or 5xx (the request reached Telnyx or a proxy in front of it). A 429 and a refused connection
 * are known not to have acted.
 */
export function toTelephonyError(err: unknown): TelephonyError {
  if (err instanceof TelephonyError) return err;
  if (err instanceof APIConnectionTimeoutError) {
    return new TelephonyError('Telnyx did not answer in time', 'retryable', { cause: err, outcomeUnknown: true });
  }
  if (err instanceof APIConnectionError) {
    const code = socketCode(err.cause);
    const notSent = code !== undefined && NOT_SENT.has(code);
    return new TelephonyError('Telnyx could not be reached', 'retryable', { cause: err, outcomeUnknown: !notSent });
  }
  if (err instanceof APIError) {
    const { status, headers, error } = err as { status: unknown; headers: Headers | undefined; error: unknown };
    if (typeof status !== 'number') return new TelephonyError('Telnyx could not be reached', 'retryable', { cause: err, outcomeUnknown: true });
    const { message, code } = describe(error, status);
    const refusal = refusalOf(status, code, message);
    // A channel-limit refusal is not retried within the dial's budget: the call goes back to the queue instead.
    const retryable = refusal !== 'channel_limit' && (status === 429 || status === 408 || status >= 500);
    return new TelephonyError(message, retryable ? 'retryable' : 'permanent', {
      status,
      code,
      cause: err,
      retryAfterMs: retryDelayMs(headers),
      outcomeUnknown: status === 408 || status >= 500,
      refusal,
    });
  }
  return new TelephonyError(err instanceof Error ? err.message : String(err), 'retryable', { cause: err, outcomeUnknown: true });
}

/** Our call id back from a `client_state` we set (base64 of the id); undefined for anything else. */
export function callIdFromClientState(clientState: string | null | undefined): string | undefined {
  if (!clientState) return undefined;
  const text = Buffer.from(clientState, 'base64').toString('utf8');
  return text.length > 0 && Buffer.from(text, 'utf8').toString('base64') === clientState ? text : undefined;
}

/** The events whose loss would leave a call silent or a channel held: each gets Telnyx's opt-in retries. */
const RETRIED_EVENTS = [
  'call.initiated',
  'call.answered',
  'call.hangup',
  'call.speak.ended',
  'call.gather.ended',
  'call.machine.detection.ended',
  'call.machine.greeting.ended',
  'call.machine.premium.detection.ended',
  'call.machine.premium.greeting.ended',
];

function retryPolicies(retriesMs: readonly number[]): Record<string, { retries_ms: number[] }> {
  return Object.fromEntries(RETRIED_EVENTS.map((event) => [event, { retries_ms: [...retriesMs] }]));
}

/** The most active calls one page may hold (the spec's `page[limit]` maximum). */
export const ACTIVE_CALLS_PAGE_LIMIT = 250;

/** At most this many pages of active calls are read in one listing (10,000 calls): a hard cap on requests per round. */
export const MAX_ACTIVE_PAGES = 40;

type ActiveCallsPage = {
  data?: { call_control_id?: string; client_state?: string; call_duration?: number }[];
  meta?: { cursors?: { after?: string | null; before?: string | null } };
};

/**
 * The telephony port on the official `telnyx` SDK. The SDK's own retries are off (`maxRetries: 0`): retrying is
 * ours (see dialing/dial-retries.ts), with one budget tied to Telnyx's 60 s command_id window, instead of two
 * layers multiplying each other.
 */
export function createTelnyxTelephony(options: TelnyxTelephonyOptions): Telephony {
  let client: Telnyx | undefined;
  const sdk = () =>
    (client ??= new Telnyx({ apiKey: options.apiKey, baseURL: options.baseUrl(), maxRetries: 0, timeout: options.requestTimeoutMs }));
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw toTelephonyError(err);
    }
  };
  return {
    async dial(request) {
      const webhookUrl = options.webhookUrl();
      const response = await call(() =>
        sdk().calls.dial({
          connection_id: options.connectionId,
          from: options.fromNumber,
          to: request.to,
          client_state: Buffer.from(request.callId, 'utf8').toString('base64'),
          command_id: request.commandId,
          timeout_secs: options.ringTimeoutSecs,
          time_limit_secs: options.timeLimitSecs,
          ...(options.webhookRetriesMs.length > 0 ? { webhook_retries_policies: retryPolicies(options.webhookRetriesMs) } : {}),
          answering_machine_detection: options.answeringMachineDetection,
          ...(webhookUrl ? { webhook_url: webhookUrl } : {}),
        }),
      );
      const data = response.data;
      // Accepted, yet no call id: the call may well be ringing. Only the carrier's own record can tell.
      if (!data?.call_control_id) {
        throw new TelephonyError('Telnyx accepted the dial but returned no call id', 'permanent', { status: 200, outcomeUnknown: true });
      }
      return { callControlId: data.call_control_id, callLegId: data.call_leg_id, callSessionId: data.call_session_id };
    },
    async speak(callControlId, text, commandId) {
      await call(() =>
        sdk().calls.actions.speak(callControlId, {
          payload: text,
          voice: options.voice,
          language: options.language,
          service_level: serviceLevelFor(options.voice),
          command_id: commandId,
        }),
      );
    },
    async gather(callControlId, menu, commandId) {
      await call(() =>
        sdk().calls.actions.gatherUsingSpeak(callControlId, {
          payload: menu.text,
          voice: options.voice,
          language: options.language,
          service_level: serviceLevelFor(options.voice),
          valid_digits: menu.validDigits,
          minimum_digits: 1,
          maximum_digits: 1,
          timeout_millis: menu.timeoutMs,
          // Telnyx replays the prompt (joke included) up to 3 times by default when nothing is pressed.
          maximum_tries: 1,
          command_id: commandId,
        }),
      );
    },
    async hangup(callControlId, commandId) {
      await call(() => sdk().calls.actions.hangup(callControlId, { command_id: commandId }));
    },
    async callStatus(callControlId) {
      try {
        const { data } = await sdk().calls.retrieveStatus(callControlId);
        if (!data) return undefined;
        return {
          callControlId: data.call_control_id,
          alive: data.is_alive,
          ended: !data.is_alive && typeof data.end_time === 'string',
          callId: callIdFromClientState(data.client_state),
          durationSecs: data.call_duration,
        };
      } catch (err) {
        // Telnyx forgets a call some time after it ended: no record is as good as "not alive".
        // Telnyx forgets a call some time after it ended; which status says so is not documented: 404 and 422 both
        // mean "no record" here (a malformed id never reaches this: ids come from Telnyx itself).
        if (err instanceof APIError && (err.status === 404 || err.status === 422)) return undefined;
        throw toTelephonyError(err);
      }
    },
    async activeCalls() {
      // The endpoint is cursor paginated (Telnyx's spec: page[limit], page[after]; meta.cursors.after), while the
      // SDK's listActiveCalls pages by number, which the endpoint ignores: its "next page" is the first page again,
      // for ever. So the cursor is followed by hand, up to a hard cap of requests.
      const path = `/connections/${encodeURIComponent(options.connectionId)}/active_calls`;
      const found = new Map<string, CarrierCall>();
      const cursorsSeen = new Set<string>();
      let after: string | undefined;
      for (let n = 0; n < MAX_ACTIVE_PAGES; n++) {
        const query: Record<string, string | number> = { 'page[limit]': ACTIVE_CALLS_PAGE_LIMIT };
        if (after !== undefined) query['page[after]'] = after;
        const page = await call(() => sdk().get<ActiveCallsPage>(path, { query }));
        const data = page.data ?? [];
        for (const c of data) {
          if (typeof c.call_control_id !== 'string') continue;
          found.set(c.call_control_id, {
            callControlId: c.call_control_id,
            alive: true,
            ended: false,
            callId: callIdFromClientState(c.client_state),
            durationSecs: c.call_duration,
          });
        }
        const next = page.meta?.cursors?.after ?? undefined;
        if (data.length === 0 || !next) return [...found.values()];
        // A cursor given twice would loop: what was read is all there is to read.
        if (cursorsSeen.has(next)) return [...found.values()];
        cursorsSeen.add(next);
        after = next;
      }
      // Absent from a partial list proves nothing: the round is given up rather than failing live calls.
      throw new TelephonyError(`the active calls did not fit in ${MAX_ACTIVE_PAGES} pages of ${ACTIVE_CALLS_PAGE_LIMIT}`, 'retryable');
    },
  };
}
