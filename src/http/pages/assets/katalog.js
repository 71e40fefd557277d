// Asks before a form marked data-confirm is sent (deleting a record); without JavaScript the
// form is sent at once.
document.querySelectorAll('form[data-confirm]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});

// On the search page, ticking a facet or changing the sort sends the form at once; without
// JavaScript the form's buttons do.
const search = document.getElementById('search');
if (search) {
  search.querySelectorAll('input[type=checkbox], select').forEach((input) => {
    input.addEventListener('change', () => search.submit());
  });
}

// On the SPARQL page, the query box becomes an editor with syntax highlighting (CodeMirror 5,
// from npm, served by katalog); without JavaScript it stays a plain textarea. The editor writes
// the query back into the textarea when the form is sent.
const query = document.getElementById('query');
if (query && window.CodeMirror) {
  const editor = window.CodeMirror.fromTextArea(query, {
    mode: 'application/sparql-query',
    lineNumbers: true,
    viewportMargin: Infinity,
    screenReaderLabel: document.querySelector('label[for=query]').textContent,
  });
  editor.getWrapperElement().classList.add('editor');
}
