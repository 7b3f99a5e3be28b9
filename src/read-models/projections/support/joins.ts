import type { Database } from 'better-sqlite3';
import { stmt } from './sql.ts';

/**
 * What one read model shows of another's rows, joined when it is read (never while applying an
 * event, so each projection still rebuilds on its own). A contact's name lives only in `contacts`
 * and a meeting's contact and place only in `pipeline`: renaming shows everywhere, and forgetting
 * a contact there removes the name and the place from every read model at once.
 */

/** The contact's name and organisation (NULL once forgotten), for a table aliased `alias` with a contact_id. */
export const withContact = (alias: string) => ({
  columns: 'n.name AS contact_name, n.organisation AS contact_organisation',
  join: `LEFT JOIN contacts n ON n.contact_id = ${alias}.contact_id`,
});

/** The meeting's contact and place, for a table aliased `alias` with a meeting_id. */
export const withMeeting = (alias: string) => ({
  columns: 'pm.contact_id AS contact_id, pm.location AS location, pm.video_url AS video_url',
  join: `LEFT JOIN pipeline pm ON pm.meeting_id = ${alias}.meeting_id`,
  contact: withContact('pm'),
});

export type MeetingTouch = {
  meeting_id: string;
  contact_id: string;
  status: string;
  requested_at: string;
  start_at: string | null;
  held_at: string | null;
  thank_you_sent_at: string | null;
  channel: string | null;
  via: string | null;
  gatekeeper_contact_id: string | null;
  gatekeeper_emailed_at: string | null;
  gatekeeper_replied_at: string | null;
  introduced_at: string | null;
  call_attempts: number;
  last_call_outcome: string | null;
  next_call_at: string | null;
  calendar_decision: string | null;
  last_touch_at: string;
  last_touch: string;
};

/** The meetings of some contacts, oldest request first, for folding into the contacts read model. */
export function meetingsOf(db: Database, contactIds: string[]): MeetingTouch[] {
  return stmt(
    db,
    `
    SELECT meeting_id, contact_id, status, requested_at, start_at, held_at, thank_you_sent_at, channel, via, gatekeeper_contact_id,
      gatekeeper_emailed_at, gatekeeper_replied_at, introduced_at, call_attempts, last_call_outcome, next_call_at, calendar_decision, last_touch_at, last_touch
    FROM pipeline WHERE contact_id IN (SELECT value FROM json_each(?)) ORDER BY contact_id, requested_at, meeting_id`,
  ).all(JSON.stringify(contactIds)) as MeetingTouch[];
}

/** How many drafts wait for the seeker's review, per contact (a contact with none is absent). */
export function draftsWaitingOf(db: Database, contactIds: string[]): Map<string, number> {
  const rows = stmt(
    db,
    `SELECT contact_id, COUNT(*) AS n FROM drafts WHERE status = 'waiting' AND contact_id IN (SELECT value FROM json_each(?)) GROUP BY contact_id`,
  ).all(JSON.stringify(contactIds)) as { contact_id: string; n: number }[];
  return new Map(rows.map((r) => [r.contact_id, r.n]));
}
