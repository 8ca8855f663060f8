import type { z } from 'zod';
import type { FieldError } from '../errors.ts';

/**
 * zod's issues in the one validation format (`errors: [{path, message}]`): a dotted path, a message that reads
 * after the field's name ("to is required"). An unknown key is reported under its own name.
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: 'is not a known field' }));
    return [{ path, message: issue.message }];
  });
}
