import { ValidationError } from '../../kernel/errors.ts';
import type { ListPosition } from '../call-store.ts';
import type { Call } from '../call.ts';

/** The list position right after `call` (see {@link ListPosition}). */
export function positionOf(call: Call): ListPosition {
  return call.status === 'scheduled' ? { group: 0, key: call.dueAt, id: call.id } : { group: 1, key: -call.dueAt, id: call.id };
}

/** An opaque cursor: clients pass it back unchanged; its shape may change without notice. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.group, position.key, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3) {
      const [group, key, id] = value as unknown[];
      if ((group === 0 || group === 1) && Number.isSafeInteger(key) && typeof id === 'string') return { group, key: key as number, id };
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError([{ path: 'cursor', message: 'is not a cursor this service gave out' }]);
}
