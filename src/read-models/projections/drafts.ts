import type { Database } from 'better-sqlite3';
import type { StoredEvent } from '../../eventstore/port.ts';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, rowsOf, PAGE } from './support/sql.ts';
import { utc } from './support/time.ts';
import { withContact } from './support/joins.ts';

/**
 * Emails held for the seeker's review, one row per draft, and what became of each: waiting,
 * approved (it goes by its effect), discarded, or withdrawn when its reason ended (the contact
 * replied or opted out, the meeting was booked or ended). The subject is the contact's data: it
 * goes when they are forgotten (the text stays in the log, sealed under their key).
 */
const schema = `
  CREATE TABLE IF NOT EXISTS drafts (
    draft_id      TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    contact_id    TEXT NOT NULL,
    to_contact_id TEXT NOT NULL,
    meeting_id    TEXT,
    kind          TEXT NOT NULL,
    subject       TEXT,
    status        TEXT NOT NULL,
    reason        TEXT,
    drafted_at    TEXT NOT NULL,
    decided_at    TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS drafts_by_contact ON drafts (contact_id, status);
  CREATE INDEX IF NOT EXISTS drafts_by_meeting ON drafts (meeting_id, status);
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS drafts_by_workspace ON drafts (workspace_id, status, drafted_at, draft_id);
  -- The dashboard's waiting drafts across all workspaces, in order: no sort (an empty sort cost it ~40 µs).
  CREATE INDEX IF NOT EXISTS drafts_by_status ON drafts (status, drafted_at, draft_id);
`;

/** Drafts a meeting's progress makes pointless: the asking and chasing, once it is booked, held or ended. */
const REQUEST_KINDS = `('request-email', 'gatekeeper-request', 'nudge', 'gatekeeper-nudge')`;

const q = preparedFor((db) => ({
  drafted: db.prepare(`
    INSERT INTO drafts (draft_id, workspace_id, contact_id, to_contact_id, meeting_id, kind, subject, status, drafted_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting', ?) ON CONFLICT(draft_id) DO NOTHING`),
  edited: db.prepare(`UPDATE drafts SET subject = ? WHERE draft_id = ? AND status = 'waiting'`),
  decided: db.prepare(`UPDATE drafts SET status = ?, decided_at = ? WHERE draft_id = ? AND status = 'waiting'`),
  contactWithdraws: db.prepare(`UPDATE drafts SET status = 'withdrawn', reason = ?, decided_at = ? WHERE contact_id = ? AND status = 'waiting'`),
  meetingWithdraws: db.prepare(`
    UPDATE drafts SET status = 'withdrawn', reason = ?, decided_at = ? WHERE meeting_id = ? AND status = 'waiting' AND kind IN ${REQUEST_KINDS}`),
  introduced: db.prepare(`
    UPDATE drafts SET status = 'withdrawn', reason = ?, decided_at = ? WHERE meeting_id = ? AND status = 'waiting' AND kind IN ('gatekeeper-request', 'gatekeeper-nudge')`),
  forget: db.prepare(`UPDATE drafts SET subject = NULL, status = CASE status WHEN 'waiting' THEN 'withdrawn' ELSE status END WHERE contact_id = ?`),
}));

const CONTACT_ENDS: Record<string, [string, (e: StoredEvent) => string]> = {
  ReplyReceived: ['the contact replied', (e) => dataOf(e, 'ReplyReceived').receivedAt],
  ContactOptedOut: ['the contact opted out', (e) => dataOf(e, 'ContactOptedOut').optedOutAt],
  EmailBounced: ['the address bounced', (e) => dataOf(e, 'EmailBounced').bouncedAt],
};
const MEETING_ENDS: Record<string, [string, (e: StoredEvent) => string]> = {
  MeetingBooked: ['the meeting was booked', (e) => dataOf(e, 'MeetingBooked').bookedAt],
  MeetingCancelled: ['the meeting was cancelled', (e) => dataOf(e, 'MeetingCancelled').cancelledAt],
  MeetingHeld: ['the meeting was held', (e) => dataOf(e, 'MeetingHeld').heldAt],
};

