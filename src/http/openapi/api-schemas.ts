import { z } from 'zod';
import { CALL_STATUSES } from '../../calls/call.ts';
import { RetryPolicySchema } from '../../calls/retry-policy.ts';
import { RepeatSchema } from '../../schedules/schedule-schema.ts';
import { ScheduleStatus } from '../../schedules/schedule.ts';

const isoTime = (description: string) => z.iso.datetime({ offset: true }).meta({ description });

/** A call as the API answers it (`callJson`). Strict: a field the server adds must be documented here (the conformance test fails otherwise). */
export const CallSchema = z
  .strictObject({
    id: z.string(),
    to: z.string().meta({ description: 'E.164', example: '+12025550123' }),
    at: isoTime('When the call is (or was) due, UTC.'),
    timezone: z.string().meta({ description: 'IANA zone of the person called.', example: 'Europe/Dublin' }),
    localAt: isoTime('The due time in `timezone`, with its offset.'),
    message: z.string().nullable(),
    status: z.enum(CALL_STATUSES as [string, ...string[]]),
    reason: z.string().nullable().meta({ description: 'Why it ended as it did, in words.' }),
    answeredBy: z.enum(['human', 'machine', 'unknown']).nullable(),
    attempt: z.int().min(0),
    latenessMs: z.int().nullable().meta({ description: 'How late the dial started, in ms.' }),
    createdAt: isoTime('When it was scheduled.'),
    updatedAt: isoTime('Its last change.'),
    endedAt: isoTime('When it ended.').nullable(),
    scheduleId: z.string().nullable().meta({ description: 'The schedule this call is an occurrence of; null for a single call.' }),
    occurrenceAt: isoTime('The schedule’s time this occurrence stands for (a retry keeps its first call’s).').nullable(),
    retryOf: z.string().nullable().meta({ description: 'The id of the first call of the retry chain; null for a first try.' }),
    try: z
      .strictObject({ number: z.int().min(1), of: z.int().min(1) })
      .meta({ description: 'Which try this call is (1 = the first) of how many its retry policy allows.', example: { number: 1, of: 3 } }),
  })
  .meta({ id: 'Call' });

export const CallEventSchema = z
  .strictObject({
    at: isoTime('When it happened.'),
    kind: z.string().meta({ description: '`status`, `webhook`, `command`, `error` or `note`.' }),
    name: z.string(),
    detail: z.record(z.string(), z.unknown()).nullable().meta({ description: 'Times in it (`…At`) are ISO-8601 too.' }),
  })
  .meta({ id: 'CallEvent' });

export const CallWithEventsSchema = CallSchema.extend({ events: z.array(CallEventSchema) }).meta({ id: 'CallWithEvents' });

