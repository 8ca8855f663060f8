// Progressive enhancement only: shows the fields the chosen repetition uses. Without it every field stays visible
// and the server ignores those that do not apply.
(() => {
  const form = document.querySelector('.sched-form form');
  if (!form) return;
  const update = () => {
    const choice = form.querySelector('input[name="repeat"]:checked')?.value ?? 'weekday';
    for (const el of form.querySelectorAll('[data-for]')) {
      const wanted = el.dataset.for;
      el.hidden = wanted === 'repeating' ? choice === 'once' : wanted !== choice;
    }
  };
  form.addEventListener('change', update);
  update();
})();
