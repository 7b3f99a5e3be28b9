import type { Database } from 'better-sqlite3';
import { stmt } from './support/sql.ts';

/** What a list of contacts can be narrowed to: a text (name, organisation, role, email), a status, a tag, an organisation, a level, a career target. */
export type ContactFilter = {
  search?: string | undefined;
  status?: string | undefined;
  tag?: string | undefined;
  org?: string | undefined;
  level?: string | undefined;
  /** The career target the person can tell about (case-insensitive). */
  target?: string | undefined;
  /** Only these contacts. */
  ids?: readonly string[] | undefined;
};

const like = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The WHERE clause (after the workspace's) and its named parameters for a filter. */
export function contactFilterSql(f: ContactFilter | undefined): { sql: string; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  if (f?.search) {
    clauses.push(
      `(lower(coalesce(name, '')) LIKE @search ESCAPE '\\' OR lower(coalesce(organisation, '')) LIKE @search ESCAPE '\\' OR lower(coalesce(role, '')) LIKE @search ESCAPE '\\' OR lower(coalesce(email, '')) LIKE @search ESCAPE '\\')`,
    );
    params['search'] = like(f.search);
  }
  if (f?.status) {
    clauses.push('status = @status');
    params['status'] = f.status;
  }
  if (f?.tag) {
    clauses.push(`EXISTS (SELECT 1 FROM json_each(coalesce(tags, '[]')) WHERE lower(value) = @tag)`);
    params['tag'] = f.tag.toLowerCase();
  }
  if (f?.org) {
    clauses.push(`lower(coalesce(organisation, '')) LIKE @org ESCAPE '\\'`);
    params['org'] = like(f.org);
  }
  if (f?.level) {
    clauses.push('level = @level');
    params['level'] = f.level.toLowerCase();
  }
  if (f?.target) {
    clauses.push('lower(target) = @target');
    params['target'] = f.target.toLowerCase();
  }
  if (f?.ids) {
    clauses.push('contact_id IN (SELECT value FROM json_each(@ids))');
    params['ids'] = JSON.stringify(f.ids);
  }
  return { sql: clauses.map((c) => ` AND ${c}`).join(''), params };
}

export type ContactMatch = { contactId: string; workspaceId: string; name: string | null; email: string | null; organisation: string | null; status: string };

/**
 * The contacts a person may mean by what they typed: an id or its first or last characters (6 or more), an
 * email address, or a name (the exact name first; else every name containing the text).
 */
export function findContacts(db: Database, text: string, workspaceId: string | null): ContactMatch[] {
  const t = text.trim().toLowerCase();
  const ws = workspaceId ? 'AND workspace_id = @workspaceId' : '';
  const cols = 'contact_id AS contactId, workspace_id AS workspaceId, name, email, organisation, status';
  const params = { t, like: like(t), ...(workspaceId ? { workspaceId } : {}) };
  const run = (where: string) =>
    stmt(db, `SELECT ${cols} FROM contacts WHERE ${where} ${ws} AND status <> 'forgotten' ORDER BY added_at LIMIT 20`).all(params) as ContactMatch[];
  if (/^[0-9a-f-]{6,36}$/.test(t)) {
    // The start or the end of an id: ids made together share their start (UUIDv7 begins with the time).
    const byId = run(`(contact_id LIKE @t || '%' OR contact_id LIKE '%' || @t)`);
    if (byId.length) return byId;
  }
  if (t.includes('@')) return run('lower(email) = @t');
  const exact = run('lower(name) = @t');
  return exact.length ? exact : run(`lower(name) LIKE @like ESCAPE '\\'`);
}

export type MeetingMatch = { meetingId: string; contactId: string; status: string; requestedAt: string };

/** Meetings whose id starts or ends so (6 or more characters), or the meetings of some contacts, the latest first. */
export function findMeetings(db: Database, q: { idPrefix?: string; contactIds?: string[] }, workspaceId: string | null): MeetingMatch[] {
  const ws = workspaceId ? 'AND workspace_id = @workspaceId' : '';
  const cols = 'meeting_id AS meetingId, contact_id AS contactId, status, requested_at AS requestedAt';
  const where = q.idPrefix ? `(meeting_id LIKE @prefix || '%' OR meeting_id LIKE '%' || @prefix)` : 'contact_id IN (SELECT value FROM json_each(@ids))';
  return stmt(db, `SELECT ${cols} FROM pipeline WHERE ${where} ${ws} ORDER BY requested_at DESC LIMIT 20`).all({
    prefix: (q.idPrefix ?? '').toLowerCase(),
    ids: JSON.stringify(q.contactIds ?? []),
    ...(workspaceId ? { workspaceId } : {}),
  }) as MeetingMatch[];
}

/** The people a contact referred the seeker to, with their names (none once forgotten). */
export function referralsGivenBy(db: Database, contactId: string): { contactId: string; name: string | null; meetingId: string | null }[] {
  return stmt(
    db,
    `SELECT contact_id AS contactId, name, referred_by_meeting AS meetingId FROM contacts WHERE referred_by = ? AND status <> 'forgotten' ORDER BY added_at`,
  ).all(contactId) as { contactId: string; name: string | null; meetingId: string | null }[];
}
