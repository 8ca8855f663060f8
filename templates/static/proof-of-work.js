// Solves the proof of work a form asks for (data-pow) before it is sent: a challenge from /api/auth/challenge,
// solved with altcha-lib's browser build (WebCrypto SHA-256, served by us: no third party, works offline), put in
// the hidden `altcha` field as ALTCHA clients send it (base64 of {challenge, solution}).
import { solveChallenge } from '/static/altcha/pow.js';
import { deriveKey } from '/static/altcha/algorithms/web/sha.js';

async function solve() {
  var res = await fetch('/api/auth/challenge', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) throw new Error('challenge ' + res.status);
  var challenge = await res.json();
  var solution = await solveChallenge({ challenge: challenge, deriveKey: deriveKey, timeout: 60000 });
  if (!solution) throw new Error('not solved in time');
  return btoa(JSON.stringify({ challenge: challenge, solution: solution }));
}

document.querySelectorAll('form[data-pow]').forEach(function (form) {
  var field = form.querySelector('input[name="altcha"]');
  var status = form.querySelector('.pow-status');
  var button = form.querySelector('button[type="submit"]');
  var busy = false;
  form.addEventListener('submit', function (event) {
    if (!field || field.value) return;
    event.preventDefault();
    if (busy) return;
    busy = true;
    if (button) button.disabled = true;
    if (status) status.textContent = 'Doing a short calculation before sending (a proof of work)…';
    solve().then(
      function (payload) {
        field.value = payload;
        if (status) status.textContent = 'Done. Sending…';
        form.submit();
      },
      function () {
        busy = false;
        if (button) button.disabled = false;
        if (status) status.textContent = 'The calculation did not finish. Send the form again to retry.';
      },
    );
  });
});
