// The viewer's display zone, settled once when the first module imports this one (before any part runs).

var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function cookie(name) {
  var match = document.cookie.split('; ').find(function (c) { return c.indexOf(name + '=') === 0; });
  return match ? decodeURIComponent(match.slice(name.length + 1)) : undefined;
}

// The viewer's display zone follows the browser unless the person picked one with "Times shown in".
export var viewerZone = cookie('tzchosen') ? cookie('tz') || browserZone : browserZone;
/** True when this page load just told the server the browser's zone: what it rendered used another one. */
export var zoneCookieChanged = false;
if (!cookie('tzchosen') && cookie('tz') !== browserZone) {
  document.cookie = 'tz=' + encodeURIComponent(browserZone) + '; path=/; max-age=31536000; samesite=lax';
  zoneCookieChanged = true;
}
