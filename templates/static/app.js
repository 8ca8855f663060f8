// Progressive enhancement only: the page works without this file.
(function () {
  'use strict';
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var select = document.getElementById('timezone');
  function setDefaultTime(tz) {
    var date = document.getElementById('date');
    var time = document.getElementById('time');
    if (!date || !time) return;
    var parts = {};
    var soon = new Date(Math.ceil((Date.now() + 120000) / 60000) * 60000);
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(soon)
      .forEach(function (part) { parts[part.type] = part.value; });
    date.value = parts.year + '-' + parts.month + '-' + parts.day;
    time.value = parts.hour + ':' + parts.minute;
  }
  // Pre-select the browser's zone unless the form is being shown again with the person's own choice.
  if (select && select.dataset.chosen !== 'yes' && zone && select.value !== zone) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        // The server computed "a couple of minutes from now" in the zone it knew (UTC on a first visit): say the
        // same moment in the zone just selected, or accepting the defaults would schedule hours off.
        setDefaultTime(zone);
        break;
      }
    }
  }
  // Remember the zone so server-rendered times are shown in it.
  if (zone && document.cookie.indexOf('tz=') === -1) {
    document.cookie = 'tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
  }
  var calls = document.getElementById('calls');
  if (!calls || !window.fetch) return;
  function refresh() {
    fetch('/partials/calls', { headers: { accept: 'text/html' } })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) { if (html !== null) calls.innerHTML = html; })
      .catch(function () { /* offline for a moment: try again on the next tick */ });
  }
  setInterval(refresh, 2000);
})();
