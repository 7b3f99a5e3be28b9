import type { AgendaItem } from './projections/agenda.ts';
import type { DraftItem } from './projections/drafts.ts';
import type { FollowUpItem } from './projections/follow-ups.ts';
import type { JobLeadItem } from './projections/job-leads.ts';
import type { ReadModels } from './queries.ts';

export type TodayKind = 'decide' | 'call' | 'draft' | 'reply' | 'meeting' | 'thank-you' | 'update' | 'lead' | 'ask';

/** One thing for the seeker to do now, with who it concerns and, where there is one, when it is due. */
export type TodayItem = {
  kind: TodayKind;
  /** The section it is listed under, as a person reads it. */
  section: string;
  due: string | null;
  overdue: boolean;
  contactId: string | null;
  name: string | null;
  meetingId: string | null;
  draftId: string | null;
  /** What to do, in words ("call Aisha Bello", "18 h left of the 24 h"). */
  what: string;
};

export const TODAY_SECTIONS: Record<TodayKind, string> = {
  decide: 'Calendar changes to decide',
  call: 'Calls to make',
  draft: 'Drafts waiting for your review',
  reply: 'Replies to answer',
  meeting: 'Meetings today and tomorrow',
  'thank-you': 'Thank-yous owed',
  update: 'Updates to write',
  lead: 'Job leads to follow',
  ask: 'People not asked yet',
};

/** How many people not yet asked are suggested at once: a few requests a day, not the whole list. */
const ASK_AT_ONCE = 5;

const DAY = 86_400_000;

/** Only what had a time that passed is overdue: a scheduled call, a thank-you past its 24 hours. */
const overdueAt = (due: string | null, now: string) => due !== null && due < now;

/**
 * What to do now, from the read models: calls, drafts to review, replies, meetings today and
 * tomorrow (to prepare), thank-yous owed with the time left of their 24 hours, keep-in-touch
 * updates to write, recent job leads, and a few people not asked yet. Overdue first.
 */
export function todayList(rm: ReadModels, q: { workspaceId: string; now: string }): TodayItem[] {
  const { now } = q;
  const endOfTomorrow = new Date(Date.parse(now) + 2 * DAY).toISOString();
  const page = { workspaceId: q.workspaceId, limit: 1000, offset: 0, now };
  const items: TodayItem[] = [];
  const add = (kind: TodayKind, item: Omit<TodayItem, 'kind' | 'section' | 'overdue' | 'meetingId' | 'draftId'> & Partial<TodayItem>) =>
    items.push({ kind, section: TODAY_SECTIONS[kind], overdue: false, meetingId: null, draftId: null, ...item });
  for (const c of rm.contacts({ ...page, filter: { status: 'active' } }).rows) {
    const action = String(c['nextAction'] ?? '');
    const at = (c['nextActionAt'] as string | null) ?? null;
    const who = { contactId: c['contactId'] as string, name: (c['name'] as string | null) ?? null, meetingId: (c['meetingId'] as string | null) ?? null };
    if (action.startsWith('decide: ')) add('decide', { ...who, due: null, what: `${who.name ?? '(forgotten)'}: ${action.slice('decide: '.length)}` });
    if (action.startsWith('call ') && (!at || at <= endOfTomorrow)) add('call', { ...who, due: at, overdue: overdueAt(at, now), what: action });
    if (action.startsWith('reply received') || action.startsWith('answered: introduction?'))
      add('reply', { ...who, due: at, what: `${who.name ?? '(forgotten)'}: ${action}` });
    if (action.startsWith('write ')) add('update', { ...who, due: null, what: action });
    if (action === 'request a meeting' && items.filter((i) => i.kind === 'ask').length < ASK_AT_ONCE)
      add('ask', { ...who, due: null, what: `${who.name ?? '(forgotten)'}${c['organisation'] ? ` (${c['organisation']})` : ''}` });
  }
  for (const d of rm.list('drafts', page).rows as DraftItem[]) {
    if (d.status !== 'waiting') continue;
    add('draft', {
      contactId: d.contactId,
      name: d.toName,
      meetingId: d.meetingId,
      draftId: d.draftId,
      due: d.draftedAt,
      what: `${d.kind} to ${d.toName ?? '(forgotten)'}: "${d.subject ?? ''}"`,
    });
  }
  for (const m of rm.list('agenda', page).rows as AgendaItem[]) {
    if (m.start > endOfTomorrow) continue;
    add('meeting', {
      contactId: m.contactId,
      name: m.contactName,
      meetingId: m.meetingId,
      due: m.start,
      what: `${m.contactName ?? '(forgotten)'}${m.organisation ? ` (${m.organisation})` : ''}, ${m.minutes} minutes${m.videoUrl ? `, ${m.videoUrl}` : m.location ? `, ${m.location}` : ''}`,
    });
  }
  for (const f of rm.list('follow-ups', page).rows as FollowUpItem[]) {
    if (f.kind !== 'thank-you') continue;
    const left = Math.round((Date.parse(f.since) + DAY - Date.parse(now)) / 3_600_000);
    add('thank-you', {
      contactId: f.contactId,
      name: f.contactName,
      meetingId: f.meetingId,
      due: f.dueAt,
      overdue: left <= 0,
      what: `${f.contactName ?? '(forgotten)'}: ${left > 0 ? `${left} h left of the 24 h` : 'past the 24 h'}`,
    });
  }
  for (const l of rm.list('job-leads', { ...page, limit: 5 }).rows as JobLeadItem[]) {
    add('lead', {
      contactId: l.contactId,
      name: l.contactName,
      meetingId: l.meetingId,
      due: l.reportedAt,
      what: `${l.description ?? '(forgotten)'}${l.organisation ? ` (${l.organisation})` : ''} — from ${l.contactName ?? '(forgotten)'}`,
    });
  }
  const rank = (k: TodayKind) => Object.keys(TODAY_SECTIONS).indexOf(k);
  // Overdue first; then by section, in the order a day is worked through; then by when each is due.
  return items.sort((a, b) => Number(b.overdue) - Number(a.overdue) || rank(a.kind) - rank(b.kind) || (a.due ?? '').localeCompare(b.due ?? ''));
}
