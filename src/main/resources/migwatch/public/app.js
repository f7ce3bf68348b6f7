// migwatch dashboard: plain JS, no build step. Reads /api, draws with Chart.js (served from the jar).
'use strict';

const REFRESH_MS = 15000;
const COLORS = ['#2f6fde', '#1f9d55', '#d98e04', '#d64545', '#7b5cd6', '#0f9bb0', '#c2417c', '#5f6b7a'];
const STATUS_COLORS = { RUNNING: '#2f6fde', FINISHED: '#1f9d55', FAILED: '#d64545', STOPPED: '#d98e04',
  PENDING: '#7b5cd6', UNKNOWN: '#8a96a3' };
const view = document.getElementById('view');
let timer = null;
let charts = [];

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const enc = encodeURIComponent;
const fmtTime = (t) => (t ? new Date(t).toLocaleString() : '—');
const fmtNum = (n) => (n == null ? '—' : Number(n).toLocaleString(undefined, { maximumFractionDigits: 1 }));

const RANGES = [['1h', 'last hour'], ['6h', 'last 6 hours'], ['24h', 'last 24 hours'], ['7d', 'last 7 days'],
  ['30d', 'last 30 days'], ['all', 'everything']];

function rangeStart(range) {
  const m = /^(\d+)([hd])$/.exec(range);
  return m ? new Date(Date.now() - Number(m[1]) * (m[2] === 'h' ? 3600e3 : 86400e3)).toISOString() : null;
}

function fmtDuration(sec) {
  if (sec == null) return '—';
  sec = Math.round(sec);
  if (sec < 60) return sec + ' s';
  const d = Math.floor(sec / 86400), h = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60);
  return (d ? d + 'd ' : '') + (h ? h + 'h ' : '') + (d ? '' : m + 'm');
}

function ago(t) {
  if (!t) return '—';
  return fmtDuration((Date.now() - new Date(t).getTime()) / 1000) + ' ago';
}

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}

function badge(status) {
  return `<span class="badge ${esc(status || 'UNKNOWN')}">${esc(status || 'UNKNOWN')}</span>`;
}

function bar(pct, label) {
  const p = Math.max(0, Math.min(100, pct ?? 0));
  return `<div class="bar" title="${esc(label)}"><span style="width:${p}%"></span><em>${pct == null ? '?' : p.toFixed(1) + ' %'}</em></div>`;
}

function etaText(eta) {
  if (!eta) return '—';
  let s = eta.finishAt
    ? `<b>${fmtDuration(eta.remainingSeconds)}</b><div class="sub">${fmtTime(eta.finishAt)} · ${fmtNum(eta.ratePerSecond)} ${eta.measure === 'percent' ? '%/s' : 'rec/s'}</div>`
    : `<span class="muted">${esc(eta.reason)}</span>`;
  if (eta.stall && eta.stall.stalled) s += `<div class="err">stalled since ${fmtTime(eta.stall.unchangedSince)}</div>`;
  if (eta.provider && eta.provider.finishAt) s += `<div class="sub">provider: ${fmtTime(eta.provider.finishAt)}</div>`;
  return s;
}

function delayText(t) {
  const d = t.delay || {};
  const cur = d.current ?? t.delaySeconds;
  if (cur == null) return '<span class="muted">—</span>';
  const hot = d.aboveThresholdSince != null;
  let s = `<span class="delay ${hot ? 'hot' : ''}">${fmtDuration(cur)}</span>`;
  if (d.max != null) s += `<div class="sub">max ${fmtDuration(d.max)} · avg ${fmtDuration(d.avg)}</div>`;
  if (hot) s += `<div class="sub">&gt; ${d.threshold} s since ${fmtTime(d.aboveThresholdSince)}</div>`;
  return s;
}

function lastErrorText(t) {
  const parts = [];
  if (t.lastPoll && t.lastPoll.outcome !== 'OK') {
    parts.push(`<div class="err" title="${esc(t.lastPoll.errorMessage)}">poll ${esc(t.lastPoll.outcome)}: ${esc(t.lastPoll.errorCode || '')}</div>`);
  }
  if (t.lastError) {
    parts.push(`<div class="err" title="${esc(t.lastError.message)}">${esc(t.lastError.code || t.lastError.origin)}: ${esc(t.lastError.message || '')}</div><div class="sub">${ago(t.lastError.at)}</div>`);
  }
  return parts.join('') || '<span class="ok">none</span>';
}

