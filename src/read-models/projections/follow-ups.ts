import type { Database, Statement } from 'better-sqlite3';
import type { StoredEvent } from '../../eventstore/port.ts';
import { dueAt } from './follow-up-due.ts';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, rowsOf, PAGE } from './support/sql.ts';
import { durationFloorMs, utc } from './support/time.ts';
import { withContact } from './support/joins.ts';

/**
 * Follow-ups still owed: the thank-you after each held meeting, the one nudge after a request
 * email, and the keep-in-touch note after the last one. A row is what the reactor scheduled,
 * removed by the event that sends it or makes it moot (a reply, a booking, an opt-out…).
 *
 * The exact due time needs the business-hours rules (luxon, ~100 µs a call), too slow to run for
 * every event of a rebuild; a row keeps the inputs and a lower bound (`not_before_ms` = since +
 * delay with short months), and the due time is computed for the rows a query returns.
 */
export type FollowUpKind = 'thank-you' | 'nudge' | 'keep-in-touch';

const schema = `
  CREATE TABLE IF NOT EXISTS follow_ups (
    kind          TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    contact_id    TEXT NOT NULL,
    meeting_id    TEXT,
    since         TEXT NOT NULL,
    not_before_ms INTEGER NOT NULL,
    delay         TEXT NOT NULL,
    deadline      TEXT,
    zone          TEXT NOT NULL,
    hours         TEXT NOT NULL,
    PRIMARY KEY (kind, subject_id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS follow_ups_by_contact ON follow_ups (contact_id);
  CREATE TABLE IF NOT EXISTS follow_ups_contacts (
    contact_id   TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    timezone     TEXT,
    status       TEXT NOT NULL,
    has_email    INTEGER NOT NULL,
    bounced      INTEGER NOT NULL DEFAULT 0,
    replied_at   TEXT
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS follow_ups_meetings (
    meeting_id   TEXT PRIMARY KEY,
    contact_id   TEXT NOT NULL,
    requested_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS follow_ups_workspaces (
    workspace_id          TEXT PRIMARY KEY,
    timezone              TEXT NOT NULL,
    hours                 TEXT NOT NULL,
    thank_you_delay       TEXT NOT NULL,
    thank_you_delay_ms    INTEGER NOT NULL,
    thank_you_deadline    TEXT NOT NULL,
    keep_in_touch_cadence TEXT NOT NULL,
    keep_in_touch_ms      INTEGER NOT NULL,
    nudge_after           TEXT NOT NULL,
    nudge_after_ms        INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS follow_ups_by_due ON follow_ups (not_before_ms, kind, subject_id);
  CREATE INDEX IF NOT EXISTS follow_ups_by_workspace ON follow_ups (workspace_id, not_before_ms, kind, subject_id);
`;

// One statement per follow-up owed: the contact's and workspace's settings are joined in SQL
// rather than read into JS and written back, which halves the statements a rebuild runs.
const DELAYS = {
  'thank-you': { delay: 'w.thank_you_delay', ms: 'w.thank_you_delay_ms', deadline: 'w.thank_you_deadline' },
  nudge: { delay: 'w.nudge_after', ms: 'w.nudge_after_ms', deadline: 'NULL' },
  'keep-in-touch': { delay: 'w.keep_in_touch_cadence', ms: 'w.keep_in_touch_ms', deadline: 'NULL' },
} as const;

const owe = (kind: FollowUpKind, from: string, where: string) => `
  INSERT INTO follow_ups (kind, subject_id, workspace_id, contact_id, meeting_id, since, not_before_ms, delay, deadline, zone, hours)
  SELECT '${kind}', ${kind === 'keep-in-touch' ? 'c.contact_id, c.workspace_id, c.contact_id, NULL' : 'm.meeting_id, c.workspace_id, c.contact_id, m.meeting_id'},
    ?, ? + ${DELAYS[kind].ms}, ${DELAYS[kind].delay}, ${DELAYS[kind].deadline}, coalesce(c.timezone, w.timezone), w.hours
  FROM ${from} JOIN follow_ups_workspaces w ON w.workspace_id = c.workspace_id
  WHERE ${where}
  ON CONFLICT(kind, subject_id) DO UPDATE SET since = excluded.since, not_before_ms = excluded.not_before_ms, delay = excluded.delay,
    deadline = excluded.deadline, zone = excluded.zone, hours = excluded.hours`;

const OF_MEETING = 'follow_ups_meetings m JOIN follow_ups_contacts c ON c.contact_id = m.contact_id';
/** What the email worker would refuse to send (emailBlocker in the domain). */
const MAY_EMAIL = `c.status = 'active' AND c.has_email = 1 AND c.bounced = 0`;

