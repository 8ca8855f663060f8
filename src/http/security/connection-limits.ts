import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Caps open connections: `max` in all (Node drops the rest at once, so a flood ends in refused connections instead
 * of exhausted file descriptors and a listener that stops accepting), and `perAddress` from any one client address,
 * so one slow client (slowloris) cannot hold every slot while health checks and other people wait. `perAddress` 0
 * turns the second off: behind a load balancer every connection comes from the balancer's address.
 */
export function limitConnections(server: Server, options: { max: number; perAddress: number; onRefused?: () => void }): void {
  server.maxConnections = options.max;
  if (options.perAddress <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > options.perAddress) {
      options.onRefused?.();
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
