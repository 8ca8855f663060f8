// Progressive enhancement only: the page works without this file.
(function () {
  'use strict';
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var select = document.getElementById('timezone');
  // Pre-select the browser's zone unless the form is being shown again with the person's own choice.
  if (select && select.dataset.chosen !== 'yes' && zone) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; break; }
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
