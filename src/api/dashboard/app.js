// The dashboard: reads the Outreach API and draws it. Plain JavaScript modules, no build step.
// Every figure carries data-testid and, in data-value, the raw number the API gave.

import { STAGES, funnelChart, funnelWeeks, meetingsChart, referralsGauge, rowsTable, shareBar } from './charts.js';
import { Unauthorized, api, query } from './api.js';
import { $, byTestId, el, figure, fmtAverage, fmtCount, fmtHours, fmtShare } from './dom.js';
import { renderCalendar, renderQueues, renderWorkers } from './health.js';
import { agendaTable, contactPage, exportLinks, levelsCoveredTable, loadContacts, objectivityTable, referralTree, seekersTable, todayList } from './views.js';

const WORKSPACE_KEY = 'outreach.workspace';
const REFRESH_MS = 30_000;

/** What the session may see: { role, workspaces: 'all' | [ids] }. */
let me = null;
const seesAll = () => me?.workspaces === 'all';
const isStaff = () => me?.role === 'admin' || me?.role === 'coach';

// ---- sections ---------------------------------------------------------------------------------

let workspaces = [];
const ownerOf = (id) => workspaces.find((w) => w.workspaceId === id)?.ownerName ?? id;
const zoneOf = (id) => workspaces.find((w) => w.workspaceId === id)?.timezone ?? null;

/** The period chosen: every figure on the page is counted in it. */
const range = () => ({ from: $('from').value, to: $('to').value });

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
function renderTotals(d) {
  const lengths = { agenda: d.agenda.length, followups: d.followUpsDue.length, overruns: d.overruns.length, jobleads: d.jobLeads.length };
  const totals = { agenda: d.listTotals.agenda, followups: d.listTotals.followUps, overruns: d.listTotals.overruns, jobleads: d.listTotals.jobLeads };
  for (const [, id] of LISTS) {
    const shown = lengths[id];
    const total = totals[id];
    const count = byTestId(`${id}-count`);
    count.textContent = total > shown ? `${fmtCount(shown)} of ${fmtCount(total)}` : fmtCount(shown);
    count.dataset.total = String(total);
  }
}

function renderDashboard(d) {
  const all = !d.workspaceId;
  for (const [key] of STAGES) figure(`total-${key}`, d.totals[key]);
  $('funnel-chart').replaceChildren(funnelChart(d.totals, $('funnel-chart').clientWidth));
  $('funnel-weeks').replaceChildren(funnelWeeks(d.funnel));
  $('meetings-chart').replaceChildren(meetingsChart(d.meetingsPerWeek, $('meetings-chart').clientWidth));

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

  $('levels').replaceChildren(levelsCoveredTable(d.levelsCovered));
  $('objectivity').replaceChildren(objectivityTable(d.objectivity));

  figure('agenda-count', d.agenda.length);
  $('agenda').replaceChildren(agendaTable(d.agenda, all, ownerOf, zoneOf));
  figure('followups-count', d.followUpsDue.length);
  $('followups').replaceChildren(rowsTable(d.followUpsDue, ['kind', 'contactName', 'dueAt', 'since', 'overdue'], all, 'Nothing due.', ownerOf));
  figure('overruns-count', d.overruns.length);
  $('overruns').replaceChildren(rowsTable(d.overruns, ['contactName', 'heldAt', 'agreedMinutes', 'actualMinutes', 'overByMinutes'], all, 'Every meeting kept to its time.', ownerOf));
  figure('jobleads-count', d.jobLeads.length);
  $('jobleads').replaceChildren(rowsTable(d.jobLeads, ['contactName', 'organisation', 'description', 'reportedAt'], all, 'No job leads yet.', ownerOf));
  figure('drafts-count', d.draftsWaiting.length);
  $('drafts').replaceChildren(rowsTable(d.draftsWaiting, ['contactName', 'kind', 'subject', 'draftedAt'], all, 'Nothing waiting.', ownerOf));
}

async function renderSeekers() {
  $('seekers-card').hidden = !isStaff();
  if (!isStaff()) return;
  const { seekers } = await api(`/api/seekers${query(range())}`);
  figure('seekers-count', seekers.length);
  $('seekers').replaceChildren(seekersTable(seekers, openSeeker));
}

function openSeeker(id) {
  $('workspace').value = id;
  localStorage.setItem(WORKSPACE_KEY, id);
  document.body.dataset.loaded = 'false';
  void refresh();
}

/** One seeker's own sections: today's list, their contacts, the referral tree, the exports. */
async function renderSeeker(ws, d) {
  for (const id of ['today-card', 'contacts-card', 'tree-card']) $(id).hidden = !ws;
  if (!ws) return;
  const targets = $('f-target');
  const chosen = targets.value;
  targets.replaceChildren(el('option', { value: '' }, 'any target'), ...d.objectivity.map((t) => el('option', { value: t.target }, t.target)));
  targets.value = d.objectivity.some((t) => t.target === chosen) ? chosen : '';
  exportLinks(ws);
  const [today, tree] = await Promise.all([api(`/api/today${query({ workspace: ws })}`), api(`/api/referral-tree${query({ workspace: ws, limit: 500 })}`), loadContacts(ws, openContact)]);
  figure('today-count', today.items.length);
  $('today').replaceChildren(todayList(today.items, zoneOf(ws), openContact));
  $('tree').replaceChildren(referralTree(tree.rows, openContact));
}

async function openContact(id, ws) {
  const workspace = ws ?? selectedWorkspace();
  try {
    $('contact-detail').replaceChildren(await contactPage(id, workspace, zoneOf(workspace)));
    $('overview').hidden = true;
    $('contact-view').hidden = false;
    window.scrollTo(0, 0);
  } catch (e) {
    $('status').textContent = `Could not open the contact: ${e.message}`;
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
    if (!me) me = await api('/api/session');
    if (!workspaces.length) await loadWorkspaces();
    const ws = selectedWorkspace();
    const dashboard = await api(`/api/dashboard${query({ workspace: ws, ...range() })}`);
    $('login').hidden = true;
    $('content').hidden = false;
    $('controls').hidden = false;
    renderDashboard(dashboard);
    renderTotals(dashboard);
    await Promise.all([renderCalendar(ws, workspaces), renderQueues(isStaff()), renderWorkers(), renderSeekers(), renderSeeker(ws, dashboard)]);
    const one = workspaces.find((w) => w.workspaceId === ws);
    const { from, to } = range();
    const period = from || to ? ` Counted ${from ? `from ${from} ` : ''}${to ? `to ${to} ` : ''}(UTC days).` : '';
    status.textContent = ws
      ? `Showing ${one?.ownerName ?? ws} (workspace ${ws}).${period}`
      : `Showing every seeker together (${workspaces.length} ${workspaces.length === 1 ? 'workspace' : 'workspaces'}).${period}`;
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
  $('contact-view').hidden = true;
  $('overview').hidden = false;
  document.body.dataset.loaded = 'false';
  void refresh();
});
$('refresh').addEventListener('click', () => { workspaces = []; void refresh(); });
$('range-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  document.body.dataset.loaded = 'false';
  void refresh();
});
$('contact-filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const ws = selectedWorkspace();
  exportLinks(ws);
  void loadContacts(ws, openContact).then(() => { document.body.dataset.filtered = String(Date.now()); });
});
$('contact-back').addEventListener('click', () => {
  $('contact-view').hidden = true;
  $('overview').hidden = false;
});
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
