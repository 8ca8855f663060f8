import { isIP } from 'node:net';
import type { Context, Next } from 'koa';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = ['0.0.0.0', '::', ''];

/** The host name of a `Host` value (`example.com:3000`, `[::1]:3000`), lowercased, without a trailing dot. */
export function hostNameOf(host: string): string | undefined {
  try {
    const name = new URL(`http://${host}/`).hostname.toLowerCase();
    return name.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address === 'localhost' || /^(::ffff:)?127\./.test(address);
}

/**
 * Refuses a request whose `Host` names a server we are not (DNS rebinding: a page on attacker.example re-pointed at
 * 127.0.0.1 reaches a service on loopback with `Host: attacker.example`). Accepted: PUBLIC_URL's host, the dev
 * tunnel's, ALLOWED_HOSTS, the listen address, and the loopback names when listening on loopback. On a wildcard
 * listener (0.0.0.0, ::) any IP literal is accepted too: a request to an address, not a name, cannot be a rebinding
 * and is how a load balancer's health check arrives. Any other name → 421 Misdirected Request (RFC 9110 §15.5.20:
 * this server will not answer for that authority), a missing `Host` → 400 (RFC 9112 §3.2).
 */
export function createHostCheck(deps: {
  listenHost: string;
  publicUrl: string | null;
  allowedHosts: readonly string[];
  tunnelUrl: () => string | undefined;
}) {
  const fixed = new Set<string>(deps.allowedHosts.map((h) => hostNameOf(h) ?? h));
  if (deps.publicUrl) fixed.add(new URL(deps.publicUrl).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
  const wildcard = WILDCARDS.includes(deps.listenHost);
  const listen = deps.listenHost.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (!wildcard) fixed.add(listen);
  if (wildcard || isLoopbackAddress(listen)) for (const name of LOOPBACK_NAMES) fixed.add(name);

  function allowed(name: string): boolean {
    if (fixed.has(name)) return true;
    if (wildcard && isIP(name) !== 0) return true;
    const tunnel = deps.tunnelUrl();
    return tunnel !== undefined && new URL(tunnel).hostname.toLowerCase() === name;
  }

  return async function hostCheck(ctx: Context, next: Next): Promise<void> {
    const host = ctx.host;
    if (host === '') ctx.throw(400, 'The request has no Host header.', { expose: true });
    const name = hostNameOf(host);
    if (name === undefined || !allowed(name)) {
      ctx.throw(421, 'This server does not answer for the host named in the request.', { expose: true });
    }
    await next();
  };
}
