import { z } from 'zod';
import { RetryPolicySchema } from '../calls/retry-policy.ts';
import { canonicalZone } from '../calls/input/time-zones.ts';
import { checkCron } from './recurrence.ts';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const realDate = (value: string) => {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};
const localDate = z.string().regex(DATE, 'must look like 2026-11-21').refine(realDate, 'is not a real date');

/**
 * How a schedule repeats, always in its own zone. A simple rule — `{every: 'day' | 'weekday' | 'week', days?, at}`
 * (`days` only, and required, with `week`: three-letter day names) — or a 5-field cron expression `{cron}`
 * (minute hour day-of-month month day-of-week, as cron-parser reads it). Seconds and `@` shortcuts are refused:
 * a phone call is placed to the minute.
 */
export const RepeatSchema = z.union([
  z
    .object({
      every: z.enum(['day', 'weekday', 'week']),
      days: z.array(z.enum(WEEKDAYS)).min(1).max(7).optional(),
      at: z.string().regex(TIME, 'must be a 24-hour local time such as 07:00'),
    })
    .strict()
    .superRefine((rule, ctx) => {
      if (rule.every === 'week' && !rule.days) ctx.addIssue({ code: 'custom', path: ['days'], message: 'is required with every: week' });
      if (rule.every !== 'week' && rule.days) ctx.addIssue({ code: 'custom', path: ['days'], message: 'is only allowed with every: week' });
    }),
  z
    .object({
      cron: z
        .string()
        .max(100)
        .superRefine((text, ctx) => {
          const fields = text.trim().split(/\s+/);
          if (fields.length !== 5 || text.includes('@')) {
            ctx.addIssue({ code: 'custom', message: 'must have 5 fields: minute hour day-of-month month day-of-week' });
            return;
          }
          // `H` (cron-parser's hashed values) would pick minutes at random: a schedule must say when it rings.
          if (/h/i.test(text.replace(/\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)\b/gi, ''))) {
            ctx.addIssue({ code: 'custom', message: 'may not use H (hashed) values' });
            return;
          }
          try {
            checkCron(text.trim());
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: `is not a valid cron expression (${(err as Error).message})` });
          }
        }),
    })
    .strict(),
]).meta({ id: 'Repeat', description: 'How a schedule repeats, in its own zone: `{every, days?, at}` or `{cron}` (5 fields).' });
export type Repeat = z.infer<typeof RepeatSchema>;

const zone = z.string().max(64).transform((name, ctx) => {
  const canonical = canonicalZone(name.trim());
  if (!canonical) {
    ctx.addIssue({ code: 'custom', message: 'is not a known IANA time zone such as Europe/Dublin' });
    return z.NEVER;
  }
  return canonical;
});

/**
 * `POST /api/schedules`. `to` and `message` get the same checks as a single call's (done by the service, which
 * knows the destination rules); `startsOn`/`endsOn` are local dates in `timezone`, both inclusive.
 */
export const ScheduleRequestSchema = z
  .object({
    to: z.string().max(64),
    repeat: RepeatSchema,
    timezone: zone,
    message: z.string().max(10_000).nullable().optional(),
    startsOn: localDate.nullable().optional(),
    endsOn: localDate.nullable().optional(),
    retry: RetryPolicySchema.nullable().optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.startsOn && request.endsOn && request.endsOn < request.startsOn) {
      ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'must not be before startsOn' });
    }
  })
  .meta({ id: 'ScheduleRequest', description: 'A repeating call to create (or to preview).' });
export type ScheduleRequestBody = z.infer<typeof ScheduleRequestSchema>;

/** `PATCH /api/schedules/{id}`: pause or resume, and/or change any field of the request. */
export const SchedulePatchSchema = z
  .object({
    paused: z.boolean().optional(),
    to: z.string().max(64).optional(),
    repeat: RepeatSchema.optional(),
    timezone: zone.optional(),
    message: z.string().max(10_000).nullable().optional(),
    startsOn: localDate.nullable().optional(),
    endsOn: localDate.nullable().optional(),
    retry: RetryPolicySchema.nullable().optional(),
  })
  .strict()
  .meta({ id: 'SchedulePatch', description: 'Pause or resume (`paused`), and/or change fields; the whole is checked as a new request would be.' });
export type SchedulePatchBody = z.infer<typeof SchedulePatchSchema>;

const DAY_NUMBER: Record<(typeof WEEKDAYS)[number], number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** The rule as a 5-field cron expression (what the recurrence walks). */
export function cronOf(repeat: Repeat): string {
  if ('cron' in repeat) return repeat.cron.trim().split(/\s+/).join(' ');
  const [h, m] = repeat.at.split(':').map(Number) as [number, number];
  const dow =
    repeat.every === 'day' ? '*' : repeat.every === 'weekday' ? '1-5' : [...new Set((repeat.days ?? []).map((d) => DAY_NUMBER[d]))].sort().join(',');
  return `${m} ${h} * * ${dow}`;
}
