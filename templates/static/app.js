// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  var LEAD_MINUTES = 3;

  function cookie(name) {
    var match = document.cookie.split('; ').find(function (c) { return c.indexOf(name + '=') === 0; });
    return match ? decodeURIComponent(match.slice(name.length + 1)) : undefined;
  }

  // The viewer's display zone follows the browser unless the person picked one with "Times shown in".
  var viewerZone = cookie('tzchosen') ? cookie('tz') || browserZone : browserZone;
  var zoneCookieChanged = false;
  if (!cookie('tzchosen') && cookie('tz') !== browserZone) {
    document.cookie = 'tz=' + encodeURIComponent(browserZone) + '; path=/; max-age=31536000; samesite=lax';
    zoneCookieChanged = true;
  }

  // ---- time arithmetic in a named zone (Intl only; no library on the page) ----
  function partsIn(zone, ms) {
    var parts = {};
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .forEach(function (p) { parts[p.type] = p.value; });
    return parts;
  }
  function offsetOf(zone, ms) {
    var p = partsIn(zone, ms);
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
  }
  /** The instant a wall-clock date and time in `zone` names (the earlier one when clocks go back). */
  function instantOf(date, time, zone) {
    var d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    var t = /^(\d{2}):(\d{2})/.exec(time);
    if (!d || !t) return undefined;
    var wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2]);
    var guess = wall - offsetOf(zone, wall);
    return wall - offsetOf(zone, guess);
  }
  function knownZone(zone) {
    try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch (e) { return false; }
  }
  function city(zone) { return zone === 'UTC' ? 'UTC' : zone.split('/').pop().replace(/_/g, ' '); }
  function relative(ms) {
    var rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
    var s = (ms - Date.now()) / 1000;
    var a = Math.abs(s);
    if (a < 45) return rtf.format(0, 'second');
    if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
    if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
    return rtf.format(Math.round(s / 86400), 'day');
  }
  function clock(ms, zone) { return new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(ms); }

  // ---- the scheduling form ----
  var form = document.getElementById('schedule-form');
  var zoneInput = document.getElementById('timezone');
  var dateInput = document.getElementById('date');
  var timeInput = document.getElementById('time');
  var hint = document.getElementById('when-hint');
  var touched = false;

  /** The zone the field names: an IANA name, or a city from the list typed without picking it. */
  function chosenZone() {
    var value = (zoneInput.value || '').trim();
    if (!value) return undefined;
    var options = document.querySelectorAll('#zone-list option');
    for (var i = 0; i < options.length; i++) if (options[i].value === value) return value;
    var name = value.replace(/\s*\(.*$/, '').toLowerCase();
    for (var j = 0; j < options.length; j++) if (city(options[j].value).toLowerCase() === name) return options[j].value;
    return knownZone(value) ? value : undefined;
  }
  function setDefaults(zone) {
    var soon = Math.ceil((Date.now() + LEAD_MINUTES * 60000) / 60000) * 60000;
    var p = partsIn(zone, soon);
    dateInput.value = p.year + '-' + p.month + '-' + p.day;
    timeInput.value = p.hour + ':' + p.minute;
  }
  function updateHint() {
    var zone = chosenZone();
    var at = zone && instantOf(dateInput.value, timeInput.value, zone);
    if (!zone) { hint.textContent = 'Type a city such as Berlin, or pick a zone from the list.'; return; }
    if (at === undefined) { hint.textContent = 'Pick a date and a time.'; return; }
    var text = relative(at) + ' — ' + clock(at, viewerZone) + ' your time';
    if (offsetOf(zone, at) !== offsetOf(viewerZone, at)) text += ' (' + clock(at, zone) + ' in ' + city(zone) + ')';
    if (at < Date.now() - 60000) text = 'That time has passed (' + relative(at) + '): pick a later one.';
    hint.textContent = text;
  }
  if (form && zoneInput && dateInput && timeInput && hint) {
    if (form.dataset.fresh === 'yes') {
      // A first visit: the server only knew UTC. Use the browser's zone, and "a few minutes from now" in it.
      if (zoneInput.value === zoneInput.dataset.viewer && zoneInput.value !== viewerZone) zoneInput.value = viewerZone;
      setDefaults(chosenZone() || viewerZone);
    }
    dateInput.addEventListener('input', function () { touched = true; updateHint(); });
    timeInput.addEventListener('input', function () { touched = true; updateHint(); });
    zoneInput.addEventListener('input', function () {
      var zone = chosenZone();
      // Untouched defaults follow the zone: "a few minutes from now" there too.
      if (zone && !touched) setDefaults(zone);
      updateHint();
    });
    updateHint();
    setInterval(updateHint, 30000);
  }

  // Live character counter: the server refuses an over-long message with a clear error; nothing is cut silently.
  var message = document.getElementById('message');
  var counter = document.getElementById('message-count');
  if (message && counter) {
    var max = Number(message.dataset.max);
    var count = function () {
      var left = max - Array.from(message.value).length;
      counter.textContent = left >= 0 ? left + ' of ' + max + ' characters left' : -left + ' characters too many (at most ' + max + ')';
      counter.classList.toggle('over', left < 0);
    };
    message.addEventListener('input', count);
    count();
  }

  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  // Cancel asks first, naming the call; the server asks on its own page when this script is absent.
  document.addEventListener('submit', function (event) {
    var target = event.target;
    if (!(target instanceof HTMLFormElement) || !target.classList.contains('cancel-form')) return;
    if (!window.confirm(target.dataset.confirm || 'Cancel this call?')) { event.preventDefault(); return; }
    if (!target.querySelector('input[name=confirmed]')) {
      var confirmed = document.createElement('input');
      confirmed.type = 'hidden';
      confirmed.name = 'confirmed';
      confirmed.value = 'yes';
      target.appendChild(confirmed);
    }
  });

  // ---- live list ----
  var announcer = document.getElementById('announcer');
  var PHRASES = {
    scheduled: 'is scheduled', dialing: 'is being dialed', ringing: 'is ringing', in_progress: 'was answered',
    completed: 'has ended: completed', busy: 'has ended: the line was busy', no_answer: 'has ended: nobody answered',
    failed: 'has failed', canceled: 'was canceled', missed: 'was missed',
  };
  function announce(text) {
    if (!announcer) return;
    var line = document.createElement('p');
    line.textContent = text;
    announcer.appendChild(line);
    while (announcer.childNodes.length > 5) announcer.removeChild(announcer.firstChild);
  }

  var groups = document.getElementById('call-groups');
  var callsSection = document.getElementById('calls');
  var callPage = document.querySelector('.call-page[data-id]');
  if ((!groups && !callPage) || !window.EventSource) return;

  /** What the page last showed of each call, so a change is announced once. */
  var known = {};
  function remember(root) {
    root.querySelectorAll('li.call[data-id]').forEach(function (row) { known[row.dataset.id] = row.dataset.status; });
  }
  if (groups) remember(groups);

  function identity(node) {
    if (node.nodeType !== 1) return null;
    if (node.matches('li.call')) return 'li:' + node.dataset.id;
    if (node.matches('ul')) return 'ul:' + node.dataset.group;
    return node.tagName + ':' + node.textContent.trim();
  }
  /**
   * Makes `current`'s children match `fresh`'s without touching what did not change: rows with the same key stay
   * the very same nodes (focus, selection and a screen reader's place survive); changed rows are swapped; nothing
   * that stays is moved unless the order itself changed.
   */
  function morph(current, fresh) {
    var wanted = Array.prototype.filter.call(fresh.childNodes, function (n) { return n.nodeType === 1; });
    var ids = wanted.map(identity);
    Array.prototype.slice.call(current.children).forEach(function (child) { if (ids.indexOf(identity(child)) === -1) child.remove(); });
    wanted.forEach(function (node, i) {
      var id = ids[i];
      var existing = Array.prototype.find.call(current.children, function (c) { return identity(c) === id; });
      var use;
      if (existing && existing.matches('ul')) { morph(existing, node); use = existing; }
      else if (existing && (!existing.matches('li.call') || existing.dataset.key === node.dataset.key)) use = existing;
      else {
        use = document.importNode(node, true);
        if (existing) {
          var hadFocus = existing.contains(document.activeElement);
          existing.replaceWith(use);
          if (hadFocus) { var link = use.querySelector('a, button'); if (link) link.focus(); }
        }
      }
      if (current.children[i] !== use) current.insertBefore(use, current.children[i] || null);
    });
  }

  var pending = [];
  var refreshing = null;
  var again = false;
  function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = fetch('/partials/calls', { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('call-groups');
        if (fresh) morph(groups, fresh);
        var said = pending;
        pending = [];
        said.forEach(function (change) {
          var row = groups.querySelector('li.call[data-id="' + CSS.escape(change.id) + '"]');
          var to = row ? row.dataset.to : change.to;
          announce('Call to ' + to + ' ' + (PHRASES[change.status] || change.status.replace('_', ' ')));
        });
      })
      .catch(function () { /* offline for a moment: the next event or tick tries again */ })
      .then(function () {
        refreshing = null;
        if (again) { again = false; refresh(); }
      });
    return refreshing;
  }

  function onCall(call) {
    var before = known[call.id];
    known[call.id] = call.status;
    if (callPage) {
      if (call.id === callPage.dataset.id && before !== undefined && before !== call.status) {
        announce('This call ' + (PHRASES[call.status] || call.status));
        // The call's own page is short: its facts and timeline are fetched again and swapped in.
        fetch(location.pathname, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
          .then(function (res) { return res.ok ? res.text() : null; })
          .then(function (html) {
            var fresh = html && new DOMParser().parseFromString(html, 'text/html').querySelector('.call-page');
            if (fresh) { callPage.className = fresh.className; callPage.innerHTML = fresh.innerHTML; }
          })
          .catch(function () { /* shown at the next change */ });
      }
      return;
    }
    if (before !== call.status) pending.push({ id: call.id, status: call.status, to: call.to });
    refresh();
  }

  if (callPage) known[callPage.dataset.id] = (callPage.className.match(/status-(\w+)/) || [])[1];
  var since = callsSection ? callsSection.dataset.since : String(Date.now());
  var source = new EventSource('/api/calls/events?since=' + encodeURIComponent(since || ''));
  var liveState = document.getElementById('live-state');
  source.addEventListener('open', function () { if (liveState) liveState.hidden = false; });
  source.addEventListener('error', function () { if (liveState) liveState.hidden = true; });
  source.addEventListener('call', function (event) {
    try { onCall(JSON.parse(event.data)); } catch (e) { /* a malformed event is skipped */ }
  });

  if (groups) {
    // The server rendered times in the zone it knew; when the script just told it the browser's, show them again.
    if (zoneCookieChanged) {
      var shownIn = document.getElementById('viewer-zone');
      var shownLabel = document.getElementById('viewer-zone-label');
      if (shownIn) shownIn.value = viewerZone;
      if (shownLabel) {
        var offset = new Intl.DateTimeFormat('en-US', { timeZone: viewerZone, timeZoneName: 'shortOffset' }).formatToParts(Date.now())
          .find(function (p) { return p.type === 'timeZoneName'; });
        var utc = offset ? offset.value.replace('GMT', 'UTC').replace('-', '\u2212') : 'UTC';
        shownLabel.textContent = viewerZone === 'UTC' ? 'UTC' : city(viewerZone) + ' (' + utc + ')';
      }
      refresh();
    }
    // Time passes without events: relative times move on, and a scheduled call past due is shown as waiting.
    setInterval(function () {
      var stale = false;
      groups.querySelectorAll('li.call').forEach(function (row) {
        var time = row.querySelector('time[datetime]');
        var rel = row.querySelector('.relative');
        if (!time) return;
        var at = Date.parse(time.getAttribute('datetime'));
        if (rel) rel.textContent = '· ' + relative(at);
        if (row.dataset.status === 'scheduled' && row.dataset.waiting === 'no' && at <= Date.now()) stale = true;
      });
      if (stale) refresh();
    }, 15000);
  }
})();
