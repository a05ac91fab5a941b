// The trace viewer: one self-contained HTML page (inline CSS, script and
// data; no server, no network) that steps through a kernel trace and draws
// each state (viewer-data.ts says what is drawn). Keys: arrows or n/p step,
// Home/End jump. Every text is set with textContent: trace data never becomes
// markup.

import type { ViewerData } from './viewer-data.ts';

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { padding: 10px 16px; background: #263238; color: #fff; }
header h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 2px 0; font-size: 12px; color: #cfd8dc; max-width: 1200px; }
nav { display: flex; gap: 8px; align-items: center; padding: 8px 16px; background: #eceff1; position: sticky; top: 0; z-index: 2; }
nav button { font-size: 14px; padding: 2px 10px; }
nav input[type=range] { flex: 1; }
#counter { font-weight: bold; min-width: 110px; }
main { display: grid; grid-template-columns: 360px 1fr 300px; gap: 12px; padding: 12px 16px; }
section, aside { background: #fff; border: 1px solid #cfd8dc; border-radius: 6px; padding: 8px 10px; }
h2 { font-size: 15px; margin: 0 0 6px; }
h3 { font-size: 13px; margin: 8px 0 4px; }
pre { font: 12px/1.35 ui-monospace, monospace; white-space: pre-wrap; margin: 0; }
ul { margin: 4px 0; padding-left: 18px; font: 12px ui-monospace, monospace; }
.threads { display: flex; gap: 8px; flex-wrap: wrap; }
.thread { border: 1px solid #b0bec5; border-radius: 4px; padding: 4px 6px; min-width: 140px; font-size: 12px; }
.thread.acting { border: 2px solid #1565c0; background: #e3f2fd; }
.thread .title { font-weight: bold; }
.nodes { display: flex; gap: 10px; flex-wrap: wrap; margin-top: 8px; }
.node { border: 2px solid #90a4ae; border-radius: 6px; padding: 6px; min-width: 240px; }
.node.private { border-color: #8e24aa; }
.node .title { font-weight: bold; }
.node .states { font-size: 11px; color: #555; }
.zone { margin: 4px 0; font-size: 12px; }
.bar { height: 10px; background: #eceff1; border: 1px solid #b0bec5; position: relative; }
.bar .fill { height: 100%; background: #66bb6a; }
.pages { display: flex; gap: 4px; flex-wrap: wrap; margin-top: 4px; }
.page { border: 1px solid #b0bec5; border-radius: 4px; padding: 3px 5px; font-size: 11px; min-width: 92px; }
.page.buddy { color: #90a4ae; border-style: dashed; }
.page.free { background: #fff3e0; }
.page .pfn { font-weight: bold; }
.flag { display: inline-block; background: #e0e0e0; border-radius: 3px; padding: 0 3px; margin: 1px; }
.map { color: #1565c0; }
.map.rw { color: #c62828; font-weight: bold; }
.device { margin-top: 10px; font-size: 12px; }
.gauge { height: 18px; background: #eceff1; border: 1px solid #78909c; position: relative; margin: 4px 0 14px; }
.gauge .fill { height: 100%; background: #42a5f5; }
.gauge .fill.over { background: #e53935; }
.gauge .mark { position: absolute; top: -3px; bottom: -3px; width: 2px; background: #333; }
.gauge .mark span { position: absolute; top: 22px; left: 2px; font-size: 10px; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
td { border-bottom: 1px solid #eceff1; padding: 2px 4px; vertical-align: top; overflow-wrap: anywhere; }
td:last-child { font-family: ui-monospace, monospace; font-size: 11px; }
.changed { background: #fff59d !important; outline: 2px solid #fbc02d; }
#violation { margin: 0 16px 16px; padding: 10px 12px; background: #ffebee; border: 2px solid #c62828; border-radius: 6px; }
#violation h2 { color: #c62828; }
`;

// Plain browser JavaScript: reads the data island, draws step i.
const SCRIPT = `
const data = JSON.parse(document.getElementById('trace-data').textContent);
const last = data.steps.length - 1;
let cur = 0;
const $ = (id) => document.getElementById(id);
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function mark(e, key, changed) {
  e.dataset.key = key;
  if (changed.has(key)) e.classList.add('changed');
  return e;
}
const actors = [...new Set(data.steps.map((s) => s.actor).filter((a) => a !== ''))];
function draw(i) {
  cur = Math.max(0, Math.min(last, i));
  const s = data.steps[cur];
  const st = s.state;
  const changed = new Set(st.changed);
  $('counter').textContent = 'step ' + cur + ' / ' + last;
  $('slider').value = String(cur);
  $('step-title').textContent = cur === 0 ? 'Initial state' : 'Step ' + s.n + ': ' + s.actor;
  $('calls').textContent = cur === 0 ? '(before the first step)' : s.calls.join('\\n');
  const ch = $('changes');
  ch.replaceChildren(...s.changes.map((c) => el('li', '', c)));
  const th = $('threads');
  th.replaceChildren(...actors.map((a) => {
    const t = st.threads.find((x) => x.title === a);
    const box = el('div', 'thread' + (a === s.actor ? ' acting' : ''));
    box.dataset.actor = a;
    box.append(el('div', 'title', a));
    if (a === s.actor) box.append(el('pre', 'doing', s.calls.join('\\n')));
    if (t && t.holds) box.append(mark(el('div', 'holds', 'holds ' + t.holds), t.key, changed));
    return box;
  }));
  const nodes = $('nodes');
  nodes.replaceChildren(...st.nodes.map((n) => {
    const box = mark(el('div', 'node ' + n.kind), n.key, changed);
    box.append(el('div', 'title', 'node ' + n.id + ' (' + n.kind + ')'));
    box.append(el('div', 'states', n.states));
    for (const z of n.zones) {
      const zb = mark(el('div', 'zone'), z.key, changed);
      zb.append(el('div', '', 'ZONE_' + z.name + ': ' + z.free + ' free of ' + z.managed + (z.boost ? ', watermark_boost ' + z.boost : '')));
      const bar = el('div', 'bar');
      const fill = el('div', 'fill');
      fill.style.width = (z.managed ? (100 * (z.managed - z.free)) / z.managed : 0) + '%';
      bar.append(fill);
      zb.append(bar);
      box.append(zb);
    }
    const pages = el('div', 'pages');
    for (const p of n.pages) {
      const pc = mark(el('div', 'page ' + p.kind), p.key, changed);
      pc.append(el('div', 'pfn', 'pfn ' + p.pfn + (p.kind === 'buddy' ? '' : p.kind === 'free' ? ' (free)' : '')));
      for (const t of p.text) if (p.kind !== 'buddy') pc.append(el('div', '', t));
      if (p.kind === 'buddy') pc.append(el('div', '', 'free'));
      const fl = el('div', 'flags');
      for (const f of p.flags) fl.append(el('span', 'flag', f));
      pc.append(fl);
      for (const m of p.maps) pc.append(el('div', 'map' + (m.endsWith(' rw') ? ' rw' : ''), 'PTE ' + m));
      pages.append(pc);
    }
    box.append(pages);
    return box;
  }));
  const dev = $('device');
  dev.replaceChildren();
  if (st.device) {
    const d = st.device;
    const wrap = mark(el('div', ''), 'device', changed);
    wrap.append(el('div', '', 'Compressed device: ' + d.used + ' of ' + d.phys + ' units used, level ' + d.level + (d.irq && d.irq !== '-' ? ', IRQ raised: ' + d.irq : '')));
    const g = el('div', 'gauge');
    const f = el('div', 'fill' + (d.used > d.phys ? ' over' : ''));
    f.style.width = Math.min(100, (100 * d.used) / d.phys) + '%';
    g.append(f);
    for (const [name, at] of [['lthresh', d.lthresh], ['hthresh', d.hthresh]]) {
      const m = el('div', 'mark');
      m.style.left = (100 * at) / d.phys + '%';
      m.append(el('span', '', name + ' ' + at));
      g.append(m);
    }
    wrap.append(g);
    dev.append(wrap);
  }
  $('facts').replaceChildren(...st.facts.map((f) => mark(el('li', '', f.text), f.key, changed)));
  $('machines').replaceChildren(...st.machines.filter((m) => !/^(free|absent|unallocated)$/.test(m.state) || changed.has(m.key)).map((m) => {
    const tr = mark(el('tr', ''), m.key, changed);
    tr.append(el('td', '', m.machine), el('td', '', m.entity), el('td', '', m.state));
    return tr;
  }));
  $('violation').hidden = cur !== last;
  $('prev').disabled = cur === 0;
  $('next').disabled = cur === last;
}
$('slider').max = String(last);
$('slider').addEventListener('input', (e) => draw(Number(e.target.value)));
$('first').addEventListener('click', () => draw(0));
$('prev').addEventListener('click', () => draw(cur - 1));
$('next').addEventListener('click', () => draw(cur + 1));
$('end').addEventListener('click', () => draw(last));
document.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowRight' || e.key === 'n') draw(cur + 1);
  else if (e.key === 'ArrowLeft' || e.key === 'p') draw(cur - 1);
  else if (e.key === 'Home') draw(0);
  else if (e.key === 'End') draw(last);
});
$('violation-title').textContent = data.property + (data.message === null ? ' holds at the end (trace diverged)' : ' fails after step ' + last);
$('violation-message').textContent = data.message ?? '';
$('violation-source').textContent = data.source;
draw(0);
`;

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The JSON data island, safe inside a <script> element. */
function dataIsland(d: ViewerData): string {
  return JSON.stringify(d).replace(/</g, '\\u003c');
}

export function viewerHtml(d: ViewerData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(d.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(d.title)}</h1>
${d.scenario.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
</header>
<nav>
<button id="first" title="Home">first</button>
<button id="prev" title="Left arrow">&#x25c0; prev</button>
<span id="counter"></span>
<button id="next" title="Right arrow">next &#x25b6;</button>
<button id="end" title="End">last</button>
<input id="slider" type="range" min="0" value="0" aria-label="step">
</nav>
<div id="violation" hidden><h2 id="violation-title"></h2><pre id="violation-message"></pre><div id="violation-source"></div></div>
<main>
<section><h2 id="step-title"></h2><pre id="calls"></pre><h3>State changes</h3><ul id="changes"></ul></section>
<section><h2>State</h2><div id="threads" class="threads"></div><div id="nodes" class="nodes"></div><div id="device" class="device"></div><h3>Other kernel state</h3><ul id="facts"></ul></section>
<aside><h2>Protocol machines</h2><table><tbody id="machines"></tbody></table></aside>
</main>
<script type="application/json" id="trace-data">${dataIsland(d)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
