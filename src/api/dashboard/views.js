// The coach's and the seeker's views: seekers side by side, today's list, contacts and a page per
// contact, the referral tree, objectivity per career target, levels listed and met, the agenda in
// the seeker's zone.

import { api, query } from './api.js';
import { LEVELS } from './charts.js';
import { $, el, fmtAverage, fmtCell, fmtCount } from './dom.js';

/** A table in its own scrolling box, so that a narrow screen scrolls the table, not the page. */
export const scroller = (...children) => el('div', { class: 'scroll' }, ...children);

const td = (testId, value, text = fmtCell(value), cls = '') =>
  el('td', { class: cls, 'data-testid': testId, 'data-value': value === null || value === undefined ? '' : String(value) }, text);

// ---- seekers ----------------------------------------------------------------------------------

export function seekersTable(rows, onOpen) {
  if (!rows.length) return el('p', { class: 'empty' }, 'No seekers yet.');
  const cols = ['Seeker', 'Contacts', 'Requests', 'Meetings held', 'Thank-yous within 24 h', 'Referrals per interview', 'Job leads', 'Last activity'];
  const head = el('tr', {}, cols.map((c, i) => el('th', { class: i ? 'num' : '' }, c)));
  const body = rows.map((s) => {
    const id = s.workspaceId;
    return el('tr', { 'data-testid': `seeker-${id}` },
      el('td', {}, el('button', { type: 'button', class: 'link strong', 'data-testid': `seeker-${id}-open`, onclick: () => onOpen(id) }, s.ownerName ?? id)),
      td(`seeker-${id}-contacts`, s.contacts, fmtCount(s.contacts), 'num'),
      td(`seeker-${id}-requests`, s.requests, fmtCount(s.requests), 'num'),
      td(`seeker-${id}-held`, s.meetingsHeld, fmtCount(s.meetingsHeld), 'num'),
      td(`seeker-${id}-thankyous`, s.thankYousWithin24h, s.thankYous ? `${s.thankYousWithin24h} of ${s.thankYous}` : '–', 'num'),
      td(`seeker-${id}-referrals`, s.referralsPerInterview, fmtAverage(s.referralsPerInterview), 'num'),
      td(`seeker-${id}-leads`, s.leads, fmtCount(s.leads), 'num'),
      td(`seeker-${id}-last`, s.lastActivityAt, fmtCell(s.lastActivityAt), 'num'));
  });
  return scroller(el('table', {}, el('thead', {}, head), el('tbody', {}, body)));
}

// ---- today ------------------------------------------------------------------------------------

export function todayList(items, zone, onOpen) {
  if (!items.length) return el('p', { class: 'empty' }, 'Nothing to do today.');
  const sections = [...new Set(items.map((i) => i.section))];
  return el('div', {}, sections.map((section) => el('div', { class: 'today-section' },
    el('h3', {}, section),
    el('ul', { class: 'today' }, items.filter((i) => i.section === section).map((i) =>
      el('li', { class: i.overdue ? 'overdue' : '', 'data-testid': 'today-item', 'data-kind': i.kind },
        i.overdue ? el('span', { class: 'pill off' }, 'overdue') : null, ' ',
        i.contactId && onOpen ? el('button', { type: 'button', class: 'link strong', onclick: () => onOpen(i.contactId) }, i.what) : i.what,
        i.due ? el('span', { class: 'hint' }, ` · ${inZone(i.due, zone)}`) : null))))));
}

// ---- times in the seeker's zone ---------------------------------------------------------------

/** A time as the seeker reads it: in their workspace's zone, with the zone named. */
export function inZone(iso, zone) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  try {
    const text = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone || 'UTC' }).format(d);
    return `${text} (${zone || 'UTC'})`;
  } catch {
    return `${d.toISOString().slice(0, 16).replace('T', ' ')} (UTC)`;
  }
}

