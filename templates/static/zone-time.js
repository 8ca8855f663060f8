// Time arithmetic in a named zone (Intl only; no library on the page).

export function partsIn(zone, ms) {
  var parts = {};
  new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .formatToParts(ms)
    .forEach(function (p) { parts[p.type] = p.value; });
  return parts;
}
export function offsetOf(zone, ms) {
  var p = partsIn(zone, ms);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
}
/** The instant a wall-clock date and time in `zone` names (the earlier one when clocks go back). */
export function instantOf(date, time, zone) {
  var d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  var t = /^(\d{2}):(\d{2})/.exec(time);
  if (!d || !t) return undefined;
  var wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2]);
  var guess = wall - offsetOf(zone, wall);
  return wall - offsetOf(zone, guess);
}
export function knownZone(zone) {
  try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch (e) { return false; }
}
// Browsers report some zones by names the IANA database renamed (`Asia/Calcutta`); pages show the current one. The
// same pairs as src/http/pages/zone-options.ts (the page has no build step to share them).
var IANA_NAMES = {
  'Africa/Asmera': 'Africa/Asmara', 'America/Buenos_Aires': 'America/Argentina/Buenos_Aires', 'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan', 'America/Cordoba': 'America/Argentina/Cordoba', 'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis', 'America/Jujuy': 'America/Argentina/Jujuy', 'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza', 'Asia/Calcutta': 'Asia/Kolkata', 'Asia/Katmandu': 'Asia/Kathmandu', 'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh', 'Atlantic/Faeroe': 'Atlantic/Faroe', 'Europe/Kiev': 'Europe/Kyiv', 'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei', 'Pacific/Truk': 'Pacific/Chuuk'
};
export function ianaName(zone) { return Object.prototype.hasOwnProperty.call(IANA_NAMES, zone) ? IANA_NAMES[zone] : zone; }
export function city(zone) { return zone === 'UTC' ? 'UTC' : ianaName(zone).split('/').pop().replace(/_/g, ' '); }
export function relative(ms) {
  var rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  var s = (ms - Date.now()) / 1000;
  var a = Math.abs(s);
  if (a < 45) return rtf.format(0, 'second');
  if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}
export function clock(ms, zone) { return new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(ms); }
