import { z } from 'zod';
import type { FieldError } from '../errors.ts';

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
  .strict();
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** What a call row keeps of a policy: the number of tries in all (1 = no retry) and the spacing. */
export type RetryColumns = { triesTotal: number; retryAfterMinutes: number | null; retryOnFailed: boolean };

export const NO_RETRY: RetryColumns = { triesTotal: 1, retryAfterMinutes: null, retryOnFailed: false };

export function retryColumns(policy: RetryPolicy | null | undefined): RetryColumns {
  if (!policy || policy.attempts === 0) return NO_RETRY;
  return { triesTotal: 1 + policy.attempts, retryAfterMinutes: policy.afterMinutes, retryOnFailed: policy.onFailed === true };
}

/** zod's issues in the one error shape (`path` dotted under `prefix`). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldError[] {
  return issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    // A union (a simple rule or a cron expression) names the branch the input came closest to, not "invalid input".
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] as z.core.$ZodIssue[];
      return fieldErrors(closest, path);
    }
    return [{ path, message: issue.message }];
  });
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
