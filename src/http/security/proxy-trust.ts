import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Context, Middleware, Next } from 'koa';
import proxyaddr from 'proxy-addr';

/**
 * Which peers may speak for a client (`X-Forwarded-For`, `X-Forwarded-Proto`): those whose socket address is in
 * `TRUSTED_PROXIES` (CIDR ranges, or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`). Trust goes by address,
 * not by hop count: a client that reaches the port directly is judged by its own socket address whatever it writes
 * in those headers. `TRUST_PROXY=true`, the old switch, is kept as a deprecated alias for `loopback` (a proxy on the
 * same host, the set-up the README described); its hop count (`http.proxyHops`) is gone.
 */
export type ProxyTrust = {
  /** True when `address` (a socket's) is a trusted proxy. */
  trusts(address: string): boolean;
  /** The client's address: the socket's, or, walking `X-Forwarded-For` from the right past trusted proxies, the first untrusted one. */
  clientAddress(req: IncomingMessage): string;
  /** `https` or `http`: the socket's, or a trusted peer's `X-Forwarded-Proto`. */
  protocol(req: IncomingMessage): 'http' | 'https';
};

/** The ranges to trust: `trustedProxies`, plus loopback for the deprecated `trustProxy`. */
export function trustedProxyList(http: { trustedProxies: readonly string[]; trustProxy: boolean }): string[] {
  return [...new Set([...http.trustedProxies, ...(http.trustProxy ? ['loopback'] : [])])];
}

/**
 * Builds the trust decision over proxy-addr, Express's own parser of `X-Forwarded-For` (it walks the list from the
 * right, stopping at the first address not trusted, and matches IPv4-mapped IPv6 addresses against IPv4 ranges).
 */
export function createProxyTrust(list: readonly string[]): ProxyTrust {
  const trust = proxyaddr.compile([...list]);
  const trusts = (address: string) => list.length > 0 && address !== '' && trust(address, 0);
  return {
    trusts,
    clientAddress(req) {
      const socketAddress = req.socket.remoteAddress ?? '';
      if (!trusts(socketAddress)) return socketAddress;
      const address = proxyaddr(req, trust);
      // A trusted proxy passes on what its own peer wrote further left; an entry that is no address at all (only
      // reachable when every hop after it is trusted) is not taken as one: the last trusted hop stands instead.
      if (isIP(address) !== 0) return address;
      const hops = proxyaddr.all(req, trust);
      return [...hops].reverse().find((hop) => isIP(hop) !== 0) ?? socketAddress;
    },
    protocol(req) {
      if ((req.socket as { encrypted?: boolean }).encrypted) return 'https';
      if (!trusts(req.socket.remoteAddress ?? '')) return 'http';
      const header = req.headers['x-forwarded-proto'];
      // The trusted peer's word, its first value as Koa and Express read it: it sets the header, never appends to
      // what the client wrote (deploy/nginx.conf keeps the balancer's value only when the peer is the balancer).
      const first = (Array.isArray(header) ? header[0] : header)?.split(',', 1)[0]?.trim().toLowerCase();
      return first === 'https' ? 'https' : 'http';
    },
  };
}

/**
 * Sets the request's client address, protocol and host once, first in the chain, so every route's `ctx.ip`,
 * `ctx.protocol`, `ctx.secure` (HSTS, the `Secure` cookie flag) and `ctx.host` (the host check) agree. Koa's own proxy
 * mode (`app.proxy`) is off: it trusts `X-Forwarded-*` from every peer or from none. `X-Forwarded-Host` is never
 * read: the proxy passes the client's `Host` on (deploy/nginx.conf does), and a forwarded host would only give a
 * client behind a proxy a way past the host check.
 */
export function createProxyTrustMiddleware(trust: ProxyTrust): Middleware {
  return async function clientAddress(ctx: Context, next: Next): Promise<void> {
    ctx.request.ip = trust.clientAddress(ctx.req);
    const protocol = trust.protocol(ctx.req);
    // Own properties shadow Koa's getters on this request only (`ctx.secure` and `ctx.origin` read them).
    Object.defineProperty(ctx.request, 'protocol', { value: protocol, configurable: true });
    await next();
  };
}
