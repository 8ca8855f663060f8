import net from 'node:net';

export type RawResponse = { status: number; headers: Record<string, string>; body: string; text: string };

/** Parses the first HTTP/1.1 response in `text` (Content-Length bodies only, which is all the service writes here). */
export function parseResponse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4), text };
}

/**
 * Writes `request` byte for byte to the service (what no well-behaved client library would send) and reads until the
 * server closes the connection or one complete response has arrived. `host` is the server's address (default
 * 127.0.0.1), `localAddress` the client's; with `timeoutMs`, a connection silent that long is given up (rejected).
 */
export function rawRequest(port: number, request: string | Buffer, options: { localAddress?: string; host?: string; timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: options.host ?? '127.0.0.1', localAddress: options.localAddress }, () => socket.write(request));
    if (options.timeoutMs !== undefined) {
      socket.setTimeout(options.timeoutMs, () => {
        socket.destroy();
        reject(new Error(`no answer within ${options.timeoutMs} ms`));
      });
    }
    let text = '';
    const finish = () => {
      const parsed = parseResponse(text);
      if (parsed) resolve(parsed);
      else reject(new Error(`no HTTP response; got ${JSON.stringify(text.slice(0, 200))}`));
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const parsed = parseResponse(text);
      const length = parsed ? Number(parsed.headers['content-length'] ?? NaN) : NaN;
      if (parsed && Buffer.byteLength(parsed.body) >= length) {
        socket.destroy();
        resolve(parsed);
      }
    });
    socket.on('error', (err) => (text ? finish() : reject(err)));
    socket.on('close', finish);
  });
}
