// Asks before a form marked data-confirm is sent (deleting a record); without JavaScript the
// form is sent at once.
document.querySelectorAll('form[data-confirm]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