export function agendaTable(rows, showSeeker, nameOf, zoneOf) {
  if (!rows.length) return el('p', { class: 'empty' }, 'Nothing booked ahead.');
  const head = el('tr', {}, showSeeker ? el('th', {}, 'Seeker') : null, ['When', 'With', 'Organisation', 'Minutes', 'Where'].map((c) => el('th', {}, c)));
  const body = rows.map((r) => el('tr', {},
    showSeeker ? el('td', {}, nameOf(r.workspaceId)) : null,
    el('td', { 'data-testid': 'agenda-when', 'data-zone': zoneOf(r.workspaceId) ?? 'UTC' }, inZone(r.start, zoneOf(r.workspaceId))),
    el('td', {}, r.contactName ?? '(forgotten)'), el('td', {}, r.organisation ?? '–'), el('td', { class: 'num' }, fmtCount(r.minutes)),
    el('td', {}, r.videoUrl ?? r.location ?? '–')));
  return scroller(el('table', {}, el('thead', {}, head), el('tbody', {}, body)));
}

// ---- levels listed and met --------------------------------------------------------------------

export function levelsCoveredTable(rows) {
  if (!rows.length) return el('p', { class: 'empty' }, 'No contacts with an industry and a level yet.');
  const head = el('tr', {}, el('th', {}, 'Industry'), LEVELS.map((l) => el('th', {}, l)));
  const body = rows.map((r) => el('tr', { 'data-testid': `levels-${r.industry}`, 'data-value': r.met.join(','), 'data-listed': r.listed.join(',') },
    el('td', {}, r.industry),
    LEVELS.map((l) => r.met.includes(l)
      ? el('td', { class: 'check', title: `${l}: met` }, '✓')
      : r.listed.includes(l) ? el('td', { class: 'listed', title: `${l}: on the list, not met yet` }, '○') : el('td', { class: 'miss', title: `${l}: nobody yet` }, '·'))));
  return el('div', {}, scroller(el('table', {}, el('thead', {}, head), el('tbody', {}, body))),
    el('p', { class: 'hint' }, '✓ met; ○ on the list, not met yet; · nobody yet'));
}

// ---- objectivity per career target ------------------------------------------------------------

const MOODS = ['positive', 'neutral', 'negative', 'unrecorded'];

export function objectivityTable(rows) {
  if (!rows.length) return el('p', { class: 'empty' }, 'No career targets named yet: outreach workspace target add "UX research".');
  return el('ul', { class: 'objectivity' }, rows.map((t) => el('li', { 'data-testid': `objectivity-${t.target}`, 'data-value': String(t.interviewsHeld) },
    el('div', { class: 'row' }, el('strong', {}, t.target), el('span', {}, `${t.interviewsHeld} interview${t.interviewsHeld === 1 ? '' : 's'} held`)),
    el('div', { class: 'mix' }, MOODS.map((m) => el('span', { class: `mood ${m}`, 'data-testid': `objectivity-${t.target}-${m}`, 'data-value': String(t.sentiment[m]) }, `${m} ${t.sentiment[m]}`))),
    t.caution ? el('p', { class: 'caution', 'data-testid': `objectivity-caution-${t.target}` }, `Caution: ${t.caution}.`) : null)));
}

// ---- referral tree ----------------------------------------------------------------------------

export function referralTree(rows, onOpen) {
  if (!rows.length) return el('p', { class: 'empty' }, 'No contacts yet.');
  const referred = rows.filter((r) => r.depth > 0).length;
  return el('div', {},
    el('p', { class: 'hint' }, `${referred} of ${rows.length} people came through a referral.`),
    el('ul', { class: 'tree', 'data-testid': 'referral-tree' }, rows.map((r) => el('li', { class: `depth-${Math.min(r.depth, 6)}`, 'data-testid': 'tree-node', 'data-depth': String(r.depth) },
      r.depth ? '↳ ' : '', el('button', { type: 'button', class: 'link', onclick: () => onOpen(r.contactId, r.workspaceId) }, r.name ?? '(forgotten)'),
      r.organisation ? el('span', { class: 'hint' }, ` ${r.organisation}`) : null,
      r.referrals ? el('span', { class: 'pill' }, `${r.referrals} referred`) : null))));
}

// ---- contacts ---------------------------------------------------------------------------------

export function contactFilters() {
  return { search: $('f-search').value.trim(), status: $('f-status').value, tag: $('f-tag').value.trim(), org: $('f-org').value.trim(), level: $('f-level').value, target: $('f-target').value };
}

