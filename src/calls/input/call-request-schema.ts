import { z } from 'zod';
import { RetryPolicySchema } from '../retry-policy.ts';

/** A string field's shape errors, worded as the rest of our validation is ("to is required"). */
const text = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).meta({ description: what });

/**
 * The body of `POST /api/calls`: the shape that validates requests and that `/openapi.json` documents (one source).
 * What the shape cannot say — a callable number, a real instant inside the scheduling window, a known zone, plain
 * text — is checked after it, in `parseApiSchedule`, with the same error format.
 */
export const CallRequestSchema = z
  .strictObject(
    {
      to: text('The number to call, international format (E.164 or with spaces): +1 202 555 0123.').meta({ example: '+12025550123' }),
      at: text('When to call: an RFC 3339 date-time with an offset, within the scheduling window.').meta({
        format: 'date-time',
        example: '2026-11-21T20:00:00+01:00',
      }),
      timezone: text('IANA zone of the person called, for showing the time back (default UTC).').meta({ example: 'Europe/Dublin' }).optional(),
      message: text('Read to the callee instead of a joke; plain text, at most the configured length.').nullable().optional(),
      retry: RetryPolicySchema.nullable().optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? 'is not a known field' : 'must be a JSON object') },
  )
  .meta({ id: 'CallRequest', description: 'A call to schedule.' });
export type CallRequestBody = z.infer<typeof CallRequestSchema>;
