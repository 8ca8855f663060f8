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

// A destructive form (cancel a call, delete a schedule) asks first, in words the form gives; without this script the
// server asks on a page of its own. A confirmed form carries `confirmed=yes`, so the server skips its own question.
export function confirmSubmit(formClass, fallbackQuestion) {
  document.addEventListener('submit', function (event) {
    var target = event.target;
    if (!(target instanceof HTMLFormElement) || !target.classList.contains(formClass)) return;
    if (!window.confirm(target.dataset.confirm || fallbackQuestion)) { event.preventDefault(); return; }
    if (!target.querySelector('input[name=confirmed]')) {
      var confirmed = document.createElement('input');
      confirmed.type = 'hidden';
      confirmed.name = 'confirmed';
      confirmed.value = 'yes';
      target.appendChild(confirmed);
    }
  });
}

// Cancel asks first, naming the call.
export function confirmCancel() {
  confirmSubmit('cancel-form', 'Cancel this call?');
}
