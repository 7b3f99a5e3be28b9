// The health of what runs behind the figures: calendars, queues, workers.

import { Unauthorized, api } from './api.js';
import { $, el, figure, fmtCount } from './dom.js';

export async function renderCalendar(workspaceId, workspaces) {
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

export async function renderQueues(staff) {
  if (!staff) return;
  const box = $('queues');
  try {
    const { queues } = await api('/api/queues');
    const states = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'];
    const head = el('tr', {}, el('th', {}, 'Queue'), states.map((s) => el('th', { class: 'num' }, s)));
    const rows = queues.map((q) => el('tr', {}, el('td', {}, q.queue),
      states.map((s) => el('td', { class: `num`, 'data-testid': `queue-${q.queue}-${s}`, 'data-value': String(q.counts[s] ?? 0) }, fmtCount(q.counts[s] ?? 0)))));
    box.replaceChildren(el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), el('tbody', {}, rows))));
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

/** A red banner when no email worker answered for a minute: a coach looking at figures assumes mail is going out. */
export async function renderWorkers() {
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