export const drafts = defineProjection({
  name: 'drafts',
  personal: ['EmailDrafted', 'DraftEdited'],
  version: 2,
  schema,
  indexes,
  apply(db, e) {
    const id = idOfStream(e.stream);
    switch (e.type) {
      case 'EmailDrafted': {
        const d = dataOf(e, 'EmailDrafted');
        q(db).drafted.run(d.draftId, workspaceOf(e), id, d.toContactId, d.meetingId ?? null, d.kind, d.subject, utc(d.draftedAt));
        return;
      }
      case 'DraftEdited':
        q(db).edited.run(dataOf(e, 'DraftEdited').subject, dataOf(e, 'DraftEdited').draftId);
        return;
      case 'DraftApproved':
        q(db).decided.run('approved', utc(dataOf(e, 'DraftApproved').approvedAt), dataOf(e, 'DraftApproved').draftId);
        return;
      case 'DraftDiscarded':
        q(db).decided.run('discarded', utc(dataOf(e, 'DraftDiscarded').discardedAt), dataOf(e, 'DraftDiscarded').draftId);
        return;
      case 'ContactForgotten':
        q(db).forget.run(id);
        return;
      case 'GatekeeperIntroduced':
        // The email asking for the introduction is moot once it happened (the decider refuses to send it).
        q(db).introduced.run('the gatekeeper introduced you', utc(dataOf(e, 'GatekeeperIntroduced').introducedAt), id);
        return;
    }
    const contactEnd = e.stream.startsWith('contact-') ? CONTACT_ENDS[e.type] : undefined;
    if (contactEnd) q(db).contactWithdraws.run(contactEnd[0], utc(contactEnd[1](e)), id);
    const meetingEnd = e.stream.startsWith('meeting-') ? MEETING_ENDS[e.type] : undefined;
    if (meetingEnd) q(db).meetingWithdraws.run(meetingEnd[0], utc(meetingEnd[1](e)), id);
  },
});

export type DraftItem = {
  draftId: string;
  workspaceId: string;
  contactId: string;
  contactName: string | null;
  toContactId: string;
  /** The recipient's name: the contact's, or the gatekeeper's for an email asking them for an introduction. */
  toName: string | null;
  meetingId: string | null;
  kind: string;
  subject: string | null;
  status: string;
  reason: string | null;
  draftedAt: string;
  decidedAt: string | null;
};

type DraftRow = {
  draft_id: string;
  workspace_id: string;
  contact_id: string;
  contact_name: string | null;
  to_contact_id: string;
  to_name: string | null;
  meeting_id: string | null;
  kind: string;
  subject: string | null;
  status: string;
  reason: string | null;
  drafted_at: string;
  decided_at: string | null;
};

const toDraft = (r: DraftRow): DraftItem => ({
  draftId: r.draft_id,
  workspaceId: r.workspace_id,
  contactId: r.contact_id,
  contactName: r.contact_name,
  toContactId: r.to_contact_id,
  toName: r.to_name,
  meetingId: r.meeting_id,
  kind: r.kind,
  subject: r.subject,
  status: r.status,
  reason: r.reason,
  draftedAt: r.drafted_at,
  decidedAt: r.decided_at,
});

/** Waiting drafts first, oldest first; with `status`, only those. */
export function listDrafts(db: Database, q: Page & { status?: string }): Rows {
  const where = `${inWorkspace(q.workspaceId, 'd.workspace_id')}${q.status ? ' AND d.status = @status' : ''}`;
  const contact = withContact('d');
  const params = { ...pageParams(q), ...(q.status ? { status: q.status } : {}) };
  const rows = rowsOf(
    db,
    `SELECT d.*, ${contact.columns}, t.name AS to_name FROM drafts d ${contact.join} LEFT JOIN contacts t ON t.contact_id = d.to_contact_id WHERE ${where}
     ORDER BY ${q.status ? '' : `CASE d.status WHEN 'waiting' THEN 0 ELSE 1 END, `}d.drafted_at, d.draft_id ${PAGE}`,
    params,
  ) as DraftRow[];
  return { rows: rows.map(toDraft), total: countOf(db, `SELECT COUNT(*) AS n FROM drafts d WHERE ${where}`, params) };
}

/** One draft by its id, or a unique prefix of it. */
export function findDraft(db: Database, idOrPrefix: string, workspaceId: string | null): DraftItem[] {
  const contact = withContact('d');
  const rows = stmt(
    db,
    `SELECT d.*, ${contact.columns}, t.name AS to_name FROM drafts d ${contact.join} LEFT JOIN contacts t ON t.contact_id = d.to_contact_id
     WHERE (d.draft_id LIKE @prefix || '%' OR d.draft_id LIKE '%' || @prefix) ${workspaceId ? 'AND d.workspace_id = @workspaceId' : ''} LIMIT 5`,
  ).all({ prefix: idOrPrefix.toLowerCase(), ...(workspaceId ? { workspaceId } : {}) }) as DraftRow[];
  return rows.map(toDraft);
}
