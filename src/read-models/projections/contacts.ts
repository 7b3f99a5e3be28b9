import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, PAGE } from './support/sql.ts';
import { utc } from './support/time.ts';
import { draftsWaitingOf, meetingsOf, type MeetingTouch } from './support/joins.ts';
import { nextAction, type ContactState } from './next-action.ts';
import { contactFilterSql, type ContactFilter } from './contact-search.ts';

export { nextAction, type ContactState } from './next-action.ts';

/**
 * Contacts with their status, last touch and next action. This table is where a contact's name
 * lives: the other read models join it when they are read (projections/joins.ts), so forgetting
 * the contact here removes the name from all of them. Meetings are read from `pipeline` for the
 * rows a query returns; most of the log is meeting events, and this projection skips them.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS contacts (
    contact_id          TEXT PRIMARY KEY,
    workspace_id        TEXT NOT NULL,
    status              TEXT NOT NULL,
    name                TEXT,
    email               TEXT,
    phone               TEXT,
    linkedin_url        TEXT,
    organisation        TEXT,
    role                TEXT,
    level               TEXT,
    industry            TEXT,
    timezone            TEXT,
    tags                TEXT,
    source              TEXT,
    referred_by         TEXT,
    referred_by_meeting TEXT,
    added_at            TEXT,
    last_touch_at       TEXT,
    last_touch          TEXT,
    replied_at          TEXT,
    bounced_email       TEXT,
    opted_out_at        TEXT,
    forgotten_at        TEXT,
    update_written_at   TEXT,
    target              TEXT
  ) WITHOUT ROWID;
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS contacts_by_added ON contacts (added_at, contact_id);
  CREATE INDEX IF NOT EXISTS contacts_by_workspace ON contacts (workspace_id, added_at, contact_id);
  -- The dashboard's levels covered: read from the index alone, not from the rows with every personal field.
  CREATE INDEX IF NOT EXISTS contacts_by_level ON contacts (industry, level, added_at, contact_id) WHERE industry IS NOT NULL AND level IS NOT NULL;
  CREATE INDEX IF NOT EXISTS contacts_by_workspace_level ON contacts (workspace_id, industry, level, added_at, contact_id)
    WHERE industry IS NOT NULL AND level IS NOT NULL;
`;

// A touch moves last_touch_at only forwards: a late-recorded older event does not hide a newer one.
const TOUCH = `
  last_touch = CASE WHEN ? > coalesce(last_touch_at, '') THEN ? ELSE last_touch END,
  last_touch_at = max(coalesce(last_touch_at, ''), ?)`;

const q = preparedFor((db) => ({
  add: db.prepare(`
    INSERT INTO contacts (contact_id, workspace_id, status, name, email, phone, linkedin_url, organisation, role, level,
      industry, timezone, tags, source, referred_by, referred_by_meeting, added_at, last_touch_at, last_touch, target)
    VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'added', ?)
    ON CONFLICT(contact_id) DO NOTHING`),
  change: db.prepare(`
    UPDATE contacts SET
      name = coalesce(?, name), email = coalesce(?, email), phone = coalesce(?, phone), linkedin_url = coalesce(?, linkedin_url),
      organisation = coalesce(?, organisation), role = coalesce(?, role), level = coalesce(?, level), industry = coalesce(?, industry),
      timezone = coalesce(?, timezone), tags = coalesce(?, tags), target = coalesce(?, target)
    WHERE contact_id = ? AND status <> 'forgotten'`),
  reply: db.prepare(`UPDATE contacts SET replied_at = ?, ${TOUCH} WHERE contact_id = ?`),
  keptInTouch: db.prepare(`UPDATE contacts SET update_written_at = NULL, ${TOUCH} WHERE contact_id = ?`),
  updateWritten: db.prepare(`UPDATE contacts SET update_written_at = ? WHERE contact_id = ?`),
  optOut: db.prepare(`UPDATE contacts SET status = 'opted_out', opted_out_at = ? WHERE contact_id = ? AND status = 'active'`),
  bounce: db.prepare(`UPDATE contacts SET bounced_email = ? WHERE contact_id = ? AND status <> 'forgotten'`),
  // Level and source stay: enums counted anonymously, not who the person is. The industry is free
  // text, sealed in the log like the organisation and role, so it goes too (a rebuild could not read it).
  forget: db.prepare(`
    UPDATE contacts SET status = 'forgotten', forgotten_at = ?, name = NULL, email = NULL, phone = NULL, linkedin_url = NULL,
      organisation = NULL, role = NULL, industry = NULL, timezone = NULL, tags = NULL, bounced_email = NULL
    WHERE contact_id = ?`),
}));

export const contacts = defineProjection({
  name: 'contacts',
  // 4: the career target the person can tell about.
  version: 4,
  schema,
  indexes,
  personal: ['ContactAdded', 'ContactDetailsChanged', 'EmailBounced'],
  apply(db, e) {
    if (!e.stream.startsWith('contact-')) return;
    const contactId = idOfStream(e.stream);
    switch (e.type) {
      case 'ContactAdded': {
        // Positional arguments and no intermediate objects: this runs for every contact of a rebuild.
        const d = dataOf(e, 'ContactAdded');
        const at = utc(d.addedAt);
        q(db).add.run(
          d.contactId,
          workspaceOf(e),
          d.name,
          d.email ?? null,
          d.phone ?? null,
          d.linkedinUrl ?? null,
          d.organisation ?? null,
          d.role ?? null,
          d.level ?? null,
          d.industry ?? null,
          d.timezone ?? null,
          d.tags.length ? JSON.stringify(d.tags) : null,
          d.source,
          d.referredBy?.contactId ?? null,
          d.referredBy?.meetingId ?? null,
          at,
          at,
          d.target ?? null,
        );
        return;
      }
      case 'ContactDetailsChanged': {
        const c = dataOf(e, 'ContactDetailsChanged').changes;
        q(db).change.run(
          c.name ?? null,
          c.email ?? null,
          c.phone ?? null,
          c.linkedinUrl ?? null,
          c.organisation ?? null,
          c.role ?? null,
          c.level ?? null,
          c.industry ?? null,
          c.timezone ?? null,
          c.tags === undefined ? null : JSON.stringify(c.tags),
          c.target ?? null,
          contactId,
        );
        return;
      }
      case 'ReplyReceived': {
        const at = utc(dataOf(e, 'ReplyReceived').receivedAt);
        q(db).reply.run(at, at, 'reply', at, contactId);
        return;
      }
      case 'KeepInTouchSent': {
        const at = utc(dataOf(e, 'KeepInTouchSent').sentAt);
        q(db).keptInTouch.run(at, 'keep-in-touch', at, contactId);
        return;
      }
      case 'ContactUpdateWritten':
        q(db).updateWritten.run(utc(dataOf(e, 'ContactUpdateWritten').writtenAt), contactId);
        return;
      case 'ContactOptedOut':
        q(db).optOut.run(utc(dataOf(e, 'ContactOptedOut').optedOutAt), contactId);
        return;
      case 'EmailBounced':
        q(db).bounce.run(dataOf(e, 'EmailBounced').email, contactId);
        return;
      case 'ContactForgotten':
        q(db).forget.run(utc(dataOf(e, 'ContactForgotten').forgottenAt), contactId);
    }
  },
});

type ContactRow = {
  contact_id: string;
  workspace_id: string;
  status: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  linkedin_url: string | null;
  organisation: string | null;
  role: string | null;
  level: string | null;
  industry: string | null;
  timezone: string | null;
  tags: string | null;
  source: string | null;
  referred_by: string | null;
  referred_by_meeting: string | null;
  added_at: string | null;
  last_touch_at: string | null;
  last_touch: string | null;
  replied_at: string | null;
  bounced_email: string | null;
  opted_out_at: string | null;
  forgotten_at: string | null;
  update_written_at: string | null;
  target: string | null;
};

function toContact(c: ContactRow, meetings: MeetingTouch[], now: string, draftsWaiting = 0) {
  let lastTouchAt = c.last_touch_at;
  let lastTouch = c.last_touch;
  for (const m of meetings) {
    if (m.last_touch_at > (lastTouchAt ?? '')) {
      lastTouchAt = m.last_touch_at;
      lastTouch = m.last_touch;
    }
  }
  const latest = meetings.at(-1);
  const state: ContactState = {
    status: c.status,
    firstName: (c.name ?? '').trim().split(/\s+/)[0] ?? '',
    timezone: c.timezone,
    updateWritten: c.update_written_at !== null,
    draftsWaiting,
    email: c.email,
    bouncedEmail: c.bounced_email,
    repliedAt: c.replied_at,
    lastTouchAt,
    meetingsHeld: meetings.filter((m) => m.held_at !== null).length,
    thankYousPending: meetings.filter((m) => m.held_at !== null && m.thank_you_sent_at === null).length,
    meeting: latest
      ? {
          status: latest.status,
          requestedAt: latest.requested_at,
          start: latest.start_at,
          channel: latest.channel,
          via: latest.via,
          gatekeeperEmailedAt: latest.gatekeeper_emailed_at,
          gatekeeperRepliedAt: latest.gatekeeper_replied_at,
          introducedAt: latest.introduced_at,
          callAttempts: latest.call_attempts,
          lastCallOutcome: latest.last_call_outcome,
          nextCallAt: latest.next_call_at,
          calendarDecision: latest.calendar_decision,
        }
      : null,
  };
  const next = nextAction(state, now);
  return {
    contactId: c.contact_id,
    workspaceId: c.workspace_id,
    status: c.status,
    name: c.name,
    email: c.email,
    phone: c.phone,
    linkedinUrl: c.linkedin_url,
    organisation: c.organisation,
    role: c.role,
    level: c.level,
    industry: c.industry,
    target: c.target,
    timezone: c.timezone,
    tags: c.tags === null ? [] : (JSON.parse(c.tags) as string[]),
    source: c.source,
    referredBy: c.referred_by,
    referredByMeeting: c.referred_by_meeting,
    addedAt: c.added_at,
    lastTouchAt,
    lastTouch,
    repliedAt: c.replied_at,
    emailBounced: c.email !== null && c.bounced_email === c.email,
    optedOutAt: c.opted_out_at,
    forgottenAt: c.forgotten_at,
    meetings: meetings.length,
    meetingsHeld: state.meetingsHeld,
    thankYousPending: state.thankYousPending,
    meetingId: latest?.meeting_id ?? null,
    meetingStatus: latest?.status ?? null,
    meetingStart: latest?.start_at ?? null,
    nextAction: next.action,
    nextActionAt: next.at,
  };
}

/** Oldest first, so that a page stays put while contacts are added; narrowed by a filter when one is given. */
export function listContacts(db: Database, q: Page & { filter?: ContactFilter }): Rows {
  const filter = contactFilterSql(q.filter);
  const where = `${inWorkspace(q.workspaceId)}${filter.sql}`;
  const params = { ...pageParams(q), ...filter.params };
  const rows = stmt(db, `SELECT * FROM contacts WHERE ${where} ORDER BY added_at, contact_id ${PAGE}`).all(params) as ContactRow[];
  const byContact = new Map<string, MeetingTouch[]>();
  for (const m of meetingsOf(
    db,
    rows.map((r) => r.contact_id),
  ))
    byContact.set(m.contact_id, [...(byContact.get(m.contact_id) ?? []), m]);
  const waiting = draftsWaitingOf(
    db,
    rows.map((r) => r.contact_id),
  );
  return {
    rows: rows.map((c) => toContact(c, byContact.get(c.contact_id) ?? [], q.now, waiting.get(c.contact_id) ?? 0)),
    total: countOf(db, `SELECT COUNT(*) AS n FROM contacts WHERE ${where}`, params),
  };
}
