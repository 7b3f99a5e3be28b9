// The dashboard: reads the Outreach API and draws it. Plain JavaScript modules, no build step.
// Every figure carries data-testid and, in data-value, the raw number the API gave.

import { STAGES, funnelChart, funnelWeeks, levelsTable, meetingsChart, referralsGauge, rowsTable, shareBar } from './charts.js';
import { $, byTestId, el, figure, fmtAverage, fmtCount, fmtHours, fmtShare } from './dom.js';

const WORKSPACE_KEY = 'outreach.workspace';
const REFRESH_MS = 30_000;

class Unauthorized extends Error {}

// The page keeps no token: logging in makes a server-side session whose id is in an HttpOnly cookie.
// Writes carry JSON or X-Requested-With, which a form on another site cannot send.
async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json', 'x-requested-with': 'outreach-dashboard' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 401) throw new Unauthorized();
  if (res.status === 204) return {};
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer?.error?.message ?? `${path}: HTTP ${res.status}`);
  return answer;
}

/** What the session may see: { role, workspaces: 'all' | [ids] }. */
let me = null;
const seesAll = () => me?.workspaces === 'all';
const isStaff = () => me?.role === 'admin' || me?.role === 'coach';

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
  // "All seekers" only for a token that reaches every workspace; a seeker sees their own page only.
  const ids = seesAll() ? list.map((w) => w.workspaceId) : me.workspaces;
  const label = (id) => {
    const w = list.find((x) => x.workspaceId === id);
    return w ? `${w.ownerName ?? id} — ${w.contacts} contacts, ${w.meetings} meetings` : id;
  };
  select.replaceChildren(
    ...(seesAll() ? [el('option', { value: '' }, `All seekers (${list.length})`)] : []),
    ...ids.map((id) => el('option', { value: id }, label(id))),
  );
  select.value = ids.includes(keep) ? keep : seesAll() ? '' : (ids[0] ?? '');
  $('workspace-control').hidden = !seesAll() && ids.length <= 1;
  $('queues-card').hidden = !isStaff();
  $('board-link').hidden = me.role !== 'admin';
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
  if (!isStaff()) return;
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

/** A red banner when no email worker answered for a minute: a coach looking at figures assumes mail is going out. */
async function renderWorkers() {
  const banner = $('workers-banner');
  try {
    const res = await fetch('/readyz', { cache: 'no-store' });
    const workers = (await res.json()).checks?.workers;
    banner.hidden = !workers || workers.ok;
    banner.textContent = workers && !workers.ok ? `Emails are not being sent: no worker running${workers.lastSeenAt ? ` (last seen ${new Date(workers.lastSeenAt).toLocaleString()})` : ''}. Start one with outreach start (or outreach worker).` : '';
  } catch {
    banner.hidden = true;
  }
}

let loading = false;
async function refresh() {
  if (loading) return;
  loading = true;
  const status = $('status');
  status.classList.remove('error');
  try {
    if (!me) me = await api('/api/session');
    if (!workspaces.length) await loadWorkspaces();
    const ws = selectedWorkspace();
    const query = ws ? `?workspace=${encodeURIComponent(ws)}` : '';
    const dashboard = await api(`/api/dashboard${query}`);
    $('login').hidden = true;
    $('content').hidden = false;
    $('controls').hidden = false;
    renderDashboard(dashboard);
    await Promise.all([renderTotals(dashboard, ws), renderCalendar(ws), renderQueues(), renderWorkers()]);
    const one = workspaces.find((w) => w.workspaceId === ws);
    status.textContent = ws
      ? `Showing ${one?.ownerName ?? ws} (workspace ${ws}).`
      : `Showing every seeker together (${workspaces.length} ${workspaces.length === 1 ? 'workspace' : 'workspaces'}).`;
    $('generated-at').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.loaded = 'true';
  } catch (e) {
    if (e instanceof Unauthorized) {
      me = null;
      showLogin(loginMessage);
      loginMessage = undefined;
    } else {
      status.textContent = `Could not load the dashboard: ${e.message}`;
      status.classList.add('error');
    }
  } finally {
    loading = false;
  }
}

let loginMessage;

/** Trades a token for a session cookie; the token is not kept anywhere in the browser. */
async function logIn(token) {
  me = null;
  workspaces = [];
  try {
    me = await api('/api/session', { method: 'POST', body: { token } });
  } catch (e) {
    loginMessage = e instanceof Unauthorized ? 'That token was not accepted.' : `Could not log in: ${e.message}`;
  }
  await refresh();
}

$('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  void logIn(token);
});
$('workspace').addEventListener('change', () => {
  localStorage.setItem(WORKSPACE_KEY, selectedWorkspace());
  document.body.dataset.loaded = 'false';
  void refresh();
});
$('refresh').addEventListener('click', () => { workspaces = []; void refresh(); });
$('logout').addEventListener('click', async () => {
  try {
    await api('/api/session', { method: 'DELETE' });
    loginMessage = 'Logged out: the session has ended on the server.';
  } catch (e) {
    loginMessage = e instanceof Unauthorized ? 'Logged out.' : `Could not log out: ${e.message}`;
  }
  me = null;
  workspaces = [];
  showLogin(loginMessage);
  loginMessage = undefined;
});

// Earlier versions kept the token in localStorage: it goes.
localStorage.removeItem('outreach.apiToken');
// A login link (`outreach serve` prints one) carries the token in the fragment, which no server sees.
const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromLink) {
  history.replaceState(null, '', location.pathname + location.search);
  void logIn(fromLink);
} else {
  void refresh();
}
setInterval(() => { if (!document.hidden && !$('content').hidden) void refresh(); }, REFRESH_MS);
