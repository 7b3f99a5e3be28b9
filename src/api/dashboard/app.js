// The dashboard: reads the Outreach API and draws it. Plain JavaScript modules, no build step.
// Every figure carries data-testid and, in data-value, the raw number the API gave.

import { STAGES, funnelChart, funnelWeeks, levelsTable, meetingsChart, referralsGauge, rowsTable, shareBar } from './charts.js';
import { $, byTestId, el, figure, fmtAverage, fmtCount, fmtHours, fmtShare } from './dom.js';

const TOKEN_KEY = 'outreach.apiToken';
const WORKSPACE_KEY = 'outreach.workspace';
const REFRESH_MS = 30_000;

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
  $('agenda').replaceChildren(rowsTable(d.agenda, ['start', 'contactName', 'organisation', 'minutes', 'timezone', 'location', 'videoUrl'], all, 'Nothing booked ahead.', ownerOf));
  figure('followups-count', d.followUpsDue.length);
  $('followups').replaceChildren(rowsTable(d.followUpsDue, ['kind', 'contactName', 'dueAt', 'since', 'overdue'], all, 'Nothing due.', ownerOf));
  figure('overruns-count', d.overruns.length);
  $('overruns').replaceChildren(rowsTable(d.overruns, ['contactName', 'heldAt', 'agreedMinutes', 'actualMinutes', 'overByMinutes'], all, 'Every meeting kept to its time.', ownerOf));
  figure('jobleads-count', d.jobLeads.length);
  $('jobleads').replaceChildren(rowsTable(d.jobLeads, ['contactName', 'organisation', 'description', 'reportedAt'], all, 'No job leads yet.', ownerOf));
  figure('drafts-count', d.draftsWaiting.length);
  $('drafts').replaceChildren(rowsTable(d.draftsWaiting, ['contactName', 'kind', 'subject', 'draftedAt'], all, 'Nothing waiting.', ownerOf));
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
