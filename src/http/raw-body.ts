import type { IncomingMessage } from 'node:http';

/** An HTTP-shaped failure the error middleware turns into a problem with this status (as body parsers' errors are). */
function httpError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type, expose: true });
}

/**
 * Reads a request's body as the exact text that was sent, up to `limitBytes`, for signature checks: nothing is
 * parsed or decoded but UTF-8. Written here rather than taken from `raw-body` (only a transitive dependency of
 * koa-body) because the job is ten lines: a declared length over the limit is refused before reading, a body that
 * grows past it is cut off, and a compressed body is refused (Telnyx signs and sends plain JSON).
 */
export async function readRawBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw httpError(415, 'encoding.unsupported', 'The webhook body must not be compressed.');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw httpError(413, 'entity.too.large', 'The webhook body is too large.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw httpError(413, 'entity.too.large', 'The webhook body is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
