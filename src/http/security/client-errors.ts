import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** Statuses for what Node's HTTP parser and timers reject before a request reaches Koa. */
const STATUS_BY_CODE: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** How long a client that never reads the answer (or never closes) may keep its socket after we ended ours. */
const LINGER_MS = 2000;

/** Writes the answer and closes; a peer that neither reads it nor closes loses the socket after {@link LINGER_MS}. */
function endWith(socket: Duplex, text: string): void {
  socket.end(text);
  (socket as Duplex & { setTimeout?: (ms: number, cb: () => void) => void }).setTimeout?.(LINGER_MS, () => socket.destroy());
}

function problemResponse(status: number, detail: string, requestId: string, extra: Record<string, string> = {}): string {
  const body = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, requestId });
  const headers = {
    'Content-Type': 'application/problem+json',
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Content-Type-Options': 'nosniff',
    'X-Request-Id': requestId,
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...extra,
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Answers in the one problem format what never reaches Koa: requests Node's parser refuses (a malformed request
 * line, oversized headers, a header or request timeout) and CONNECT (without a listener Node drops the socket with no
 * answer at all). The log line names the parser's code only: the error's `rawPacket` holds the raw request,
 * credentials included.
 */
export function answerClientErrors(server: Server, deps: { logger: Logger; newId: () => string }): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const code = err.code ?? 'unknown';
    // A response already started on this socket (a timeout mid-write) or a peer gone: nothing more can be said. A
    // request still being handled (its body failed to parse) gets the answer here, as Node's own handler does.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const status = STATUS_BY_CODE[code] ?? 400;
    const requestId = deps.newId();
    deps.logger.warn({ requestId, code, status }, 'client error');
    const detail =
      status === 408 ? 'The request was not received in time.' : status === 431 ? 'The request headers are too large.' : 'The request is malformed HTTP.';
    endWith(socket, problemResponse(status, detail, requestId));
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const requestId = deps.newId();
    deps.logger.info({ requestId, method: 'CONNECT' }, 'connect refused');
    socket.on('error', () => socket.destroy());
    // An empty Allow is RFC 9110's "no methods" for a target this server does not serve: it is not a proxy.
    endWith(socket, problemResponse(405, 'CONNECT is not allowed: this server is not a proxy.', requestId, { Allow: '' }));
  });
}
