import type { z } from 'zod';
import type { FieldError } from '../../kernel/errors.ts';

/**
 * zod's issues in the one validation format (`errors: [{path, message}]`): a dotted path (under `prefix` when the
 * schema validated one field of a larger body), a message that reads after the field's name ("to is required").
 * An unknown key is reported under its own name; a union (a simple rule or a cron expression) names the branch
 * the input came closest to, not "invalid input".
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldError[] {
  return issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: 'is not a known field' }));
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] as z.core.$ZodIssue[];
      return fieldErrors(closest, path);
    }
    return [{ path, message: issue.message }];
  });
}
