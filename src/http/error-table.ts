import { ErrorCode } from '../kernel/errors.ts';

/** The one place domain error codes become HTTP statuses and problem types. */
export const ERROR_TABLE = {
  [ErrorCode.validation]: { status: 400, title: 'Invalid request', type: '/problems/validation' },
  [ErrorCode.unauthorized]: { status: 401, title: 'Unauthorized', type: '/problems/unauthorized' },
  [ErrorCode.forbidden]: { status: 403, title: 'Forbidden', type: '/problems/forbidden' },
  [ErrorCode.notFound]: { status: 404, title: 'Not found', type: '/problems/not-found' },
  [ErrorCode.conflict]: { status: 409, title: 'Conflict', type: '/problems/conflict' },
  [ErrorCode.optedOut]: { status: 422, title: 'Number opted out', type: '/problems/opted-out' },
  [ErrorCode.keyReused]: { status: 422, title: 'Idempotency key reused', type: '/problems/idempotency-key-reused' },
  [ErrorCode.limited]: { status: 429, title: 'Too many requests', type: '/problems/limit' },
  [ErrorCode.unavailable]: { status: 503, title: 'Service unavailable', type: '/problems/unavailable' },
} as const satisfies Record<ErrorCode, { status: number; title: string; type: string }>;
