import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, rowsOf, PAGE } from './support/sql.ts';
import { utc } from './support/time.ts';
import { withMeeting } from './support/joins.ts';

/**
 * Booked meetings by start time: a row while a meeting is booked, gone once it is held, missed or
 * cancelled. `now` decides "upcoming" at query time; who and where come from the pipeline.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS agenda (
    meeting_id   TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    start_at     TEXT NOT NULL,
    end_at       TEXT NOT NULL,
    minutes      INTEGER NOT NULL,
    timezone     TEXT NOT NULL
  ) WITHOUT ROWID;
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS agenda_by_start ON agenda (start_at, meeting_id);
  CREATE INDEX IF NOT EXISTS agenda_by_workspace ON agenda (workspace_id, start_at, meeting_id);
`;

/** The longest meeting a booking allows (MeetingBooked.minutes ≤ 240): a start this long ago may still be running. */
const LONGEST_MS = 240 * 60_000;

const q = preparedFor((db) => ({
  book: db.prepare(`
    INSERT INTO agenda (meeting_id, workspace_id, start_at, end_at, minutes, timezone) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(meeting_id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, minutes = excluded.minutes, timezone = excluded.timezone`),
  move: db.prepare(`UPDATE agenda SET start_at = ?, end_at = ?, minutes = ?, timezone = ? WHERE meeting_id = ?`),
  close: db.prepare(`DELETE FROM agenda WHERE meeting_id = ?`),
}));

const endOf = (start: string, minutes: number) => new Date(Date.parse(start) + minutes * 60_000).toISOString();

export const agenda = defineProjection({
  name: 'agenda',
  version: 1,
  schema,
  indexes,
  apply(db, e) {
    switch (e.type) {
      case 'MeetingBooked': {
        const d = dataOf(e, 'MeetingBooked');
        const start = utc(d.start);
        q(db).book.run(idOfStream(e.stream), workspaceOf(e), start, endOf(start, d.minutes), d.minutes, d.timezone);
        return;
      }
      case 'MeetingRescheduled': {
        const d = dataOf(e, 'MeetingRescheduled');
        const start = utc(d.start);
        q(db).move.run(start, endOf(start, d.minutes), d.minutes, d.timezone, idOfStream(e.stream));
        return;
      }
      case 'MeetingCancelled':
      case 'MeetingHeld':
      case 'MeetingNoShow':
        q(db).close.run(idOfStream(e.stream));
    }
  },
});

export type AgendaItem = {
  meetingId: string;
  workspaceId: string;
  contactId: string | null;
  contactName: string | null;
  organisation: string | null;
  start: string;
  end: string;
  minutes: number;
  timezone: string;
  location: string | null;
  videoUrl: string | null;
};

type AgendaRow = {
  meeting_id: string;
  workspace_id: string;
  contact_id: string | null;
  contact_name: string | null;
  contact_organisation: string | null;
  start_at: string;
  end_at: string;
  minutes: number;
  timezone: string;
  location: string | null;
  video_url: string | null;
};

const toItem = (r: AgendaRow): AgendaItem => ({
  meetingId: r.meeting_id,
  workspaceId: r.workspace_id,
  contactId: r.contact_id,
  contactName: r.contact_name,
  organisation: r.contact_organisation,
  start: r.start_at,
  end: r.end_at,
  minutes: r.minutes,
  timezone: r.timezone,
  location: r.location,
  videoUrl: r.video_url,
});

// The start bound lets SQLite walk the start index; end_at > now keeps a meeting under way.
const WHERE = (workspaceId: string | undefined) => `${inWorkspace(workspaceId, 'a.workspace_id')} AND a.start_at > @earliest AND a.end_at > @now`;

const params = (q: Page) => ({ ...pageParams(q), earliest: new Date(Date.parse(q.now) - LONGEST_MS).toISOString() });

/** Upcoming and running booked meetings, soonest first. */
export function listAgenda(db: Database, q: Page): Rows {
  const meeting = withMeeting('a');
  const rows = rowsOf(
    db,
    `
    SELECT a.*, ${meeting.columns}, ${meeting.contact.columns} FROM agenda a ${meeting.join} ${meeting.contact.join}
    WHERE ${WHERE(q.workspaceId)} ORDER BY a.start_at, a.meeting_id ${PAGE}`,
    params(q),
  ) as AgendaRow[];
  return { rows: rows.map(toItem), total: countOf(db, `SELECT COUNT(*) AS n FROM agenda a WHERE ${WHERE(q.workspaceId)}`, params(q)) };
}
