// The live list: the event stream, the list (or a call's own page) brought up to date in place, and each change
// said once in the live region.
import { city, ianaName, relative } from './zone-time.js';
import { viewerZone, zoneCookieChanged } from './viewer-zone.js';
import { morph } from './morph.js';

var PHRASES = {
  scheduled: 'is scheduled', dialing: 'is being dialed', ringing: 'is ringing', in_progress: 'was answered',
  completed: 'has ended: completed', busy: 'has ended: the line was busy', no_answer: 'has ended: nobody answered',
  failed: 'has failed', canceled: 'was canceled', missed: 'was missed',
};

export function startLiveList() {
  var announcer = document.getElementById('announcer');
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
      if (shownIn) shownIn.value = ianaName(viewerZone);
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
}
