// The dashboard: reads the Outreach API and draws it. Plain JavaScript, no build step.
// Every figure carries data-testid and, in data-value, the raw number the API gave.

const TOKEN_KEY = 'outreach.apiToken';
const WORKSPACE_KEY = 'outreach.workspace';
const STAGES = [
  ['added', 'Added'], ['requested', 'Requested'], ['booked', 'Booked'], ['held', 'Held'], ['thanked', 'Thanked'], ['leads', 'Job leads'],
];
const LEVELS = ['entry', 'mid', 'senior', 'executive'];
const REFRESH_MS = 30_000;
const TABLE_ROWS = 10;

const $ = (id) => document.getElementById(id);
const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

class Unauthorized extends Error {}

async function api(path) {
  const token = localStorage.getItem(TOKEN_KEY);
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers, credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) throw new Unauthorized();
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message ?? `${path}: HTTP ${res.status}`);
  return body;
}

// ---- formatting -------------------------------------------------------------------------------

const nf = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const fmtCount = (n) => (n === null || n === undefined ? '–' : nf.format(n));
const fmtHours = (h) => (h === null || h === undefined ? '–' : h < 1 ? `${Math.round(h * 60)} min` : `${nf.format(h)} h`);
const fmtShare = (s) => (s === null || s === undefined ? '–' : `${Math.round(s * 100)} %`);
const fmtAverage = (a) => (a === null || a === undefined ? '–' : a.toFixed(2));
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const dateFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

