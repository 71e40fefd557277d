// The SPARQL page without a reload: the query is posted and the answer shown as a table.
document.getElementById('q').addEventListener('submit', async (e) => {
  e.preventDefault();
  const status = document.getElementById('status'), out = document.getElementById('results');
  status.textContent = '…'; out.textContent = '';
  const body = new URLSearchParams({query: e.target.query.value});
  const r = await fetch('/sparql', {method: 'POST', body, headers: {'Accept': 'application/sparql-results+json, text/turtle;q=0.9'}});
  const type = r.headers.get('content-type') || '';
  if (!r.ok) { status.textContent = r.status + ' ' + (await r.text()); return; }
  if (!type.includes('json')) { const pre = document.createElement('pre'); pre.textContent = await r.text(); out.append(pre); status.textContent = ''; return; }
  const data = await r.json();
  if ('boolean' in data) { status.textContent = String(data.boolean); return; }
  const vars = data.head.vars, table = document.createElement('table'), head = table.insertRow();
  vars.forEach(v => { const th = document.createElement('th'); th.textContent = v; head.append(th); });
  data.results.bindings.forEach(b => { const row = table.insertRow(); vars.forEach(v => { row.insertCell().textContent = b[v] ? b[v].value : ''; }); });
  status.textContent = data.results.bindings.length + ' rader' + (r.headers.get('x-sparql-truncated') ? ' (avkortat)' : '');
  out.append(table);
});
