import { ZONE_LIST, canonicalZone } from '../../calls/input/time-zones.ts';

/**
 * The runtime's zone list (ICU, from CLDR) keeps old spellings that the IANA database renamed long ago: a browser in
 * India reports `Asia/Calcutta`. Pages show the current name; what is stored stays the runtime's id (both work in
 * Intl and luxon, and `canonicalZone` maps the new name back). The pairs are the IANA `backward` file's links whose
 * old name ICU still treats as canonical.
 */
const IANA_NAMES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** The zone's current IANA name: `Asia/Calcutta` → `Asia/Kolkata`; any other zone as it is. */
export function ianaName(zone: string): string {
  return IANA_NAMES[zone] ?? zone;
}

/** One zone as the picker offers it: `Berlin (UTC+1)`, the one label style used everywhere. */
export type ZoneOption = { value: string; label: string; city: string; offset: string };

/** `UTC+1`, `UTC−3:30`, `UTC` for the zone at `at`. */
export function offsetLabel(zone: string, at: number): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
  const gmt = part?.value ?? 'GMT';
  return gmt === 'GMT' ? 'UTC' : gmt.replace('GMT', 'UTC').replace('-', '−');
}

/** The place a zone is named for: `America/Argentina/Buenos_Aires` → `Buenos Aires`. */
export function cityOf(zone: string): string {
  if (zone === 'UTC') return 'UTC';
  const name = ianaName(zone);
  return (name.split('/').pop() ?? name).replaceAll('_', ' ');
}

/** `Berlin (UTC+1)`: the label every page uses for a zone. */
export function zoneLabel(zone: string, at: number): string {
  return zone === 'UTC' ? 'UTC' : `${cityOf(zone)} (${offsetLabel(zone, at)})`;
}

/**
 * The picker's options with their current offsets and generic names (`Central European Time`), from Intl. Offsets
 * change twice a year, so the list is rebuilt once an hour rather than per request (≈ 400 zones, a few ms).
 */
export function createZoneOptions(): (now: number) => ZoneOption[] {
  let built: { hour: number; options: ZoneOption[] } | undefined;
  return (now) => {
    const hour = Math.floor(now / 3_600_000);
    if (built?.hour !== hour) {
      const options = ZONE_LIST.map((zone) => {
        const generic = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longGeneric' }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value;
        const city = cityOf(zone);
        const offset = offsetLabel(zone, now);
        const region = zone.includes('/') ? zone.split('/')[0] : '';
        const named = generic && !generic.startsWith('GMT') ? ` · ${generic}` : '';
        return { value: ianaName(zone), city, offset, label: `${city} (${offset})${named}${region ? ` · ${region}` : ''}` };
      });
      built = { hour, options };
    }
    return built.options;
  };
}

/**
 * What a person typed in the zone field, as a zone: an IANA name or alias, or a city the list names
 * (`berlin`, `New York`) — typing the city and not picking from the list still works.
 */
export function resolveZoneInput(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  const exact = canonicalZone(trimmed);
  if (exact) return exact;
  // "Berlin (UTC+1) · …" from the label style, or a bare city.
  const city = trimmed.replace(/\s*\(.*$/, '').trim().toLowerCase();
  if (city === '' || city.length > 64) return undefined;
  return ZONE_LIST.find((zone) => cityOf(zone).toLowerCase() === city);
}
