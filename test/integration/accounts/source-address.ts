import http from 'node:http';

export type Reply = { status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown>; text: string };

/**
 * One HTTP request sent from `from`, a loopback address of 127.0.0.0/8 (Linux routes all of it to lo), so the service
 * sees a real client address of that network: no forwarded header, nothing to trust.
 */
export function requestFrom(
  url: string,
  from: string,
  options: { method?: string; path: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> },
): Promise<Reply> {
  const target = new URL(options.path, url);
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = {
    ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? (body ? 'POST' : 'GET'), headers, localAddress: from, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // An HTML page or an empty body: the text is there.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The `name=value` of a Set-Cookie header for `name`, for sending back as a Cookie header. */
export function cookieFrom(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  return (headers['set-cookie'] ?? []).map((c) => c.split(';')[0] as string).find((c) => c.startsWith(`${name}=`));
}
