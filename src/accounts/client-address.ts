import { isIPv6 } from 'node:net';

/**
 * The key a client address is limited under: the address itself for IPv4, its /64 for IPv6 (one subscriber
 * usually holds a whole /64, so per-address keys there would cost an attacker nothing).
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * The network a client address belongs to, for per-network budgets: its /24 for IPv4 (one host, office or small
 * provider), its /48 for IPv6 (a site's allocation, which holds 65,536 /64s).
 */
export function networkKey(ip: string): string {
  const key = clientKey(ip);
  if (key.endsWith('::/64')) return `${key.slice(0, -5).split(':').slice(0, 3).join(':')}::/48`;
  const v4 = /^(\d+\.\d+\.\d+)\.\d+$/.exec(key);
  return v4 ? `${v4[1]}.0/24` : key;
}
