import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, rowsOf, PAGE } from './support/sql.ts';
import { utc } from './support/time.ts';
import { withMeeting } from './support/joins.ts';

/**
 * Held meetings that ran past the time agreed: the method promises 15–20 minutes and keeping to
 * it. Agreed is the booked length, the latest reschedule's (a meeting is held only once booked).
 * Who it was with comes from the pipeline.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS overruns (
    meeting_id     TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL,
    agreed_minutes INTEGER NOT NULL,
    held_at        TEXT,
    actual_minutes INTEGER,
    over_by        INTEGER
  ) WITHOUT ROWID;
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS overruns_over ON overruns (held_at, meeting_id) WHERE over_by > 0;
  CREATE INDEX IF NOT EXISTS overruns_over_by_workspace ON overruns (workspace_id, held_at, meeting_id) WHERE over_by > 0;
`;

const q = preparedFor((db) => ({
  book: db.prepare(
    `INSERT INTO overruns (meeting_id, workspace_id, agreed_minutes) VALUES (?, ?, ?) ON CONFLICT(meeting_id) DO UPDATE SET agreed_minutes = excluded.agreed_minutes`,
  ),
  agree: db.prepare(`UPDATE overruns SET agreed_minutes = ? WHERE meeting_id = ?`),
  held: db.prepare(`UPDATE overruns SET held_at = @heldAt, actual_minutes = @actual, over_by = @actual - agreed_minutes WHERE meeting_id = @meetingId`),
}));

export const overruns = defineProjection({
  name: 'overruns',
  version: 1,
  schema,
  indexes,
  apply(db, e) {
    switch (e.type) {
      case 'MeetingBooked':
        return void q(db).book.run(idOfStream(e.stream), workspaceOf(e), dataOf(e, 'MeetingBooked').minutes);
      case 'MeetingRescheduled':
        return void q(db).agree.run(dataOf(e, 'MeetingRescheduled').minutes, idOfStream(e.stream));
      case 'MeetingHeld': {
        const d = dataOf(e, 'MeetingHeld');
        q(db).held.run({ heldAt: utc(d.heldAt), actual: d.actualMinutes, meetingId: idOfStream(e.stream) });
      }
    }
  },
});

export type OverrunItem = {
  meetingId: string;
  workspaceId: string;
  contactId: string | null;
  contactName: string | null;
  organisation: string | null;
  heldAt: string;
  agreedMinutes: number;
  actualMinutes: number;
  overByMinutes: number;
};

type OverrunRow = {
  meeting_id: string;
  workspace_id: string;
  contact_id: string | null;
  contact_name: string | null;
  contact_organisation: string | null;
  held_at: string;
  agreed_minutes: number;
  actual_minutes: number;
  over_by: number;
};

const WHERE = (workspaceId: string | undefined) => `${inWorkspace(workspaceId, 'o.workspace_id')} AND o.over_by > 0`;

/** Latest first. */
export function listOverruns(db: Database, q: Page): Rows {
  const meeting = withMeeting('o');
  const rows = rowsOf(
    db,
    `
    SELECT o.*, pm.contact_id, ${meeting.contact.columns} FROM overruns o ${meeting.join} ${meeting.contact.join}
    WHERE ${WHERE(q.workspaceId)} ORDER BY o.held_at DESC, o.meeting_id DESC ${PAGE}`,
    pageParams(q),
  ) as OverrunRow[];
  return {
    rows: rows.map(
      (r): OverrunItem => ({
        meetingId: r.meeting_id,
        workspaceId: r.workspace_id,
        contactId: r.contact_id,
        contactName: r.contact_name,
        organisation: r.contact_organisation,
        heldAt: r.held_at,
        agreedMinutes: r.agreed_minutes,
        actualMinutes: r.actual_minutes,
        overByMinutes: r.over_by,
      }),
    ),
    total: countOf(db, `SELECT COUNT(*) AS n FROM overruns o WHERE ${WHERE(q.workspaceId)}`, pageParams(q)),
  };
}