function stepsCell(t) {
  if (t.runningSteps && t.runningSteps.length) {
    return t.runningSteps.map((s) => {
      const label = s.capacity ? `${fmtNum(s.processedRecords)} / ${fmtNum(s.capacity)}` : '';
      return `<div class="steplabel">${esc(s.stepName || s.stepKey)} ${label ? '· ' + label : ''}</div>` +
        (s.progressPct != null ? bar(s.progressPct, label) : '');
    }).join('');
  }
  return t.progressPct != null ? bar(t.progressPct, 'task progress') : '<span class="muted">—</span>';
}

// With several nodes (or a node id): which node polls each source. /api/sources says whether the node serving this
// page leads a source; for the others the node of the source's newest poll is the best word this node has.
function sourcesCard(sources, tasks) {
  const newest = new Map();
  tasks.forEach((t) => {
    const p = t.lastPoll;
    if (p && p.node && (!newest.has(t.source) || Date.parse(newest.get(t.source).at) < Date.parse(p.at))) newest.set(t.source, p);
  });
  if (!sources.some((s) => s.leader != null) && !newest.size) return '';
  const cells = sources.map((s) => {
    const p = newest.get(s.source);
    let node, text;
    if (s.leader === true) {
      node = s.node;
      text = `led by <b>${esc(node)}</b> <span class="sub">(this node)</span>`;
    } else if (s.leader === false) {
      node = p && p.node !== s.node ? p.node : '';
      text = node ? `led by <b>${esc(node)}</b>` : 'led by another node';
    } else {
      node = p ? p.node : '';
      text = node ? `polled by <b>${esc(node)}</b>` : '<span class="muted">not polled yet</span>';
    }
    const last = p ? `<div class="sub">newest poll ${ago(p.at)} by ${esc(p.node)}</div>` : '';
    return `<div class="source" data-source="${esc(s.source)}" data-node="${esc(node)}"><b>${esc(s.source)}</b> ${text}${last}</div>`;
  });
  return `<div class="card"><h2>Sources and their nodes</h2><div class="sources">${cells.join('')}</div></div>`;
}

// Firing alerts (GET /api/alerts) by source/taskId; none when the API cannot say (an older server, a database hiccup)
async function firingAlerts() {
  const data = await api('/api/alerts?state=FIRING').catch(() => ({ alerts: [] }));
  const byTask = new Map();
  (data.alerts || []).forEach((a) => {
    const k = a.source + '/' + a.taskId;
    if (!byTask.has(k)) byTask.set(k, []);
    byTask.get(k).push(a);
  });
  return { all: data.alerts || [], byTask };
}

function alertBadges(alerts) {
  return (alerts || []).map((a) => `<span class="alert" data-rule="${esc(a.rule)}" title="${esc(a.message)} (since ${fmtTime(a.since)})">&#9888; ${esc(a.rule)}</span>`).join('');
}