const q = preparedFor((db) => ({
  configure: db.prepare(`
    INSERT INTO follow_ups_workspaces (workspace_id, timezone, hours, thank_you_delay, thank_you_delay_ms, thank_you_deadline,
      keep_in_touch_cadence, keep_in_touch_ms, nudge_after, nudge_after_ms)
    VALUES (@workspaceId, @timezone, @hours, @thankYouDelay, @thankYouDelayMs, @thankYouDeadline, @keepInTouchCadence, @keepInTouchMs, @nudgeAfter, @nudgeAfterMs)
    ON CONFLICT(workspace_id) DO UPDATE SET timezone = excluded.timezone, hours = excluded.hours, thank_you_delay = excluded.thank_you_delay,
      thank_you_delay_ms = excluded.thank_you_delay_ms, thank_you_deadline = excluded.thank_you_deadline,
      keep_in_touch_cadence = excluded.keep_in_touch_cadence, keep_in_touch_ms = excluded.keep_in_touch_ms,
      nudge_after = excluded.nudge_after, nudge_after_ms = excluded.nudge_after_ms`),
  addContact: db.prepare(`
    INSERT INTO follow_ups_contacts (contact_id, workspace_id, timezone, status, has_email) VALUES (?, ?, ?, 'active', ?)
    ON CONFLICT(contact_id) DO NOTHING`),
  changeContact: db.prepare(`
    UPDATE follow_ups_contacts SET timezone = coalesce(@timezone, timezone),
      has_email = CASE WHEN @email IS NULL THEN has_email ELSE 1 END, bounced = CASE WHEN @email IS NULL THEN bounced ELSE 0 END
    WHERE contact_id = @contactId AND status <> 'forgotten'`),
  reply: db.prepare(`UPDATE follow_ups_contacts SET replied_at = ? WHERE contact_id = ?`),
  optOut: db.prepare(`UPDATE follow_ups_contacts SET status = 'opted_out' WHERE contact_id = ? AND status = 'active'`),
  bounce: db.prepare(`UPDATE follow_ups_contacts SET bounced = 1 WHERE contact_id = ?`),
  forget: db.prepare(`UPDATE follow_ups_contacts SET status = 'forgotten', timezone = NULL WHERE contact_id = ?`),
  addMeeting: db.prepare(`INSERT INTO follow_ups_meetings (meeting_id, contact_id, requested_at) VALUES (?, ?, ?) ON CONFLICT(meeting_id) DO NOTHING`),
  // Owed even without an address: a thank-you can go by hand, and the list should say it is missing.
  oweThankYou: db.prepare(owe('thank-you', OF_MEETING, `m.meeting_id = ? AND c.status = 'active'`)),
  // No nudge once the contact answered after the request (nudgeBlocker in the domain).
  oweNudge: db.prepare(owe('nudge', OF_MEETING, `m.meeting_id = ? AND ${MAY_EMAIL} AND (c.replied_at IS NULL OR c.replied_at < m.requested_at)`)),
  // The chain of notes ends for good once the contact replied (the domain refuses the next one).
  oweKeepInTouchAfterMeeting: db.prepare(owe('keep-in-touch', OF_MEETING, `m.meeting_id = ? AND ${MAY_EMAIL} AND c.replied_at IS NULL`)),
  oweKeepInTouch: db.prepare(owe('keep-in-touch', 'follow_ups_contacts c', `c.contact_id = ? AND ${MAY_EMAIL} AND c.replied_at IS NULL`)),
  done: db.prepare(`DELETE FROM follow_ups WHERE kind = ? AND subject_id = ?`),
  stopEmails: db.prepare(`DELETE FROM follow_ups WHERE contact_id = ? AND kind IN ('nudge', 'keep-in-touch')`),
  stopAll: db.prepare(`DELETE FROM follow_ups WHERE contact_id = ?`),
}));

/** Runs one of the `owe…` statements: the follow-up counts from `at`, for the meeting or contact `key`. */
const owed = (statement: Statement, at: string, key: string) => {
  const since = utc(at);
  statement.run(since, Date.parse(since), key);
};

function applyContact(db: Database, e: StoredEvent) {
  const contactId = idOfStream(e.stream);
  switch (e.type) {
    case 'ContactAdded': {
      const d = dataOf(e, 'ContactAdded');
      q(db).addContact.run(d.contactId, workspaceOf(e), d.timezone ?? null, d.email ? 1 : 0);
      return;
    }
    case 'ContactDetailsChanged': {
      const c = dataOf(e, 'ContactDetailsChanged').changes;
      if (c.timezone !== undefined || c.email !== undefined) q(db).changeContact.run({ contactId, timezone: c.timezone ?? null, email: c.email ?? null });
      return;
    }
    case 'ReplyReceived':
      q(db).reply.run(utc(dataOf(e, 'ReplyReceived').receivedAt), contactId);
      q(db).stopEmails.run(contactId);
      return;
    case 'ContactOptedOut':
      q(db).optOut.run(contactId);
      q(db).stopAll.run(contactId);
      return;
    case 'EmailBounced':
      q(db).bounce.run(contactId);
      q(db).stopAll.run(contactId);
      return;
    case 'ContactForgotten':
      q(db).forget.run(contactId);
      q(db).stopAll.run(contactId);
      return;
    case 'KeepInTouchSent':
      owed(q(db).oweKeepInTouch, dataOf(e, 'KeepInTouchSent').sentAt, contactId);
  }
}

