// Small helpers for the forms: the message counter, focus on the error summary, and the cancel confirmation.

// Live character counter: the server refuses an over-long message with a clear error; nothing is cut silently.
export function countMessage() {
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
}

export function focusErrorSummary() {
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
}

// Cancel asks first, naming the call; the server asks on its own page when this script is absent.
export function confirmCancel() {
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
}