export const CallPageSchema = z
  .object({ items: z.array(CallSchema), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null at the end.' }) })
  .meta({ id: 'CallPage' });

export const ProblemSchema = z
  .strictObject({
    type: z.string().meta({ description: 'A URI (relative to this service) whose page explains the problem, or about:blank.' }),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'For validation: each field at fault.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

/** `GET /api/calls`'s query: the service checks the values (known statuses, a limit of 1–100, a cursor it issued). */
export const ListCallsQuerySchema = z.object({
  status: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .meta({ description: 'Statuses to list, comma-separated or repeated (default: all).', example: 'scheduled,ringing' }),
  cursor: z.string({ error: 'may be given once' }).optional().meta({ description: '`nextCursor` of the page before.' }),
  limit: z
    .string({ error: 'may be given once' })
    .regex(/^\d*$/, { error: 'must be a whole number from 1 to 100' })
    .optional()
    .meta({ description: 'Calls per page, 1–100 (default 20).', example: '20' }),
});

/** A schedule as the API answers it (`scheduleJson` in schedule-routes.ts). Strict, like `Call`. */
export const ScheduleSchema = z
  .strictObject({
    id: z.string(),
    to: z.string().meta({ description: 'E.164', example: '+12025550123' }),
    repeat: RepeatSchema,
    cron: z.string().meta({ description: 'The rule as a 5-field cron expression, local to `timezone`.', example: '0 7 * * 1-5' }),
    timezone: z.string().meta({ description: 'IANA zone the rule runs in.', example: 'America/New_York' }),
    message: z.string().nullable(),
    startsOn: z.iso.date().nullable().meta({ description: 'First local date it may ring on (inclusive).' }),
    endsOn: z.iso.date().nullable().meta({ description: 'Last local date it may ring on (inclusive).' }),
    retry: RetryPolicySchema.nullable(),
    status: z.enum(Object.values(ScheduleStatus) as [string, ...string[]]),
    paused: z.boolean(),
    endReason: z.string().nullable().meta({ description: 'Why an ended schedule ended, in words.' }),
    nextAt: isoTime('Its next occurrence, UTC; null when paused or ended.').nullable(),
    lastOccurrenceAt: isoTime('Its last occurrence that became a call.').nullable(),
    skipped: z
      .strictObject({ at: isoTime('The occurrence that was skipped.'), reason: z.string() })
      .nullable()
      .meta({ description: 'The last occurrence skipped (a limit refused it, or it passed while the service was down).' }),
    createdAt: isoTime('When it was created.'),
    updatedAt: isoTime('Its last change.'),
  })
  .meta({ id: 'Schedule', description: 'A repeating call.' });

export const OccurrenceSchema = z
  .strictObject({ at: isoTime('UTC.'), localAt: isoTime('The same instant in the schedule’s zone, with its offset.') })
  .meta({ id: 'Occurrence' });

export const ScheduleDetailSchema = ScheduleSchema.extend({
  nextOccurrences: z.array(OccurrenceSchema).meta({ description: 'Its next occurrences (none once ended).' }),
  calls: z.array(CallSchema).meta({ description: 'Its latest calls (at most 20), retries included.' }),
}).meta({ id: 'ScheduleDetail' });

export const ScheduleListSchema = z.strictObject({ items: z.array(ScheduleSchema) }).meta({ id: 'ScheduleList' });

export const SchedulePreviewSchema = z
  .strictObject({ occurrences: z.array(OccurrenceSchema).meta({ description: 'The first occurrences from now.' }) })
  .meta({ id: 'SchedulePreview' });

// The accounts API (src/http/routes/auth-routes.ts). Its fields are read by `parseCredentials`/`parseField`; these
// schemas describe the same shapes for the document and for clients generated from it.
const email = z.string().max(254).meta({ description: 'The account’s e-mail address (compared without regard to case).', example: 'ada@example.org' });
const password = z.string().min(1).meta({ description: 'At least 10 characters, and not an easily guessed one.', example: 'a long and private phrase' });
const linkToken = z.string().min(1).meta({ description: 'The `token` query parameter of the link in the mail.' });

const altcha = z.string().optional().meta({
  description:
    'A proof of work, needed only when a `429` asked for one (many requests from your network, or many failed sign-ins for the account from other networks): a challenge from `GET /api/auth/challenge` solved with an ALTCHA solver (altcha-lib `solveChallenge`), sent as base64 of `{"challenge": …, "solution": …}`. Each is good once.',
});

export const CredentialsSchema = z.object({ email, password, altcha }).meta({ id: 'Credentials' });
export const ActivationSchema = z.object({ token: linkToken }).meta({ id: 'Activation' });
export const ResetRequestSchema = z.object({ email, altcha }).meta({ id: 'ResetRequest' });
export const ChallengeSchema = z
  .object({
    parameters: z.record(z.string(), z.unknown()).meta({ description: 'The challenge (algorithm, nonce, salt, cost, key prefix, expiry), as altcha-lib makes it.' }),
    signature: z.string().meta({ description: 'Our signature of the parameters.' }),
  })
  .meta({ id: 'Challenge', description: 'An ALTCHA proof-of-work challenge (PoW v2): solve it and send the result as `altcha`.' });
export const ResetSchema = z.object({ token: linkToken, password }).meta({ id: 'Reset' });
export const AcceptedSchema = z
  .strictObject({ status: z.literal('accepted'), detail: z.string() })
  .meta({ id: 'Accepted', description: 'The same answer whether or not the address has an account, so the API cannot list accounts.' });
export const AccountStatusSchema = z.strictObject({ status: z.enum(['activated', 'reset']) }).meta({ id: 'AccountStatus' });
export const AccessTokenSchema = z
  .strictObject({
    access_token: z.string().meta({ description: 'Send as `Authorization: Bearer <access_token>`.' }),
    token_type: z.literal('Bearer'),
    expires_in: z.int().positive().meta({ description: 'Seconds until the token expires.' }),
  })
  .meta({ id: 'AccessToken' });
