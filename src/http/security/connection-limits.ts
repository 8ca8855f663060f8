import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
// The account limits' own key, shared (http may import a flow), so a connection and a sign-in count the same network.
import { clientKey } from '../../accounts/client-address.ts';

/** Why a connection was closed by the limits: refused on arrival, or shed to make room for a newer one. */
export type ConnectionVerdict = 'per_address' | 'max_connections' | 'shed';

export type ConnectionLimitOptions = {
  /** Most connections open at once. */
  max: number;
  /** Most connections from one client key (an IPv4 address, an IPv6 /64); 0 turns the per-address cap off. */
  perAddress: number;
  /** Peers the per-address cap does not apply to: trusted proxies, whose one address stands for many clients. */
  exempt?: (address: string) => boolean;
  onClosed?: (verdict: ConnectionVerdict) => void;
};

/**
 * Caps open connections so that a flood cannot keep a health check (or anyone else) out.
 *
 * - `perAddress`: one client key (IPv4 address, IPv6 /64 — one subscriber usually holds a whole /64, so a cap per
 *   IPv6 address would cost an attacker nothing) holds at most this many; more are closed at once. Trusted proxies
 *   are exempt: every client behind them arrives from their address.
 * - `max`: when every slot is taken, a new connection does not wait or get dropped; instead the connection that has
 *   been *waiting* longest is closed to make room. Waiting means no request in flight on it: its headers are still
 *   incomplete (the slowloris move) or it sits idle between keep-alive requests. A connection with a request in
 *   flight is never shed; only when all `max` have one is the newcomer refused.
 *
 * Why shedding and not a reserve of slots for "short requests": a connection cannot say what it will ask for until
 * its headers are in, so a reserve would be held by the same slow clients. The distributed slowloris (10 addresses ×
 * 95 connections against 900 slots, each address under its cap) took every slot and held `/health` out for the
 * whole header timeout; with shedding an attacker's open connections only push out its own older ones, and a client
 * that sends its headers right after connecting (every real one, a balancer's probe included) is answered. The
 * header timeout need not shrink under pressure for that, so it stays as configured.
 *
 * Node's own `maxConnections` would drop the newcomer before any listener could choose, so it is only a backstop
 * here, at twice `max`: a shed socket's descriptor is freed at once but Node counts it until its close event.
 */
export function limitConnections(server: Server, options: ConnectionLimitOptions): { open(): number } {
  server.maxConnections = options.max * 2;
  const perKey = new Map<string, number>();
  /** Open connections: how many requests each has in flight, and the key it counts under (none if exempt). */
  const open = new Map<Socket, { requests: number; key: string | undefined }>();
  /** The connections with no request in flight, longest waiting first (a Set keeps insertion order). */
  const waiting = new Set<Socket>();

  function release(socket: Socket): void {
    const entry = open.get(socket);
    if (!entry) return;
    open.delete(socket);
    waiting.delete(socket);
    if (entry.key === undefined) return;
    const left = (perKey.get(entry.key) ?? 1) - 1;
    if (left <= 0) perKey.delete(entry.key);
    else perKey.set(entry.key, left);
  }

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const key = options.perAddress > 0 && !options.exempt?.(address) ? clientKey(address) : undefined;
    if (key !== undefined && (perKey.get(key) ?? 0) >= options.perAddress) {
      options.onClosed?.('per_address');
      socket.destroy();
      return;
    }
    if (open.size >= options.max) {
      const oldest = waiting.values().next();
      if (oldest.done) {
        options.onClosed?.('max_connections');
        socket.destroy();
        return;
      }
      options.onClosed?.('shed');
      // Released now rather than at its close event, so the newcomer has the slot at once.
      release(oldest.value);
      oldest.value.destroy();
    }
    if (key !== undefined) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    open.set(socket, { requests: 0, key });
    waiting.add(socket);
    socket.once('close', () => release(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const entry = open.get(socket);
    if (!entry) return;
    entry.requests += 1;
    waiting.delete(socket);
    res.once('close', () => {
      entry.requests -= 1;
      // Idle again: it joins the end of the line, as the newest waiting connection.
      if (entry.requests === 0 && open.has(socket) && !socket.destroyed) waiting.add(socket);
    });
  });

  return { open: () => open.size };
}
