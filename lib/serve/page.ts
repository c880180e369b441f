/**
 * The page at `/`: type a date (or a word, for g2p), see the model's output and its attention as
 * a heatmap (one row per output character, one column per source character), switch models and
 * versions (the translator's versions are its attention and encoder variants). Self-contained:
 * inline script and style, no CDN, so it works offline; it talks only to this server's API.
 */
const SCRIPT = String.raw`
const $ = (id) => document.getElementById(id);
let models = [];
async function json(url, init) {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}
async function loadModels() {
  models = (await json('/v1/models')).models;
  $('model').innerHTML = models.map((m) => '<option>' + m.name + '</option>').join('');
  const dt = models.find((m) => m.name === 'date-translator');
  if (dt) $('model').value = dt.name;
  await loadVersions();
}
async function loadVersions() {
  const d = await json('/v1/models/' + encodeURIComponent($('model').value));
  $('version').innerHTML = d.model_version_status.map((v) =>
    '<option value="' + v.version + '"' + (String(d.production) === v.version ? ' selected' : '') + '>v' + v.version + ' · ' + v.member +
    (String(d.production) === v.version ? ' (production)' : '') + '</option>').join('');
  $('hint').textContent = d.signature ? d.signature.input + ' → ' + d.signature.output : '';
}
function heatmap(a) {
  const t = $('heatmap');
  t.replaceChildren();
  const head = t.insertRow();
  head.insertCell().textContent = '';
  for (const c of a.source) { const th = document.createElement('th'); th.textContent = c === ' ' ? '␠' : c; head.appendChild(th); }
  a.weights.forEach((row, i) => {
    const tr = t.insertRow();
    const th = document.createElement('th'); th.textContent = a.output[i]; tr.appendChild(th);
    for (const w of row) {
      const td = tr.insertCell();
      td.style.background = 'rgba(20, 80, 200, ' + w.toFixed(3) + ')';
      td.title = w.toFixed(3);
    }
  });
}
async function predict(ev) {
  ev.preventDefault();
  $('error').textContent = '';
  $('result').textContent = '…';
  try {
    const url = '/v1/models/' + encodeURIComponent($('model').value) + '/versions/' + $('version').value + ':predict';
    const body = await json(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [$('text').value], attention: true }) });
    const p = body.predictions[0];
    // A translator answers {output, attention}; the spam classifier {probability, spam, attention?}.
    $('result').textContent = p.output !== undefined ? p.output : 'spam probability ' + p.probability;
    if (p.attention && p.attention.source) heatmap(p.attention); else $('heatmap').replaceChildren();
  } catch (e) {
    $('result').textContent = '';
    $('heatmap').replaceChildren();
    $('error').textContent = e.message;
  }
}
$('model').addEventListener('change', () => loadVersions().catch((e) => { $('error').textContent = e.message; }));
$('form').addEventListener('submit', predict);
loadModels().then(() => document.body.dataset.ready = '1', (e) => { $('error').textContent = e.message; });
`;

/** The page's HTML. */
export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>seqlab · attention</title>
<style>
body { font: 15px system-ui, sans-serif; margin: 2em auto; max-width: 60em; }
form { display: flex; gap: .5em; flex-wrap: wrap; }
input { flex: 1; min-width: 14em; font-size: 1.1em; }
#result { display: block; font: 1.6em monospace; margin: .6em 0; }
#error { color: #b00; }
#heatmap { border-collapse: collapse; font-family: monospace; }
#heatmap td { width: 1.4em; height: 1.4em; border: 1px solid #eee; }
#heatmap th { padding: 0 .3em; font-weight: normal; }
</style></head>
<body>
<h1>What the model attends to</h1>
<form id="form">
  <select id="model" aria-label="model"></select>
  <select id="version" aria-label="version"></select>
  <input id="text" value="June 3, 2021" aria-label="input" autocomplete="off">
  <button id="go" type="submit">Translate</button>
</form>
<p id="hint"></p>
<output id="result"></output>
<p id="error" role="alert"></p>
<table id="heatmap" aria-label="attention: output characters (rows) × source characters (columns)"></table>
<script type="module">${SCRIPT}</script>
</body></html>
`;