async function showList() {
  // the task list is what matters: without /api/sources it shows no source card, without /api/alerts no badge
  const [data, loads, firing] = await Promise.all([api('/api/tasks'), api('/api/sources').catch(() => ({ sources: [] })),
    firingAlerts()]);
  const tasks = data.tasks;
  const count = (st) => tasks.filter((t) => t.status === st).length;
  const failingPolls = tasks.filter((t) => t.lastPoll && t.lastPoll.outcome !== 'OK').length;
  view.innerHTML = `
    <div class="summary">
      <div class="tile"><span class="muted">tasks</span><b>${tasks.length}</b></div>
      <div class="tile"><span class="muted">running</span><b style="color:var(--blue)">${count('RUNNING')}</b></div>
      <div class="tile"><span class="muted">finished</span><b style="color:var(--green)">${count('FINISHED')}</b></div>
      <div class="tile"><span class="muted">failed</span><b style="color:var(--red)">${count('FAILED')}</b></div>
      <div class="tile"><span class="muted">polls failing</span><b style="color:var(--amber)">${failingPolls}</b></div>
      <div class="tile"><span class="muted">alerts firing</span><b id="alerts-firing" style="color:var(--red)">${firing.all.length}</b></div>
    </div>
    ${sourcesCard(loads.sources || [], tasks)}
    <div class="card">
      <table id="tasks">
        <thead><tr><th>Task</th><th>Status</th><th>Running step / progress</th><th>Delay</th><th>ETA</th><th>Last poll</th><th>Last error</th></tr></thead>
        <tbody>${tasks.map((t) => `
          <tr class="task" data-task="${esc(t.source)}/${esc(t.taskId)}" data-href="#/task/${enc(t.source)}/${enc(t.taskId)}">
            <td><div class="name"><a href="#/task/${enc(t.source)}/${enc(t.taskId)}">${esc(t.taskName || t.taskId)}</a></div>
                <div class="sub"><span class="badge prov">${esc(t.provider)}</span> ${esc(t.source)} · <code>${esc(t.taskId)}</code></div>
                ${alertBadges(firing.byTask.get(t.source + '/' + t.taskId))}</td>
            <td>${badge(t.status)}<div class="sub">${esc(t.rawStatus || '')}</div>${t.goneAt
                ? `<div class="sub" title="no longer polled since ${esc(t.goneAt)}">gone: ${esc((t.goneReason || '').toLowerCase())}</div>` : ''}</td>
            <td>${stepsCell(t)}</td>
            <td>${delayText(t)}</td>
            <td>${etaText(t.eta)}</td>
            <td class="lastpoll" data-node="${esc(t.lastPoll && t.lastPoll.node)}">${t.lastPoll ? `${ago(t.lastPoll.at)}<div class="sub">${esc(t.lastPoll.outcome)}${
                t.lastPoll.node ? ' · by ' + esc(t.lastPoll.node) : ''}</div>` : '—'}</td>
            <td>${lastErrorText(t)}</td>
          </tr>`).join('') || '<tr><td colspan="7" class="empty">No task polled yet.</td></tr>'}
        </tbody>
      </table>
    </div>`;
  view.querySelectorAll('tr.task').forEach((tr) => tr.addEventListener('click', (e) => {
    if (e.target.tagName !== 'A') location.hash = tr.dataset.href;
  }));
  view.dataset.tasks = String(tasks.length);
  view.dataset.alerts = String(firing.all.length);
}

// Tick labels as fine as the time range needs: a few minutes of history (a task just started, the demo)
// would otherwise show the same hh:mm under every tick; several days need the date.
function tickFormat(spanMs) {
  if (spanMs < 10 * 60 * 1000) return { hour: '2-digit', minute: '2-digit', second: '2-digit' };
  if (spanMs > 36 * 3600 * 1000) return { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return { hour: '2-digit', minute: '2-digit' };
}

function timeAxis(series) {
  const ts = series.flatMap((s) => s.points.map((p) => new Date(p.t).getTime()));
  const min = Math.min(...ts), max = Math.max(...ts);
  const format = tickFormat(max - min);
  return {
    type: 'linear',
    min,
    max,
    ticks: {
      maxTicksLimit: 8,
      callback: (v) => new Date(v).toLocaleString([], format),
    },
    grid: { color: '#eef1f5' },
  };
}

function drawChart(id, payload, yTitle, opts = {}) {
  const box = document.getElementById(id);
  const series = payload.series || [];
  const points = series.reduce((n, s) => n + s.points.length, 0);
  box.dataset.points = String(points);
  if (!points) {
    box.innerHTML = '<div class="empty">no data in this range</div>';
    return;
  }
  const canvas = document.createElement('canvas');
  box.appendChild(canvas);
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: series.map((s, i) => ({
        label: s.name,
        data: s.points.map((p) => ({ x: new Date(p.t).getTime(), y: p.v })),
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length] + '22',
        fill: opts.fill ?? false,
        stepped: opts.stepped ?? false,
        pointRadius: 0,
        borderWidth: 2,
        tension: 0.2,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      scales: {
        x: timeAxis(series),
        y: { beginAtZero: true, max: opts.max, title: { display: true, text: yTitle }, grid: { color: '#eef1f5' } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12 } },
        tooltip: { callbacks: { title: (items) => fmtTime(items[0].parsed.x) } },
      },
    },
  });
  charts.push(chart);
  box.dataset.drawn = String(chart.data.datasets.reduce((n, d) => n + d.data.length, 0));
}