function fmtCell(v) {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'string' && ISO.test(v)) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : dateFmt.format(d);
  }
  if (Array.isArray(v)) return v.map(fmtCell).join(', ');
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}: ${fmtCell(x)}`).join('; ');
  if (typeof v === 'number') return nf.format(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** Sets a figure: readable text, and the raw value for tests and scripts. */
function figure(testId, value, format = fmtCount) {
  const el = byTestId(testId);
  if (!el) return;
  el.textContent = format(value);
  el.dataset.value = value === null || value === undefined ? '' : String(value);
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// ---- charts -----------------------------------------------------------------------------------

function funnelChart(totals) {
  const width = 1200;
  const rowH = 30;
  const labelW = 110;
  const valueW = 130;
  const max = Math.max(1, ...STAGES.map(([k]) => totals[k] ?? 0));
  const barMax = width - labelW - valueW;
  const root = svg('svg', { viewBox: `0 0 ${width} ${STAGES.length * rowH}`, role: 'img', 'aria-label': 'Funnel from added to job leads' });
  STAGES.forEach(([key, label], i) => {
    const value = totals[key] ?? 0;
    const prev = i > 0 ? totals[STAGES[i - 1][0]] ?? 0 : null;
    const y = i * rowH;
    const w = Math.max(value > 0 ? 2 : 0, (value / max) * barMax);
    const x = labelW + (barMax - w) / 2;
    root.append(
      svg('text', { x: 0, y: y + rowH / 2 + 4 }, label),
      svg('rect', { class: 'track', x: labelW, y: y + 4, width: barMax, height: rowH - 8, rx: 4 }),
      svg('rect', { class: 'bar', x, y: y + 4, width: w, height: rowH - 8, rx: 4, 'data-testid': `funnel-bar-${key}`, 'data-value': value }),
      svg('text', { x: labelW + barMax + 10, y: y + rowH / 2 + 4 }, fmtCount(value)),
      prev !== null
        ? svg('text', { class: 'muted', x: width, y: y + rowH / 2 + 4, 'text-anchor': 'end' }, prev > 0 ? `${Math.round((value / prev) * 100)} %` : '–')
        : null,
    );
  });
  return root;
}

function funnelWeeks(weeks) {
  if (!weeks.length) return el('p', { class: 'empty' }, 'No activity yet.');
  const head = el('tr', {}, el('th', {}, 'Week'), STAGES.map(([, label]) => el('th', { class: 'num' }, label)));
  const rows = weeks.map((w) => el('tr', {},
    el('td', {}, w.week),
    STAGES.map(([key]) => el('td', { class: 'num', 'data-testid': `funnel-${w.week}-${key}`, 'data-value': String(w[key] ?? 0) }, fmtCount(w[key] ?? 0)))));
  return el('table', {}, el('thead', {}, head), el('tbody', {}, rows));
}

function meetingsChart(weeks) {
  if (!weeks.length) return el('p', { class: 'empty' }, 'No meetings yet.');
  const width = 1200;
  const height = 190;
  const pad = { top: 18, bottom: 28, left: 28, right: 8 };
  const max = Math.max(1, ...weeks.flatMap((w) => [w.booked ?? 0, w.held ?? 0]));
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const slot = innerW / weeks.length;
  const barW = Math.min(26, (slot - 10) / 2);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Meetings booked and held per week' });
  root.append(svg('line', { class: 'axis', x1: pad.left, x2: width - pad.right, y1: pad.top + innerH, y2: pad.top + innerH }));
  for (const tick of [0, Math.ceil(max / 2), max]) {
    const y = pad.top + innerH - (tick / max) * innerH;
    root.append(svg('text', { class: 'muted', x: pad.left - 6, y: y + 4, 'text-anchor': 'end' }, tick));
  }
  const every = Math.ceil(weeks.length / 12);
  weeks.forEach((w, i) => {
    const cx = pad.left + slot * i + slot / 2;
    [['booked', -1], ['held', 0]].forEach(([key, offset]) => {
      const value = w[key] ?? 0;
      const h = (value / max) * innerH;
      const x = cx + offset * barW;
      root.append(
        svg('rect', { class: `bar ${key}`, x, y: pad.top + innerH - h, width: barW - 2, height: h, rx: 2, 'data-testid': `meetings-${w.week}-${key}`, 'data-value': value },
          svg('title', {}, `${w.week}: ${value} ${key}`)),
      );
      if (value > 0) root.append(svg('text', { x: x + (barW - 2) / 2, y: pad.top + innerH - h - 4, 'text-anchor': 'middle' }, value));
    });
    if (i % every === 0) root.append(svg('text', { class: 'muted', x: cx, y: height - 10, 'text-anchor': 'middle' }, w.week));
  });
  const wrap = el('div', {}, root, el('div', { class: 'legend' },
    el('span', {}, el('span', { class: 'swatch booked' }), 'booked'), el('span', {}, el('span', { class: 'swatch held' }), 'held')));
  return wrap;
}

function shareBar(share) {
  const width = 560;
  const root = svg('svg', { viewBox: `0 0 ${width} 26`, role: 'img', 'aria-label': 'Share of thank-yous within 24 hours' });
  root.append(svg('rect', { class: 'track', x: 0, y: 4, width, height: 14, rx: 7 }));
  if (share !== null && share !== undefined) root.append(svg('rect', { class: 'bar held', x: 0, y: 4, width: Math.max(share > 0 ? 4 : 0, share * width), height: 14, rx: 7 }));
  return root;
}

function referralsGauge(average, target) {
  const width = 560;
  const max = Math.max(target * 2, Math.ceil(average ?? 0));
  const scale = (v) => (v / max) * width;
  const root = svg('svg', { viewBox: `0 0 ${width} 40`, role: 'img', 'aria-label': `Average referrals per interview against ${target}` });
  root.append(svg('rect', { class: 'track', x: 0, y: 4, width, height: 14, rx: 7 }));
  if (average !== null && average !== undefined) root.append(svg('rect', { class: `bar ${average >= target ? 'held' : ''}`, x: 0, y: 4, width: Math.max(4, scale(average)), height: 14, rx: 7 }));
  root.append(svg('line', { class: 'target', x1: scale(target), x2: scale(target), y1: 0, y2: 22 }));
  root.append(svg('text', { class: 'muted', x: scale(target), y: 36, 'text-anchor': 'middle' }, `target ${target}`));
  return root;
}

// ---- tables -----------------------------------------------------------------------------------

/** The columns to show: the readable ones named, in that order, and the seeker when every seeker is shown. */
function columnsOf(rows, preferred, showWorkspace) {
  const keys = new Set();
  for (const r of rows) for (const k of Object.keys(r)) keys.add(k);
  let cols = preferred.filter((k) => keys.has(k));
  if (!cols.length) cols = [...keys].filter((k) => !/Id$|^id$/.test(k));
  return showWorkspace && keys.has('workspaceId') ? ['workspaceId', ...cols] : cols;
}

const humanize = (k) => k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()).replace(/^Workspace Id$/, 'Seeker');

function rowsTable(rows, preferred, showWorkspace, emptyText) {
  if (!rows.length) return el('p', { class: 'empty' }, emptyText);
  const cols = columnsOf(rows, preferred, showWorkspace).slice(0, 8);
  const head = el('tr', {}, cols.map((c) => el('th', { class: rows.every((r) => typeof r[c] === 'number' || r[c] == null) ? 'num' : '' }, humanize(c))));
  const cell = (r, c) => (c === 'workspaceId' ? ownerOf(r[c]) : fmtCell(r[c]));
  const body = rows.slice(0, TABLE_ROWS).map((r) => el('tr', {}, cols.map((c) => el('td', { class: typeof r[c] === 'number' ? 'num' : '' }, cell(r, c)))));
  return el('div', {}, el('table', {}, el('thead', {}, head), el('tbody', {}, body)),
    rows.length > TABLE_ROWS ? el('p', { class: 'more' }, `and ${rows.length - TABLE_ROWS} more`) : null);
}

function levelsTable(levelsByIndustry) {
  if (!levelsByIndustry.length) return el('p', { class: 'empty' }, 'No contacts with an industry yet.');
  const head = el('tr', {}, el('th', {}, 'Industry'), LEVELS.map((l) => el('th', {}, l)));
  const rows = levelsByIndustry.map((r) => el('tr', { 'data-testid': `levels-${r.industry}`, 'data-value': r.levels.join(',') },
    el('td', {}, r.industry),
    LEVELS.map((l) => (r.levels.includes(l) ? el('td', { class: 'check', title: `${l}: covered` }, '✓') : el('td', { class: 'miss', title: `${l}: nobody yet` }, '·')))));
  return el('table', {}, el('thead', {}, head), el('tbody', {}, rows));
}

// ---- sections ---------------------------------------------------------------------------------

let workspaces = [];
const ownerOf = (id) => workspaces.find((w) => w.workspaceId === id)?.ownerName ?? id;

function selectedWorkspace() {
  return $('workspace').value;
}

async function loadWorkspaces() {
  const { workspaces: list } = await api('/api/workspaces');
  workspaces = list;
  const select = $('workspace');
  const keep = select.value || localStorage.getItem(WORKSPACE_KEY) || '';
  select.replaceChildren(
    el('option', { value: '' }, `All seekers (${list.length})`),
    ...list.map((w) => el('option', { value: w.workspaceId }, `${w.ownerName ?? w.workspaceId} — ${w.contacts} contacts, ${w.meetings} meetings`)),
  );
  select.value = list.some((w) => w.workspaceId === keep) ? keep : '';
}

/** The dashboard lists show the first few; the count says how many there are in all. */
const LISTS = [['agenda', 'agenda'], ['follow-ups', 'followups'], ['overruns', 'overruns'], ['job-leads', 'jobleads']];
async function renderTotals(d, ws) {
  const query = ws ? `&workspace=${encodeURIComponent(ws)}` : '';
  const lengths = { agenda: d.agenda.length, followups: d.followUpsDue.length, overruns: d.overruns.length, jobleads: d.jobLeads.length };
  await Promise.all(LISTS.map(async ([name, id]) => {
    const { total } = await api(`/api/${name}?limit=1${query}`);
    const shown = lengths[id];
    const count = byTestId(`${id}-count`);
    count.textContent = total > shown ? `${fmtCount(shown)} of ${fmtCount(total)}` : fmtCount(shown);
    count.dataset.total = String(total);
  }));
}

function renderDashboard(d) {
  const all = !d.workspaceId;
  for (const [key] of STAGES) figure(`total-${key}`, d.totals[key]);
  $('funnel-chart').replaceChildren(funnelChart(d.totals));
  $('funnel-weeks').replaceChildren(funnelWeeks(d.funnel));
  $('meetings-chart').replaceChildren(meetingsChart(d.meetingsPerWeek));

  figure('thankyou-p50', d.thankYouLatency.p50Hours, fmtHours);
  figure('thankyou-p90', d.thankYouLatency.p90Hours, fmtHours);
  figure('thankyou-within24h', d.thankYouLatency.within24hShare, fmtShare);
  figure('thankyou-count', d.thankYouLatency.count);
  $('thankyou-bar').replaceChildren(shareBar(d.thankYouLatency.within24hShare));

  figure('referrals-average', d.referralsPerInterview.average, fmtAverage);
  figure('referrals-target', d.referralsPerInterview.target);
  figure('referrals-meetings', d.referralsPerInterview.meetings);
  figure('referrals-reaching-target', d.referralsPerInterview.reachingTarget);
  $('referrals-gauge').replaceChildren(referralsGauge(d.referralsPerInterview.average, d.referralsPerInterview.target));

  $('levels').replaceChildren(levelsTable(d.levelsByIndustry));

  figure('agenda-count', d.agenda.length);
  $('agenda').replaceChildren(rowsTable(d.agenda, ['start', 'contactName', 'organisation', 'minutes', 'timezone', 'location', 'videoUrl'], all, 'Nothing booked ahead.'));
  figure('followups-count', d.followUpsDue.length);
  $('followups').replaceChildren(rowsTable(d.followUpsDue, ['kind', 'contactName', 'dueAt', 'since', 'overdue'], all, 'Nothing due.'));
  figure('overruns-count', d.overruns.length);
  $('overruns').replaceChildren(rowsTable(d.overruns, ['contactName', 'heldAt', 'agreedMinutes', 'actualMinutes', 'overByMinutes'], all, 'Every meeting kept to its time.'));
  figure('jobleads-count', d.jobLeads.length);
  $('jobleads').replaceChildren(rowsTable(d.jobLeads, ['contactName', 'organisation', 'description', 'reportedAt'], all, 'No job leads yet.'));
}

async function renderCalendar(workspaceId) {
  const box = $('calendar');
  const ids = workspaceId ? [workspaceId] : workspaces.map((w) => w.workspaceId);
  const results = await Promise.all(ids.slice(0, 50).map((id) => api(`/api/workspaces/${encodeURIComponent(id)}/calendar`).catch(() => ({ workspaceId: id, connected: null }))));
  const connected = results.filter((r) => r.connected === true).length;
  if (workspaceId) {
    const r = results[0] ?? { connected: null };
    box.replaceChildren(el('p', {},
      el('span', { class: `pill ${r.connected ? 'ok' : 'off'}`, 'data-testid': 'calendar-status', 'data-value': String(r.connected) },
        r.connected ? 'Google Calendar connected' : r.connected === false ? 'Not connected' : 'Unknown'),
      r.connected && r.calendarId ? el('span', { class: 'hint' }, `  ${r.calendarId}`) : null,
      !r.connected && r.disconnectReason ? el('span', { class: 'hint' }, `  (disconnected: ${r.disconnectReason})`) : null),
    el('p', { class: 'hint' }, r.connected ? 'Bookings and changes sync with the calendar.' : 'Invitations go out as .ics files; run `outreach google connect` to sync a Google calendar.'));
    figure('calendar-connected-count', connected);
    return;
  }
  box.replaceChildren(
    el('p', {}, el('strong', { 'data-testid': 'calendar-connected-count', 'data-value': String(connected) }, String(connected)),
      ' of ', el('span', { 'data-testid': 'calendar-workspaces-count', 'data-value': String(results.length) }, String(results.length)), ' seekers have a calendar connected'),
    results.length
      ? el('table', {}, el('tbody', {}, results.map((r) => el('tr', {},
        el('td', {}, workspaces.find((w) => w.workspaceId === r.workspaceId)?.ownerName ?? r.workspaceId),
        el('td', {}, el('span', { class: `pill ${r.connected ? 'ok' : 'off'}` }, r.connected ? 'connected' : 'not connected'))))))
      : null,
  );
}

async function renderQueues() {
  const box = $('queues');
  try {
    const { queues } = await api('/api/queues');
    const states = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'];
    const head = el('tr', {}, el('th', {}, 'Queue'), states.map((s) => el('th', { class: 'num' }, s)));
    const rows = queues.map((q) => el('tr', {}, el('td', {}, q.queue),
      states.map((s) => el('td', { class: `num`, 'data-testid': `queue-${q.queue}-${s}`, 'data-value': String(q.counts[s] ?? 0) }, fmtCount(q.counts[s] ?? 0)))));
    box.replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, rows)));
    const failed = queues.reduce((n, q) => n + (q.counts.failed ?? 0), 0);
    const status = $('queues-status');
    status.textContent = failed > 0 ? `${failed} failed` : 'healthy';
    status.dataset.value = failed > 0 ? 'failed' : 'ok';
  } catch (e) {
    if (e instanceof Unauthorized) throw e;
    box.replaceChildren(el('p', { class: 'empty' }, `Queues unavailable: ${e.message}`));
    $('queues-status').textContent = 'unavailable';
    $('queues-status').dataset.value = 'unavailable';
  }
}

// ---- flow -------------------------------------------------------------------------------------

function showLogin(message) {
  $('content').hidden = true;
  $('controls').hidden = true;
  $('login').hidden = false;
  const err = $('login-error');
  err.hidden = !message;
  err.textContent = message ?? '';
  $('token').focus();
}

let loading = false;
async function refresh() {
  if (loading) return;
  loading = true;
  const status = $('status');
  status.classList.remove('error');
  try {
    if (!workspaces.length) await loadWorkspaces();
    const ws = selectedWorkspace();
    const query = ws ? `?workspace=${encodeURIComponent(ws)}` : '';
    const dashboard = await api(`/api/dashboard${query}`);
    $('login').hidden = true;
    $('content').hidden = false;
    $('controls').hidden = false;
    renderDashboard(dashboard);
    await Promise.all([renderTotals(dashboard, ws), renderCalendar(ws), renderQueues()]);
    const one = workspaces.find((w) => w.workspaceId === ws);
    status.textContent = ws
      ? `Showing ${one?.ownerName ?? ws} (workspace ${ws}).`
      : `Showing every seeker together (${workspaces.length} ${workspaces.length === 1 ? 'workspace' : 'workspaces'}).`;
    $('generated-at').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.loaded = 'true';
  } catch (e) {
    if (e instanceof Unauthorized) {
      showLogin(localStorage.getItem(TOKEN_KEY) ? 'That token was not accepted.' : undefined);
    } else {
      status.textContent = `Could not load the dashboard: ${e.message}`;
      status.classList.add('error');
    }
  } finally {
    loading = false;
  }
}

$('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  localStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  workspaces = [];
  void refresh();
});
$('workspace').addEventListener('change', () => {
  localStorage.setItem(WORKSPACE_KEY, selectedWorkspace());
  document.body.dataset.loaded = 'false';
  void refresh();
});
$('refresh').addEventListener('click', () => { workspaces = []; void refresh(); });
$('logout').addEventListener('click', () => {
  localStorage.removeItem(TOKEN_KEY);
  workspaces = [];
  showLogin('Token forgotten in this browser (a login cookie, if any, stays until the browser is closed).');
});

void refresh();
setInterval(() => { if (!document.hidden && !$('content').hidden) void refresh(); }, REFRESH_MS);
