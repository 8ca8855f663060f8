import { createHash } from 'node:crypto';

/**
 * A stable, UUID-shaped idempotency key derived from its parts. The same call and attempt (or the same triggering
 * event) always yields the same id, so a retry inside the carrier's 60 s window is recognised as a repeat.
 */
export function commandId(...parts: (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
