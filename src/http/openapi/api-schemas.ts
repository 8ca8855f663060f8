import { z } from 'zod';
import { CALL_STATUSES } from '../../calls/call.ts';

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