function applyMeeting(db: Database, e: StoredEvent) {
  const meetingId = idOfStream(e.stream);
  switch (e.type) {
    case 'MeetingRequested': {
      const d = dataOf(e, 'MeetingRequested');
      q(db).addMeeting.run(d.meetingId, d.contactId, utc(d.requestedAt));
      return;
    }
    case 'OutreachEmailSent':
      owed(q(db).oweNudge, dataOf(e, 'OutreachEmailSent').sentAt, meetingId);
      return;
    case 'NudgeSent':
    case 'MeetingBooked':
    case 'MeetingCancelled':
    case 'MeetingNoShow':
      q(db).done.run('nudge', meetingId);
      return;
    case 'MeetingHeld':
      q(db).done.run('nudge', meetingId);
      owed(q(db).oweThankYou, dataOf(e, 'MeetingHeld').heldAt, meetingId);
      return;
    case 'ThankYouSent': {
      q(db).done.run('thank-you', meetingId);
      owed(q(db).oweKeepInTouchAfterMeeting, dataOf(e, 'ThankYouSent').sentAt, meetingId);
    }
  }
}

export const followUps = defineProjection({
  name: 'follow-ups',
  version: 1,
  schema,
  indexes,
  personal: ['ContactAdded', 'ContactDetailsChanged'],
  apply(db, e) {
    if (e.type === 'WorkspaceConfigured') {
      const d = dataOf(e, 'WorkspaceConfigured');
      q(db).configure.run({
        workspaceId: workspaceOf(e),
        timezone: d.timezone,
        hours: JSON.stringify(d.businessHours),
        thankYouDelay: d.thankYouDelay,
        thankYouDelayMs: durationFloorMs(d.thankYouDelay),
        thankYouDeadline: d.thankYouDeadline,
        keepInTouchCadence: d.keepInTouchCadence,
        keepInTouchMs: durationFloorMs(d.keepInTouchCadence),
        nudgeAfter: d.nudgeAfter,
        nudgeAfterMs: durationFloorMs(d.nudgeAfter),
      });
    } else if (e.stream.startsWith('contact-')) {
      applyContact(db, e);
    } else if (e.stream.startsWith('meeting-')) {
      applyMeeting(db, e);
    }
  },
});

export type FollowUpItem = {
  kind: FollowUpKind;
  workspaceId: string;
  contactId: string;
  contactName: string | null;
  meetingId: string | null;
  since: string;
  dueAt: string;
  overdue: boolean;
};

type FollowUpRow = {
  kind: FollowUpKind;
  subject_id: string;
  workspace_id: string;
  contact_id: string;
  meeting_id: string | null;
  since: string;
  not_before_ms: number;
  delay: string;
  deadline: string | null;
  zone: string;
  hours: string;
  contact_name: string | null;
};

const toItem = (r: FollowUpRow, now: string): FollowUpItem => {
  const due = dueAt(r);
  return {
    kind: r.kind,
    workspaceId: r.workspace_id,
    contactId: r.contact_id,
    contactName: r.contact_name,
    meetingId: r.meeting_id,
    since: r.since,
    dueAt: due,
    overdue: due <= now,
  };
};

// Thank-yous are listed from the moment the meeting is held (a promise with a deadline); nudges and
// keep-in-touch notes once their delay has passed, so a note six weeks out is not yet "due".
const WHERE = (workspaceId: string | undefined) => `${inWorkspace(workspaceId, 'f.workspace_id')} AND (f.kind = 'thank-you' OR f.not_before_ms <= @nowMs)`;

// The same rows counted as two index ranges: SQLite's OR over two indexes cost ~5x as much.
const COUNT = (workspaceId: string | undefined) => `SELECT
  (SELECT COUNT(*) FROM follow_ups f WHERE ${inWorkspace(workspaceId, 'f.workspace_id')} AND f.kind = 'thank-you') +
  (SELECT COUNT(*) FROM follow_ups f WHERE ${inWorkspace(workspaceId, 'f.workspace_id')} AND f.not_before_ms <= @nowMs AND f.kind <> 'thank-you') AS n`;

const params = (q: Page) => ({ ...pageParams(q), nowMs: Date.parse(q.now) });

/** Follow-ups due, earliest first (by the moment their delay ends; `dueAt` moves it into business hours). */
export function listFollowUps(db: Database, q: Page): Rows {
  const contact = withContact('f');
  const rows = rowsOf(
    db,
    `
    SELECT f.*, ${contact.columns} FROM follow_ups f ${contact.join}
    WHERE ${WHERE(q.workspaceId)} ORDER BY f.not_before_ms, f.kind, f.subject_id ${PAGE}`,
    params(q),
  ) as FollowUpRow[];
  return {
    rows: rows.map((r) => toItem(r, q.now)),
    total: countOf(db, COUNT(q.workspaceId), params(q)),
  };
}
