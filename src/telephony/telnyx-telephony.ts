import Telnyx, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'telnyx';
import { TelephonyError, type Telephony } from './telephony.ts';

export type TelnyxTelephonyOptions = {
  apiKey: string;
  /** Read at first use: the in-process simulator only knows its address once it listens. */
  baseUrl: () => string | undefined;
  connectionId: string;
  fromNumber: string;
  /** Where Telnyx sends this call's webhooks; undefined leaves the connection's own webhook URL in force. */
  webhookUrl: () => string | undefined;
  voice: string;
  language: string;
  ringTimeoutSecs: number;
  requestTimeoutMs: number;
};

type TelnyxErrorBody = { errors?: { code?: string; title?: string; detail?: string }[] };

/** Telnyx's own words for a failed command: the first error's title and detail. */
function describe(body: unknown, status: number): { message: string; code: string | undefined } {
  const first = (body as TelnyxErrorBody | undefined)?.errors?.[0];
  const words = [first?.title, first?.detail].filter(Boolean).join(': ');
  return { message: words || `Telnyx answered ${status}`, code: first?.code };
}

/**
 * Maps the SDK's errors onto the port: 429, 5xx, timeouts and connection failures are worth retrying; any other
 * 4xx (invalid number, call already ended) would fail the same way again.
 */
export function toTelephonyError(err: unknown): TelephonyError {
  if (err instanceof TelephonyError) return err;
  if (err instanceof APIConnectionTimeoutError) return new TelephonyError('Telnyx did not answer in time', 'retryable', { cause: err });
  if (err instanceof APIConnectionError) return new TelephonyError('Telnyx could not be reached', 'retryable', { cause: err });
  if (err instanceof APIError) {
    const { status, headers, error } = err as { status: unknown; headers: Headers | undefined; error: unknown };
    if (typeof status !== 'number') return new TelephonyError('Telnyx could not be reached', 'retryable', { cause: err });
    const { message, code } = describe(error, status);
    const retryable = status === 429 || status >= 500;
    const retryAfter = Number(headers?.get('retry-after'));
    return new TelephonyError(message, retryable ? 'retryable' : 'permanent', {
      status,
      code,
      cause: err,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    });
  }
  return new TelephonyError(err instanceof Error ? err.message : String(err), 'retryable', { cause: err });
}

/**
 * The telephony port on the official `telnyx` SDK. The SDK's own retries are off (`maxRetries: 0`): retrying is
 * ours (see retrying-telephony.ts), with one budget tied to Telnyx's 60 s command_id window, instead of two
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
          ...(webhookUrl ? { webhook_url: webhookUrl } : {}),
        }),
      );
      const data = response.data;
      if (!data?.call_control_id) throw new TelephonyError('Telnyx accepted the dial but returned no call id', 'permanent');
      return { callControlId: data.call_control_id, callLegId: data.call_leg_id, callSessionId: data.call_session_id };
    },
    async speak(callControlId, text, commandId) {
      await call(() =>
        sdk().calls.actions.speak(callControlId, { payload: text, voice: options.voice, language: options.language as never, command_id: commandId }),
      );
    },
    async hangup(callControlId, commandId) {
      await call(() => sdk().calls.actions.hangup(callControlId, { command_id: commandId }));
    },
  };
}
