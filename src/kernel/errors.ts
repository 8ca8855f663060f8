/**
 * Domain errors: what went wrong in the service's own terms. They know nothing of HTTP;
 * `src/http/error-table.ts` maps each `code` to a status in one place.
 */
export const ErrorCode = {
  validation: 'validation',
  notFound: 'not_found',
  conflict: 'conflict',
  unavailable: 'unavailable',
  unauthorized: 'unauthorized',
  /** The destination asked (by pressing 9 on an earlier call) never to be called again. */
  optedOut: 'opted_out',
  forbidden: 'forbidden',
  limited: 'limited',
  /** An `Idempotency-Key` sent again with another request body. */
  keyReused: 'key_reused',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One field that failed validation, addressed by a JSON-pointer-like dotted path (`to`, `at`, `message`). */
export type FieldError = { path: string; message: string };

export class DomainError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** A request refused because of named fields: malformed ones (`validation`), or well-formed but refused (`opted_out`). */
export class ValidationError extends DomainError {
  readonly errors: readonly FieldError[];
  constructor(errors: readonly FieldError[], message = 'The request has invalid fields.', code: ErrorCode = ErrorCode.validation) {
    super(code, message);
    this.name = 'ValidationError';
    this.errors = errors;
  }
}

export const notFound = (what: string) => new DomainError(ErrorCode.notFound, `${what} was not found.`);
/** Scheduling to a number on the do-not-call list. */
export const optedOut = () =>
  new ValidationError(
    [{ path: 'to', message: 'this number asked not to be called again (it pressed 9 on an earlier call), so it cannot be scheduled' }],
    'This number is on the do-not-call list.',
    ErrorCode.optedOut,
  );
export const conflict = (message: string) => new DomainError(ErrorCode.conflict, message);

/** A limit was reached; `retryAfterSeconds` says when trying again can succeed. */
export class LimitError extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterMs: number) {
    super(ErrorCode.limited, message);
    this.name = 'LimitError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  }
}

/** The caller is not signed in as an account (no token, a bad or expired one, wrong credentials). */
export class AuthenticationError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.unauthorized, message);
    this.name = 'AuthenticationError';
  }
}
export const forbidden = (message: string) => new DomainError(ErrorCode.forbidden, message);
