// Progressive enhancement only: shows the fields the chosen repetition uses, and asks before a delete. Without it
// every field stays visible (the server ignores those that do not apply) and the server asks on a page of its own.
import { confirmSubmit, focusErrorSummary } from './form-helpers.js';

(() => {
  const form = document.getElementById('sched-form');
  if (form) {
    const update = () => {
      const choice = form.querySelector('input[name="repeat"]:checked')?.value ?? 'weekday';
      for (const el of form.querySelectorAll('[data-for]')) {
        const wanted = el.dataset.for;
        el.hidden =
          wanted === 'repeating' ? choice === 'once' : wanted === 'clock' ? choice === 'cron' : wanted !== choice;
      }
    };
    form.addEventListener('change', update);
    update();
    focusErrorSummary();
  }
  confirmSubmit('confirm-form', 'Delete it?');
})();
