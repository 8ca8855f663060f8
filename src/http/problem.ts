import { STATUS_CODES } from 'node:http';
import { AuthenticationError, DomainError, LimitError, ValidationError, type FieldError } from '../kernel/errors.ts';
import { ERROR_TABLE } from './error-table.ts';

/** RFC 9457 problem details, plus our `requestId` and, for validation, the fields at fault. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: FieldError[];
};

type HttpLikeError = Error & { status?: unknown; statusCode?: unknown; expose?: unknown; type?: unknown; headers?: unknown; code?: unknown };

const GENERIC_500 = 'Something went wrong on our side. The request id identifies it in our logs.';

function titleOf(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** A problem for a bare HTTP status (404 from no route, 405 from the router). */
export function statusProblem(status: number, detail: string, requestId: string): Problem {
  return { type: 'about:blank', title: titleOf(status), status, detail, requestId };
}

/**
 * Turns anything thrown into a problem. Domain errors go through the table; errors carrying an HTTP status
 * (body parser, http-errors) keep it; everything else is a 500 whose detail never shows internals.
 */
export function problemFrom(err: unknown, requestId: string): { problem: Problem; headers: Record<string, string>; internal: boolean } {
  if (err instanceof DomainError) {
    const entry = ERROR_TABLE[err.code];
    const problem: Problem = { type: entry.type, title: entry.title, status: entry.status, detail: err.message, requestId };
    if (err instanceof ValidationError) problem.errors = [...err.errors];
    const headers: Record<string, string> = {};
    if (err instanceof LimitError) headers['Retry-After'] = String(err.retryAfterSeconds);
    if (err instanceof AuthenticationError) headers['WWW-Authenticate'] = 'Bearer';
    return { problem, headers, internal: false };
  }
  const e = (err instanceof Error ? err : new Error(String(err))) as HttpLikeError;
  // A body that does not decompress is the client's mistake, not ours (zlib's and brotli's errors carry no HTTP
  // status; brotli's codes read `ERR__ERROR_FORMAT_…`).
  if (typeof e.code === 'string' && (e.code.startsWith('Z_') || e.code.startsWith('ERR__ERROR_'))) {
    return { problem: statusProblem(400, 'The request body could not be decompressed.', requestId), headers: {}, internal: false };
  }
  // Node's HTTP parser failed on the body (a malformed chunk): the request was malformed, and the error's raw packet
  // (headers, credentials included) is not for the log.
  if (typeof e.code === 'string' && e.code.startsWith('HPE_')) {
    return { problem: statusProblem(400, 'The request is malformed HTTP.', requestId), headers: {}, internal: false };
  }
  const rawStatus = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  const status = rawStatus >= 400 && rawStatus <= 599 ? rawStatus : 500;
  if (status >= 500) {
    return { problem: statusProblem(status, GENERIC_500, requestId), headers: {}, internal: true };
  }
  const headers = typeof e.headers === 'object' && e.headers !== null ? (e.headers as Record<string, string>) : {};
  let detail = e.expose === true ? e.message : titleOf(status);
  // The body parser's own wording leaks parser internals ("Unexpected token } in JSON at position 7"): say it plainly.
  if (e.type === 'entity.parse.failed' || e instanceof SyntaxError) detail = 'The request body is not valid JSON.';
  if (e.type === 'entity.too.large') detail = 'The request body is larger than this endpoint accepts.';
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') detail = 'The request body uses an unsupported encoding.';
  return { problem: statusProblem(status, detail, requestId), headers, internal: false };
}
