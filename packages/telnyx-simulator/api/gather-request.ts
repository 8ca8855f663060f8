import { GATHER_DEFAULTS } from '../call/gather-session.ts';
import type { GatherRequest } from '../call/gather-session.ts';
import { stringField } from './simulator-http.ts';
import { telnyxErrors } from './telnyx-errors.ts';

/** Telnyx's limit on text to speak, for speak and gather prompts alike. */
export const MAX_PAYLOAD_CHARS = 3000;

/** Validates a speak-like `payload`: present and at most 3,000 characters. */
export function payloadOf(body: Record<string, unknown>, name = 'payload'): string {
  const payload = stringField(body, name);
  if (payload === undefined) throw telnyxErrors.missingParameter(name);
  if (payload.length > MAX_PAYLOAD_CHARS) throw telnyxErrors.invalidParameter(name, `The '${name}' parameter is limited to ${MAX_PAYLOAD_CHARS} characters.`);
  return payload;
}

function integer(body: Record<string, unknown>, name: string, min: number, max: number, fallback: number): number {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw telnyxErrors.invalidParameter(name, `The '${name}' parameter must be an integer from ${min} to ${max}.`);
  }
  return value;
}

/** Reads a `gather_using_speak` body into a request with Telnyx's defaults, refusing what Telnyx refuses. */
export function gatherRequestOf(body: Record<string, unknown>): GatherRequest {
  const payload = payloadOf(body);
  if (stringField(body, 'voice') === undefined) throw telnyxErrors.missingParameter('voice');
  const minimumDigits = integer(body, 'minimum_digits', 1, 128, GATHER_DEFAULTS.minimumDigits);
  const maximumDigits = integer(body, 'maximum_digits', 1, 128, GATHER_DEFAULTS.maximumDigits);
  if (maximumDigits < minimumDigits) throw telnyxErrors.invalidParameter('maximum_digits', "'maximum_digits' must not be below 'minimum_digits'.");
  const terminating = body.terminating_digit;
  return {
    payload,
    invalidPayload: stringField(body, 'invalid_payload'),
    validDigits: stringField(body, 'valid_digits') ?? GATHER_DEFAULTS.validDigits,
    minimumDigits,
    maximumDigits,
    maximumTries: integer(body, 'maximum_tries', 1, 10, GATHER_DEFAULTS.maximumTries),
    timeoutMs: integer(body, 'timeout_millis', 1, 600_000, GATHER_DEFAULTS.timeoutMs),
    interDigitTimeoutMs: integer(body, 'inter_digit_timeout_millis', 1, 600_000, GATHER_DEFAULTS.interDigitTimeoutMs),
    terminatingDigit: typeof terminating === 'string' ? terminating : GATHER_DEFAULTS.terminatingDigit,
  };
}
