import { z } from 'zod';
import type { FieldError } from '../kernel/errors.ts';
import { fieldErrors } from './input/zod-field-errors.ts';

/**
 * A retry policy as a request states it (on a call or a schedule): how many more tries after the first, how long
 * after an unanswered try the next one rings, and whether a carrier-side failure counts as unanswered (opt-in:
 * a failure may mean the number is wrong, and ringing it again would only fail again).
 */
export const RetryPolicySchema = z
  .object({
    attempts: z.number().int().min(0).max(3),
    afterMinutes: z.number().int().min(1).max(60),
    onFailed: z.boolean().optional(),
  })
  .strict()
  // No OpenAPI `id`: zod-to-openapi 9 drops `.nullable()` on a referenced schema (it would document `retry: null`,
  // which requests may send and schedules answer, as invalid), so the policy is inlined wherever it is used.
  .meta({
    description: 'Ring again when a try is not answered: `attempts` more tries (0–3), `afterMinutes` (1–60) after each; `onFailed` also retries carrier failures.',
  });
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** What a call row keeps of a policy: the number of tries in all (1 = no retry) and the spacing. */
export type RetryColumns = { triesTotal: number; retryAfterMinutes: number | null; retryOnFailed: boolean };

export const NO_RETRY: RetryColumns = { triesTotal: 1, retryAfterMinutes: null, retryOnFailed: false };

export function retryColumns(policy: RetryPolicy | null | undefined): RetryColumns {
  if (!policy || policy.attempts === 0) return NO_RETRY;
  return { triesTotal: 1 + policy.attempts, retryAfterMinutes: policy.afterMinutes, retryOnFailed: policy.onFailed === true };
}

/** Parses an optional `retry` field; bad fields are added to `errors` with paths like `retry.attempts`. */
export function parseRetry(value: unknown, errors: FieldError[]): RetryPolicy | null {
  if (value === undefined || value === null) return null;
  const parsed = RetryPolicySchema.safeParse(value);
  if (!parsed.success) {
    errors.push(...fieldErrors(parsed.error.issues, 'retry'));
    return null;
  }
  return parsed.data;
}