export async function loadContacts(ws, onOpen) {
  const page = await api(`/api/contacts${query({ workspace: ws, limit: 200, ...contactFilters() })}`);
  const box = $('contacts');
  const count = $('contacts-count');
  count.textContent = page.total > page.rows.length ? `${page.rows.length} of ${page.total}` : String(page.total);
  count.dataset.value = String(page.total);
  if (!page.rows.length) return box.replaceChildren(el('p', { class: 'empty' }, 'No contact matches.'));
  const head = el('tr', {}, ['Name', 'Organisation', 'Role', 'Level', 'Target', 'Status', 'Next action'].map((c) => el('th', {}, c)));
  const body = page.rows.map((c) => el('tr', { 'data-testid': 'contact-row', 'data-id': c.contactId },
    el('td', {}, el('button', { type: 'button', class: 'link strong', onclick: () => onOpen(c.contactId, c.workspaceId) }, c.name ?? '(forgotten)')),
    el('td', {}, c.organisation ?? '–'), el('td', {}, c.role ?? '–'), el('td', {}, c.level ?? '–'), el('td', {}, c.target ?? '–'),
    el('td', {}, c.status), el('td', {}, c.nextAction ?? '–')));
  box.replaceChildren(scroller(el('table', {}, el('thead', {}, head), el('tbody', {}, body))));
}

/** The export links carry the seeker and the filters; the session cookie authenticates them. */
export function exportLinks(ws) {
  const filters = contactFilters();
  $('export-contacts').href = `/api/contacts${query({ workspace: ws, format: 'csv', ...filters })}`;
  $('export-meetings').href = `/api/pipeline${query({ workspace: ws, format: 'csv' })}`;
  $('export-leads').href = `/api/job-leads${query({ workspace: ws, format: 'csv' })}`;
}

const INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/g;

export async function contactPage(id, ws, zone) {
  const c = await api(`/api/contacts/${encodeURIComponent(id)}/timeline${query({ workspace: ws })}`);
  const d = c.state.details ?? {};
  const facts = [['Organisation', d.organisation], ['Role', d.role], ['Level', d.level], ['Industry', d.industry], ['Career target', d.target],
    ['Email', d.email], ['Referred by', c.referredByName], ['Referred', c.referralsGiven.map((r) => r.name ?? '(forgotten)').join(', ')]];
  return el('div', { 'data-testid': 'contact-page', 'data-id': id },
    el('h2', { 'data-testid': 'contact-name' }, d.name ?? '(forgotten)'),
    el('dl', { class: 'facts' }, facts.filter(([, v]) => v).map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v)))),
    el('h3', {}, 'Timeline'),
    el('ol', { class: 'timeline', 'data-testid': 'timeline' }, c.timeline.map((e) => el('li', { 'data-testid': 'timeline-entry', 'data-type': e.type, 'data-at': e.at },
      el('span', { class: 'when' }, inZone(e.at, zone)), ' ', e.what.replace(INSTANT, (t) => inZone(t, zone))))),
    el('h3', {}, `Meetings (${c.meetings.length})`),
    c.meetings.length ? el('ul', {}, c.meetings.map((m) => el('li', { 'data-testid': 'contact-meeting' }, `${m.state.status}${m.state.booking?.start ? `, ${inZone(m.state.booking.start, zone)}` : ''}`))) : el('p', { class: 'empty' }, 'No meeting yet.'),
    el('h3', {}, `Emails (${c.emails.length})`),
    c.emails.length ? el('ul', {}, c.emails.map((m) => el('li', {}, `${m.kind}, ${inZone(m.sentAt, zone)}${m.subject ? `: ${m.subject}` : ''}`))) : el('p', { class: 'empty' }, 'No email sent yet.'),
    el('h3', {}, `Job leads (${c.leads.length})`),
    c.leads.length ? el('ul', {}, c.leads.map((l) => el('li', {}, `${l.description}${l.organisation ? ` (${l.organisation})` : ''}`))) : el('p', { class: 'empty' }, 'No job lead yet.'));
}
