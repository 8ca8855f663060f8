/**
 * The time zones this service accepts, decided against a fixed list before any name reaches luxon.
 *
 * luxon keeps every zone name it is handed in a process-wide cache (`IANAZone.create`), valid or not, and the
 * earlier validity cache kept each rejected string too: 10,000 requests with made-up 64 KB names pinned ~600 MB.
 * Membership in a constant set built from the runtime's tz data keeps nothing per request. An alias the list does
 * not spell (`US/Eastern`, `asia/kolkata`) is resolved by Intl to its canonical name and that name is used instead,
 * so whatever luxon sees is one of the few hundred names in the set.
 */

/** The canonical names the runtime knows, `UTC` first: what the page offers. A constant of the tz data. */
export const ZONE_LIST: readonly string[] = Object.freeze(
  Intl.supportedValuesOf('timeZone').includes('UTC') ? Intl.supportedValuesOf('timeZone') : ['UTC', ...Intl.supportedValuesOf('timeZone')],
);
const KNOWN: ReadonlySet<string> = new Set(ZONE_LIST);
const UTC_ALIASES: ReadonlySet<string> = new Set(['Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu']);

/** IANA names are short ASCII paths; anything else is refused before Intl parses it. */
const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** The canonical name for `name` when it is a known zone or an alias of one, else `undefined`. Caches nothing. */
export function canonicalZone(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  if (KNOWN.has(name)) return name;
  if (!ZONE_SHAPE.test(name)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  if (UTC_ALIASES.has(resolved)) return 'UTC';
  return KNOWN.has(resolved) ? resolved : undefined;
}
