/**
 * The dashboard's page and script, served as they are (no build step, no third-party code). The script reads
 * /dashboard.json once a second and draws with DOM nodes and textContent only: nothing from the cluster is
 * ever parsed as HTML.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cni-migrate</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 12px 20px; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  main { padding: 16px 20px; display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 12px 14px; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: #5a6475; margin: 0 0 8px; }
  .bar { height: 14px; background: #e4e7ec; border-radius: 7px; overflow: hidden; }
  .bar > div { height: 100%; background: #2f9e44; }
  #grid { display: flex; flex-wrap: wrap; gap: 6px; }
  .node { width: 118px; padding: 6px; border-radius: 4px; color: #fff; font-size: 12px; }
  .node b { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .Pending { background: #8a94a6; } .Done { background: #2f9e44; } .Halted { background: #e03131; }
  .InFlight { background: #1c7ed6; } .Rollback { background: #7048e8; } .RolledBack { background: #f08c00; }
  #halt { display: none; border-color: #e03131; background: #fff5f5; }
  #halt pre { background: #1d2330; color: #e9ecef; padding: 8px; border-radius: 4px; white-space: pre-wrap; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 2px 8px 2px 0; }
  svg { width: 100%; } .muted { color: #8a94a6; }
</style>
</head>
<body>
<header><h1>cni-migrate</h1><span id="stage"></span><span id="phase"></span><span id="counts"></span><span id="eta"></span></header>
<main>
  <section class="wide"><h2>Progress</h2><div class="bar"><div id="progress" style="width:0"></div></div></section>
  <section class="wide" id="halt"><h2>Halted</h2><p id="halt-reason"></p><p id="halt-note"></p><pre id="halt-next"></pre></section>
  <section class="wide"><h2>Nodes</h2><div id="grid"></div></section>
  <section><h2>Grant holders</h2><table id="grants"></table><h2 style="margin-top:12px">In flight</h2><table id="inflight"></table></section>
  <section><h2>Hand-off timeline</h2><svg id="timeline" height="40"></svg></section>
  <section class="wide"><h2>Zero-downtime probe</h2><svg id="probe" height="120"></svg><p id="probe-note" class="muted"></p></section>
</main>
<script src="dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_JS = `'use strict';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
const svgEl = (tag, attrs, text) => { const e = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v)); if (text !== undefined) e.textContent = text; return e; };
const group = (phase) => phase === 'Pending' || phase === 'Done' || phase === 'Halted' || phase === 'RolledBack' ? phase : phase.startsWith('Rollback') ? 'Rollback' : 'InFlight';
const secs = (s) => s < 60 ? s + 's' : Math.floor(s / 60) + 'm' + String(s % 60).padStart(2, '0') + 's';
function rows(table, head, data) {
  table.replaceChildren();
  const tr = el('tr'); head.forEach((h) => tr.appendChild(el('th', '', h))); table.appendChild(tr);
  data.forEach((r) => { const row = el('tr'); r.forEach((c) => row.appendChild(el('td', '', c))); table.appendChild(row); });
  if (data.length === 0) { const row = el('tr'); row.appendChild(el('td', 'muted', '(none)')); table.appendChild(row); }
}
function header(v) {
  $('stage').textContent = 'stage ' + v.stage;
  $('phase').textContent = 'phase ' + v.phase + (v.paused ? ' (paused)' : '');
  $('counts').textContent = v.counts.done + '/' + v.counts.total + ' done, ' + v.counts.inFlight + ' in flight, ' + v.counts.pending + ' pending' + (v.counts.halted ? ', ' + v.counts.halted + ' halted' : '');
  $('eta').textContent = v.etaSeconds === null ? '' : 'ETA ' + secs(v.etaSeconds);
  $('progress').style.width = (v.counts.total ? (100 * v.counts.done) / v.counts.total : 0) + '%';
}
function halt(h) {
  $('halt').style.display = h ? 'block' : 'none';
  if (!h) return;
  $('halt-reason').textContent = h.lines[0] || h.reason;
  $('halt-note').textContent = h.lines[1] || '';
  $('halt-next').textContent = h.next.join('\\n');
}
function grid(nodes) {
  $('grid').replaceChildren(...nodes.map((n) => {
    const d = el('div', 'node ' + group(n.phase)); d.dataset.node = n.name; d.dataset.phase = n.phase;
    d.appendChild(el('b', '', n.name)); d.appendChild(el('span', '', n.phase)); d.title = n.reason || n.phase; return d;
  }));
}
function timeline(bars, now) {
  const svg = $('timeline'); svg.replaceChildren();
  if (bars.length === 0) { svg.appendChild(svgEl('text', { x: 0, y: 20, fill: '#8a94a6' }, 'no node granted yet')); return; }
  const t0 = Date.parse(bars[0].startedAt);
  const t1 = Math.max(now, ...bars.map((b) => (b.finishedAt ? Date.parse(b.finishedAt) : now)));
  const width = svg.clientWidth || 500, label = 110, scale = (width - label - 10) / Math.max(1, t1 - t0);
  svg.setAttribute('height', String(bars.length * 18 + 6));
  bars.forEach((b, i) => {
    const x = label + (Date.parse(b.startedAt) - t0) * scale, end = b.finishedAt ? Date.parse(b.finishedAt) : now;
    svg.appendChild(svgEl('text', { x: 0, y: i * 18 + 14, 'font-size': 12 }, b.node));
    const r = svgEl('rect', { x, y: i * 18 + 3, width: Math.max(2, (end - Date.parse(b.startedAt)) * scale), height: 13, rx: 2 });
    r.setAttribute('class', group(b.phase)); r.style.fill = getComputedStyle(document.querySelector('.' + group(b.phase)) || document.body).backgroundColor;
    svg.appendChild(r);
  });
}
const PAIRINGS = ['calico-calico', 'calico-cilium', 'cilium-cilium', 'service'];
const PAIRING_COLOURS = ['#1c7ed6', '#f08c00', '#2f9e44', '#7048e8'];
const ms = (v) => (v === null || v === undefined ? '-' : v + ' ms');
function probe(p) {
  const svg = $('probe'); svg.replaceChildren();
  if (!p) { $('probe-note').textContent = 'No probe reports: no loss or latency was measured.'; svg.setAttribute('height', '0'); return; }
  $('probe-note').textContent = 'zero-downtime: ' + (p.zeroDowntime === null ? 'not measured' : p.zeroDowntime ? 'yes, no probe lost and no connection broken' : 'NO, probes were lost or connections broke') + ' (' + p.excluded + ' probes to or from a node in flight left out)';
  const rowsShown = PAIRINGS.filter((k) => p.figures[k]);
  const width = svg.clientWidth || 800, chartX = 420, chartW = width - chartX - 10, colW = Math.max(6, Math.min(40, chartW / Math.max(1, p.handOffs.length * 4)));
  svg.setAttribute('height', String(Math.max(104, rowsShown.length * 20 + 30)));
  svg.appendChild(svgEl('text', { x: chartX, y: 12, 'font-size': 11, fill: '#8a94a6' }, 'probes lost per hand-off, by pairing (0-100%)'));
  rowsShown.forEach((k, i) => {
    const f = p.figures[k], colour = PAIRING_COLOURS[PAIRINGS.indexOf(k)];
    const t = svgEl('text', { x: 0, y: 16 + i * 20, 'font-size': 12, fill: colour }, k + ': ' + f.samples + ' probes, lost ' + f.lost + ' (' + f.lossPercent + '%), gap ' + f.longestGapMs + ' ms, p50 ' + ms(f.p50Ms) + ', p99 ' + ms(f.p99Ms) + ', broken ' + f.broken);
    t.dataset.pairing = k; svg.appendChild(t);
  });
  // Loss per hand-off: one group of columns per hand-off, one column per pairing (height: share of probes lost).
  svg.appendChild(svgEl('line', { x1: chartX, y1: 80, x2: chartX + chartW, y2: 80, stroke: '#8a94a6' }));
  p.handOffs.forEach((h, j) => {
    PAIRINGS.forEach((k, i) => {
      const f = h.figures[k]; if (!f) return;
      const height = Math.max(1, f.lossPercent * 0.7);
      const r = svgEl('rect', { x: chartX + j * colW * 4 + i * colW, y: 80 - height, width: colW - 1, height, fill: PAIRING_COLOURS[i] });
      r.dataset.handOff = h.node + '#' + h.attempt; r.dataset.pairing = k;
      r.appendChild(svgEl('title', {}, h.node + ' (attempt ' + h.attempt + ') ' + k + ': lost ' + f.lossPercent + '%'));
      svg.appendChild(r);
    });
    svg.appendChild(svgEl('text', { x: chartX + j * colW * 4, y: 94, 'font-size': 10 }, h.node));
  });
}
async function refresh() {
  try {
    const m = await (await fetch('dashboard.json', { cache: 'no-store' })).json();
    header(m.view); halt(m.view.halt); grid(m.view.nodes);
    rows($('grants'), ['SLOT', 'NODE'], m.grants.map((g) => [String(g.slot), g.node]));
    rows($('inflight'), ['NODE', 'STEP', 'IN STEP'], m.view.inFlight.map((n) => [n.name, n.step, n.secondsInStep === null ? '' : secs(n.secondsInStep)]));
    timeline(m.timeline, Date.parse(m.generatedAt)); probe(m.probe);
    document.body.dataset.loaded = 'true';
  } catch (e) {
    $('phase').textContent = 'cannot reach the coordinator: ' + e;
  }
}
refresh();
setInterval(refresh, 1000);
`;