function drawTimeline(spans) {
  const box = document.getElementById('timeline');
  if (!spans.length) {
    box.innerHTML = '<div class="empty">no components reported (OMS only)</div>';
    return;
  }
  const start = Math.min(...spans.map((s) => new Date(s.from).getTime()));
  const end = Math.max(...spans.map((s) => new Date(s.to).getTime()), start + 1);
  const byComp = new Map();
  spans.forEach((s) => {
    const k = s.kind + ' ' + s.name;
    if (!byComp.has(k)) byComp.set(k, []);
    byComp.get(k).push(s);
  });
  let html = '';
  byComp.forEach((list, k) => {
    const segs = list.map((s) => {
      const w = Math.max(0.5, ((new Date(s.to) - new Date(s.from)) / (end - start)) * 100);
      return `<span style="width:${w}%;background:${STATUS_COLORS[s.status] || '#8a96a3'}" title="${esc(s.status)} (${esc(s.rawStatus)}) ${fmtTime(s.from)} – ${fmtTime(s.to)}"></span>`;
    }).join('');
    html += `<div class="tlrow"><div title="${esc(k)}" style="overflow:hidden;text-overflow:ellipsis;white-space:nowrap">${esc(k)}</div><div class="timeline">${segs}</div></div>`;
  });
  html += '<div class="legend">' + Object.entries(STATUS_COLORS).map(([s, c]) => `<span><i style="background:${c}"></i>${s}</span>`).join('') + '</div>';
  html += `<div class="sub">${fmtTime(start)} – ${fmtTime(end)}</div>`;
  box.innerHTML = html;
}

