import { DateTime } from 'luxon';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ValidationError, type FieldError } from '../../kernel/errors.ts';
import { checkDestination, type DestinationRules } from './destination-policy.ts';
import { canonicalZone } from './time-zones.ts';
import { parseRetry, type RetryPolicy } from '../retry-policy.ts';
import { CallRequestSchema } from './call-request-schema.ts';
import { fieldErrors } from './zod-field-errors.ts';

/** What a scheduling request means once validated: the same for the page and the API. */
export type ScheduleRequest = { to: string; dueAt: number; timeZone: string; message: string | null; retry?: RetryPolicy | null };

export type SchedulingRules = {
  defaultCountry: string | null;
  graceSeconds: number;
  horizonDays: number;
  messageMaxLength: number;
} & DestinationRules;

const PHONE_CHARS = /^\+?[\d\s().-]+$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2})?$/;
// Text read aloud and shown on a page has no use for control characters (C0 other than tab and line breaks, DEL,
// C1), bidirectional embeddings, overrides and isolates (they make a page show text in another order than it is
// stored: "Trojan Source"), line and paragraph separators (U+2028/2029 end a line in JavaScript and in logs), or
// lone surrogates (not text at all).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const SEPARATOR = /[\u2028\u2029]/u;
const LONE_SURROGATE = /\p{Cs}/u;

function field(input: Record<string, unknown>, key: string, errors: FieldError[]): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors.push({ path: key, message: 'must be a string' });
    return undefined;
  }
  return value;
}

/** Parses a phone number into E.164, or says why it cannot (or may not) be called. */
export function parseDestination(raw: string | undefined, defaultCountry: string | null, rules: DestinationRules, errors: FieldError[]): string | undefined {
  const text = raw?.trim() ?? '';
  if (text === '') {
    errors.push({ path: 'to', message: 'is required' });
    return undefined;
  }
  if (!PHONE_CHARS.test(text)) {
    errors.push({ path: 'to', message: 'may contain only digits, spaces, + ( ) . and -' });
    return undefined;
  }
  if (!text.startsWith('+') && !defaultCountry) {
    errors.push({ path: 'to', message: 'must be in international format, starting with + and the country code' });
    return undefined;
  }
  const phone = parsePhoneNumberFromString(text, (defaultCountry ?? undefined) as Parameters<typeof parsePhoneNumberFromString>[1]);
  // With the full metadata, isValid() is getType() !== undefined (libphonenumber-js's isValid.js): the type, which
  // the destination check needs anyway, is matched once instead of twice; isValid() only for a number of no type.
  const type = phone?.getType();
  if (!phone || (type === undefined && !phone.isValid())) {
    errors.push({ path: 'to', message: 'is not a valid phone number' });
    return undefined;
  }
  return checkDestination(phone, type, rules, errors) ? phone.number : undefined;
}

function destination(input: Record<string, unknown>, rules: SchedulingRules, errors: FieldError[]): string | undefined {
  const before = errors.length;
  const raw = field(input, 'to', errors);
  return errors.length > before ? undefined : parseDestination(raw, rules.defaultCountry, rules, errors);
}

// A fixed set of known zones decides (see time-zones.ts): a made-up name is never cached, by us or by luxon.
function checkZone(zone: string | undefined, path: string, errors: FieldError[]): string | undefined {
  if (zone === undefined || zone.trim() === '') return undefined;
  const canonical = canonicalZone(zone.trim());
  if (canonical === undefined) {
    errors.push({ path, message: 'is not a known IANA time zone such as Europe/Dublin' });
    return undefined;
  }
  return canonical;
}

function checkWindow(dueAt: number, now: number, rules: SchedulingRules, path: string, errors: FieldError[]): void {
  if (dueAt < now - rules.graceSeconds * 1000) errors.push({ path, message: 'is in the past' });
  else if (dueAt > now + rules.horizonDays * 86_400_000) errors.push({ path, message: `is more than ${rules.horizonDays} days ahead` });
}

/** The message's checks (length, plain text), shared with schedules; null for none. */
export function checkMessage(raw: string | undefined, rules: SchedulingRules, errors: FieldError[]): string | null {
  const text = raw?.trim() ?? '';
  if (text === '') return null;
  if ([...text].length > rules.messageMaxLength) {
    errors.push({ path: 'message', message: `must be at most ${rules.messageMaxLength} characters` });
  } else if (CONTROL.test(text)) {
    errors.push({ path: 'message', message: 'must be plain text: control characters are not allowed' });
  } else if (BIDI.test(text)) {
    errors.push({ path: 'message', message: 'must be plain text: bidirectional override and isolate characters are not allowed' });
  } else if (SEPARATOR.test(text)) {
    errors.push({ path: 'message', message: 'must be plain text: line and paragraph separators (U+2028, U+2029) are not allowed; use a new line' });
  } else if (LONE_SURROGATE.test(text)) {
    errors.push({ path: 'message', message: 'must be plain text: it contains an unpaired surrogate' });
  }
  return text;
}

function asObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError([{ path: '', message: 'must be a JSON object' }]);
  }
  return input as Record<string, unknown>;
}

/**
 * The API's form: `at` is an RFC 3339 instant with an offset; `timezone` (optional, IANA) is only how the call is
 * shown back, defaulting to UTC. Every bad field is reported at once.
 */
export function parseApiSchedule(body: unknown, now: number, rules: SchedulingRules): ScheduleRequest {
  const input = asObject(body);
  // The shape first (zod: the schema /openapi.json documents), then what a shape cannot say, field by field.
  const shape = CallRequestSchema.safeParse(input);
  const errors: FieldError[] = shape.success ? [] : fieldErrors(shape.error.issues);
  const clean = (key: string) => !errors.some((e) => e.path === key);
  const to = clean('to') ? parseDestination(input.to as string, rules.defaultCountry, rules, errors) : undefined;
  const timeZone = clean('timezone') ? checkZone(input.timezone as string | undefined, 'timezone', errors) : undefined;
  let dueAt: number | undefined;
  if (clean('at')) {
    const atText = (input.at as string).trim();
    if (atText === '') errors.push({ path: 'at', message: 'is required' });
    else if (!RFC3339.test(atText)) {
      errors.push({ path: 'at', message: 'must be an RFC 3339 date-time with an offset, e.g. 2026-11-21T20:00:00+01:00' });
    } else {
      const parsed = DateTime.fromISO(atText, { setZone: true });
      if (!parsed.isValid) errors.push({ path: 'at', message: 'is not a real date and time' });
      else {
        dueAt = parsed.toMillis();
        checkWindow(dueAt, now, rules, 'at', errors);
      }
    }
  }
  const message = clean('message') ? checkMessage((input.message as string | null | undefined) ?? undefined, rules, errors) : null;
  // The shape check above already named any bad retry field; parse it only when it is clean.
  const retry = errors.some((e) => e.path === 'retry' || e.path.startsWith('retry.')) ? null : parseRetry(input.retry, errors);
  if (errors.length > 0 || to === undefined || dueAt === undefined) throw new ValidationError(errors);
  return { to, dueAt, timeZone: timeZone ?? 'UTC', message, retry };
}

/**
 * The page's form: a local date and time in the person's IANA zone, converted here. A wall-clock time that the
 * zone skips (clocks going forward) is refused; one that happens twice (clocks going back) means the first.
 */
export function parseFormSchedule(body: unknown, now: number, rules: SchedulingRules): ScheduleRequest {
  const input = asObject(body);
  const errors: FieldError[] = [];
  const to = destination(input, rules, errors);
  const zoneText = field(input, 'timezone', errors);
  const timeZone = checkZone(zoneText, 'timezone', errors);
  if (zoneText === undefined || zoneText.trim() === '') errors.push({ path: 'timezone', message: 'is required' });
  const date = field(input, 'date', errors)?.trim() ?? '';
  const time = field(input, 'time', errors)?.trim() ?? '';
  if (!DATE.test(date)) errors.push({ path: 'date', message: date ? 'must look like 2026-11-21' : 'is required' });
  if (!TIME.test(time)) errors.push({ path: 'time', message: time ? 'must look like 20:00' : 'is required' });
  let dueAt: number | undefined;
  if (timeZone && DATE.test(date) && TIME.test(time)) {
    const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
    const [h, mi, s = 0] = time.split(':').map(Number) as [number, number, number?];
    const local = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, { zone: timeZone });
    if (!local.isValid) {
      errors.push({ path: 'date', message: 'is not a real date' });
    } else if (local.hour !== h || local.minute !== mi) {
      errors.push({ path: 'time', message: `does not exist in ${timeZone} that day (the clocks go forward)` });
    } else {
      // luxon resolves an ambiguous local time to the later offset; prefer the first occurrence, as people expect.
      const earlier = local.minus({ hours: 1 });
      const first = earlier.hour === h && earlier.minute === mi && earlier.day === d ? earlier : local;
      dueAt = first.toMillis();
      // A day before today (in the call's zone) is the date's fault; a time earlier today is the time's.
      const today = DateTime.fromMillis(now, { zone: timeZone }).toISODate() ?? '';
      checkWindow(dueAt, now, rules, date < today || dueAt > now + rules.horizonDays * 86_400_000 ? 'date' : 'time', errors);
    }
  }
  const message = checkMessage(field(input, 'message', errors), rules, errors);
  if (errors.length > 0 || to === undefined || dueAt === undefined || timeZone === undefined) throw new ValidationError(errors);
  return { to, dueAt, timeZone, message };
}
