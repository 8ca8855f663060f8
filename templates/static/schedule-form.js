// The scheduling form: the zone field (IANA name or city), its default date and time, and the "when" hint.
import { city, clock, ianaName, instantOf, knownZone, offsetOf, partsIn, relative } from './zone-time.js';
import { viewerZone } from './viewer-zone.js';

var LEAD_MINUTES = 3;

export function enhanceScheduleForm() {
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
      if (zoneInput.value === zoneInput.dataset.viewer && zoneInput.value !== ianaName(viewerZone)) zoneInput.value = ianaName(viewerZone);
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
}