async function showTask(source, taskId) {
  const range = localStorage.getItem('migwatch.range') || '24h';
  const base = `/api/tasks/${enc(source)}/${enc(taskId)}`;
  const [d, firing] = await Promise.all([api(base), firingAlerts()]);
  const t = d.task;
  const alerts = firing.byTask.get(t.source + '/' + t.taskId) || [];
  const alertCard = alerts.length ? `<div class="card alerts" id="task-alerts" data-alerts="${alerts.length}"><h2>Alerts firing</h2><table>
      <thead><tr><th>Rule</th><th>Condition</th><th>Since</th><th>Fired</th><th>Message</th></tr></thead>
      <tbody>${alerts.map((a) => `<tr><td>${alertBadges([a])}</td><td><code>${esc(a.condition)}</code></td><td>${fmtTime(a.since)}</td>
        <td>${fmtTime(a.firedAt)}</td><td>${esc(a.message)}</td></tr>`).join('')}</tbody></table></div>` : '';
  const stallWarn = t.eta && t.eta.stall && t.eta.stall.stalled
    ? `<div class="warn">${esc(t.eta.stepName)} has not moved since ${fmtTime(t.eta.stall.unchangedSince)} while RUNNING.</div>` : '';
  view.innerHTML = `
    <div class="crumb"><a href="#/">← all tasks</a></div>
    <div class="card">
      <h2>${esc(t.taskName || t.taskId)} ${badge(t.status)} <span class="badge prov">${esc(t.provider)}</span></h2>
      ${stallWarn}
      <div class="kv">
        <div><span>source / task id</span><b>${esc(t.source)}</b> <code>${esc(t.taskId)}</code></div>
        <div><span>provider status</span><b>${esc(t.rawStatus || '—')}</b></div>
        <div><span>running step</span><b>${esc(t.runningStep || '—')}</b></div>
        <div><span>progress</span><b>${t.progressPct == null ? '—' : fmtNum(t.progressPct) + ' %'}</b></div>
        <div><span>delay</span><b>${delayText(t)}</b></div>
        <div><span>ETA (recent rate)</span><b>${etaText(t.eta)}</b></div>
        <div><span>last poll</span><b>${t.lastPoll ? ago(t.lastPoll.at) + ' · ' + esc(t.lastPoll.outcome) : '—'}</b>${
          t.lastPoll && t.lastPoll.node ? `<div class="sub">by ${esc(t.lastPoll.node)}</div>` : ''}</div>
        <div><span>started</span><b>${fmtTime(t.startedAt)}</b></div>
      </div>
    </div>
    ${alertCard}
    <div class="card"><h2>Steps now</h2><table>
      <thead><tr><th>#</th><th>Step</th><th>Status</th><th>Progress</th><th>Records</th><th>RPS src / dst</th><th>Delay</th><th>Error</th></tr></thead>
      <tbody>${d.steps.map((s) => `<tr>
        <td>${s.stepOrder ?? ''}</td><td><b>${esc(s.stepName || s.stepKey)}</b><div class="sub">${esc(s.description || '')}</div></td>
        <td>${badge(s.status)}</td><td>${s.progressPct != null ? bar(s.progressPct, '') : '—'}</td>
        <td>${s.capacity ? fmtNum(s.processedRecords) + ' / ' + fmtNum(s.capacity) : fmtNum(s.processedRecords)}</td>
        <td>${s.srcRps != null || s.dstRps != null ? fmtNum(s.srcRps) + ' / ' + fmtNum(s.dstRps) : '—'}</td>
        <td>${s.delaySeconds != null ? fmtDuration(s.delaySeconds) : '—'}</td>
        <td class="err">${esc(s.errorMessage || '')}</td></tr>`).join('') || '<tr><td colspan="8" class="empty">no steps</td></tr>'}</tbody>
    </table></div>
    <div class="range">History shown: <select id="range">${RANGES.map(([k, label]) =>
      `<option value="${k}"${k === range ? ' selected' : ''}>${label}</option>`).join('')}</select></div>
    <div class="grid">
      <div class="card"><h2>Step progress (%)</h2><div class="chartbox" id="chart-progress"></div></div>
      <div class="card"><h2>Throughput (records/s)</h2><div class="chartbox" id="chart-rps"></div></div>
      <div class="card"><h2>Incremental delay (s)</h2><div class="chartbox" id="chart-delay"></div></div>
      <div class="card"><h2>Component TPS</h2><div class="chartbox" id="chart-tps"></div></div>
    </div>
    <div class="card"><h2>Component status timeline</h2><div id="timeline"></div></div>
    <div class="card"><h2>Errors</h2><div id="errors"></div></div>`;
  document.getElementById('range').addEventListener('change', (e) => {
    localStorage.setItem('migwatch.range', e.target.value);
    render();
  });
  // a months-long sync has millions of samples: charts read a chosen window, not the whole history
  const since = rangeStart(range);
  const from = since ? '&from=' + encodeURIComponent(since) : '';
  const [progress, rps, delay, tps, comps, errors] = await Promise.all([
    api(base + '/series?metric=progress&points=300' + from),
    api(base + '/series?metric=rps&points=300' + from),
    api(base + '/series?metric=delay&points=300' + from),
    api(base + '/series?metric=tps&points=300' + from),
    api(base + '/components' + (since ? '?from=' + encodeURIComponent(since) : '')),
    api(base + '/errors?limit=50' + from),
  ]);
  drawChart('chart-progress', progress, '%', { max: 100 });
  drawChart('chart-rps', rps, 'records/s');
  drawChart('chart-delay', delay, 'seconds', { fill: true });
  drawChart('chart-tps', tps, 'tps');
  drawTimeline(comps.spans);
  document.getElementById('errors').innerHTML = errors.errors.length
    ? `<table><thead><tr><th>Last seen</th><th>Seen</th><th>Origin</th><th>Code</th><th>Level</th><th>Message</th></tr></thead><tbody>${errors.errors.map((e) => `<tr>
        <td>${fmtTime(e.lastSeen)}</td><td>${e.seenCount > 1 ? `${e.seenCount}× since ${fmtTime(e.firstSeen)}` : 'once'}</td><td>${esc(e.origin)} <span class="sub">${esc(e.originName || '')}</span></td>
        <td><code>${esc(e.code || '')}</code></td><td>${esc(e.level || '')}</td>
        <td>${esc(e.message || '')}${e.proposal ? `<div class="sub">${esc(e.proposal)}</div>` : ''}</td></tr>`).join('')}</tbody></table>`
    : '<div class="empty">no errors reported</div>';
}

async function render() {
  charts.forEach((c) => c.destroy());
  charts = [];
  const m = location.hash.match(/^#\/task\/([^/]+)\/(.+)$/);
  view.dataset.state = 'loading';
  try {
    if (m) await showTask(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    else await showList();
    view.dataset.state = 'ready';
    document.getElementById('refreshed').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    view.innerHTML = `<div class="card warn">Could not load: ${esc(e.message)}</div>`;
    view.dataset.state = 'error';
  }
}

function schedule() {
  clearInterval(timer);
  if (document.getElementById('auto').checked) timer = setInterval(render, REFRESH_MS);
}

window.addEventListener('hashchange', render);
document.getElementById('auto').addEventListener('change', schedule);
render();
schedule();
