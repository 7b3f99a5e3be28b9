import type { Database } from 'better-sqlite3';
import type { StoredEvent } from '../../eventstore/port.ts';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, PAGE } from './support/sql.ts';
import { utc } from './support/time.ts';
import { withContact } from './support/joins.ts';

/**
 * One row per meeting (informational interview) and where it stands. Other read models join it
 * when they are read for what a meeting is (its contact, its place), as they join `contacts` for
 * names: that state lives here once, and the place is dropped here when the contact is forgotten.
 * No notes: those stay in the log.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS pipeline (
    meeting_id          TEXT PRIMARY KEY,
    workspace_id        TEXT NOT NULL,
    contact_id          TEXT NOT NULL,
    status              TEXT NOT NULL,
    channel             TEXT,
    via                 TEXT,
    referral_contact_id TEXT,
    requested_minutes   INTEGER,
    booked_minutes      INTEGER,
    requested_at        TEXT,
    request_sent_at     TEXT,
    nudged_at           TEXT,
    booked_at           TEXT,
    start_at            TEXT,
    timezone            TEXT,
    location            TEXT,
    video_url           TEXT,
    reschedules         INTEGER NOT NULL DEFAULT 0,
    held_at             TEXT,
    actual_minutes      INTEGER,
    referrals_asked     INTEGER,
    business_cards      INTEGER,
    sentiment           TEXT,
    cancelled_at        TEXT,
    cancelled_by        TEXT,
    no_show_at          TEXT,
    thank_you_sent_at   TEXT,
    gatekeeper_contact_id TEXT,
    gatekeeper_emailed_at TEXT,
    gatekeeper_replied_at TEXT,
    introduced_at       TEXT,
    call_attempts       INTEGER NOT NULL DEFAULT 0,
    last_call_outcome   TEXT,
    next_call_at        TEXT,
    last_touch_at       TEXT NOT NULL,
    last_touch          TEXT NOT NULL,
    target              TEXT,
    calendar_decision   TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS pipeline_by_contact ON pipeline (contact_id, requested_at, meeting_id);
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS pipeline_by_requested ON pipeline (requested_at, meeting_id);
  CREATE INDEX IF NOT EXISTS pipeline_by_workspace ON pipeline (workspace_id, requested_at, meeting_id);
  -- Whether a contact was met (in a range): answered from the index for each contact the dashboard counts.
  CREATE INDEX IF NOT EXISTS pipeline_held_by_contact ON pipeline (contact_id, held_at) WHERE held_at IS NOT NULL;
`;

// The last contact with the person through this meeting; only ever moves forwards.
const TOUCH = `
  last_touch = CASE WHEN ? > last_touch_at THEN ? ELSE last_touch END,
  last_touch_at = max(last_touch_at, ?)`;

const q = preparedFor((db) => ({
  request: db.prepare(`
    INSERT INTO pipeline (meeting_id, workspace_id, contact_id, status, channel, via, referral_contact_id, gatekeeper_contact_id, requested_minutes, requested_at,
      last_touch_at, last_touch, target)
    VALUES (?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, 'request', ?) ON CONFLICT(meeting_id) DO NOTHING`),
  gatekeeperEmailed: db.prepare(`UPDATE pipeline SET gatekeeper_emailed_at = ?, ${TOUCH} WHERE meeting_id = ?`),
  introduced: db.prepare(`UPDATE pipeline SET introduced_at = ?, ${TOUCH} WHERE meeting_id = ?`),
  // Only the gatekeeper's own reply on the meeting it answers: the seeker confirms the introduction.
  gatekeeperReplied: db.prepare(
    `UPDATE pipeline SET gatekeeper_replied_at = coalesce(gatekeeper_replied_at, ?) WHERE meeting_id = ? AND gatekeeper_contact_id = ?`,
  ),
  called: db.prepare(`UPDATE pipeline SET call_attempts = ?, last_call_outcome = ?, next_call_at = ?, ${TOUCH} WHERE meeting_id = ?`),
  requestSent: db.prepare(`UPDATE pipeline SET request_sent_at = ?, ${TOUCH} WHERE meeting_id = ?`),
  nudged: db.prepare(`UPDATE pipeline SET nudged_at = ?, ${TOUCH} WHERE meeting_id = ?`),
  booked: db.prepare(`
    UPDATE pipeline SET status = 'booked', booked_at = ?, start_at = ?, booked_minutes = ?, timezone = ?, location = ?, video_url = ?, ${TOUCH}
    WHERE meeting_id = ?`),
  rescheduled: db.prepare(
    `UPDATE pipeline SET start_at = ?, booked_minutes = ?, timezone = ?, reschedules = reschedules + 1, calendar_decision = NULL WHERE meeting_id = ?`,
  ),
  cancelled: db.prepare(`UPDATE pipeline SET status = 'cancelled', cancelled_at = ?, cancelled_by = ?, calendar_decision = NULL WHERE meeting_id = ?`),
  calendarDecision: db.prepare(`UPDATE pipeline SET calendar_decision = ? WHERE meeting_id = ?`),
  held: db.prepare(`
    UPDATE pipeline SET status = 'held', held_at = ?, actual_minutes = ?, referrals_asked = ?, business_cards = ?, sentiment = ?, ${TOUCH}
    WHERE meeting_id = ?`),
  noShow: db.prepare(`UPDATE pipeline SET status = 'no_show', no_show_at = ? WHERE meeting_id = ?`),
  thanked: db.prepare(`UPDATE pipeline SET thank_you_sent_at = coalesce(thank_you_sent_at, ?), ${TOUCH} WHERE meeting_id = ?`),
  // A place to meet (an address, a personal video room) says where the person is.
  forget: db.prepare(`UPDATE pipeline SET location = NULL, video_url = NULL WHERE contact_id = ?`),
}));

function applyMeeting(db: Database, e: StoredEvent) {
  const meetingId = idOfStream(e.stream);
  switch (e.type) {
    case 'MeetingRequested': {
      const d = dataOf(e, 'MeetingRequested');
      const at = utc(d.requestedAt);
      q(db).request.run(
        d.meetingId,
        workspaceOf(e),
        d.contactId,
        d.channel,
        d.via,
        d.referralContactId ?? null,
        d.gatekeeperContactId ?? null,
        d.minutes,
        at,
        at,
        d.target ?? null,
      );
      return;
    }
    case 'GatekeeperEmailSent': {
      const at = utc(dataOf(e, 'GatekeeperEmailSent').sentAt);
      q(db).gatekeeperEmailed.run(at, at, 'email to the gatekeeper', at, meetingId);
      return;
    }
    case 'GatekeeperIntroduced': {
      const at = utc(dataOf(e, 'GatekeeperIntroduced').introducedAt);
      q(db).introduced.run(at, at, 'introduction', at, meetingId);
      return;
    }
    case 'CallLogged': {
      const d = dataOf(e, 'CallLogged');
      const at = utc(d.calledAt);
      q(db).called.run(d.attempt, d.outcome, d.nextCallAt ? utc(d.nextCallAt) : null, at, 'call', at, meetingId);
      return;
    }
    case 'OutreachEmailSent': {
      const at = utc(dataOf(e, 'OutreachEmailSent').sentAt);
      q(db).requestSent.run(at, at, 'request email', at, meetingId);
      return;
    }
    case 'NudgeSent': {
      const at = utc(dataOf(e, 'NudgeSent').sentAt);
      q(db).nudged.run(at, at, 'nudge', at, meetingId);
      return;
    }
    case 'MeetingBooked': {
      const d = dataOf(e, 'MeetingBooked');
      const at = utc(d.bookedAt);
      q(db).booked.run(at, utc(d.start), d.minutes, d.timezone, d.location ?? null, d.videoUrl ?? null, at, 'booking', at, meetingId);
      return;
    }
    case 'MeetingRescheduled': {
      const d = dataOf(e, 'MeetingRescheduled');
      q(db).rescheduled.run(utc(d.start), d.minutes, d.timezone, meetingId);
      return;
    }
    case 'MeetingCancelled': {
      const d = dataOf(e, 'MeetingCancelled');
      q(db).cancelled.run(utc(d.cancelledAt), d.by, meetingId);
      return;
    }
    case 'CalendarEditNeedsDecision': {
      // An edit in Google the meeting cannot take (all-day, too long): the seeker decides, so it is listed until they do.
      const d = dataOf(e, 'CalendarEditNeedsDecision');
      q(db).calendarDecision.run(d.reason === 'all-day' ? `made all-day on ${d.date ?? '?'}` : `set to ${d.minutes ?? '?'} minutes`, meetingId);
      return;
    }
    case 'MeetingHeld': {
      const d = dataOf(e, 'MeetingHeld');
      const at = utc(d.heldAt);
      q(db).held.run(at, d.actualMinutes, d.referralsAsked, d.businessCards, d.sentiment ?? null, at, 'meeting', at, meetingId);
      return;
    }
    case 'MeetingNoShow':
      q(db).noShow.run(utc(dataOf(e, 'MeetingNoShow').recordedAt), meetingId);
      return;
    case 'ThankYouSent': {
      const at = utc(dataOf(e, 'ThankYouSent').sentAt);
      q(db).thanked.run(at, at, 'thank-you', at, meetingId);
      return;
    }
    case 'ReplyReceived': {
      const d = dataOf(e, 'ReplyReceived');
      if (d.meetingId) q(db).gatekeeperReplied.run(utc(d.receivedAt), d.meetingId, idOfStream(e.stream));
      return;
    }
    case 'ContactForgotten':
      q(db).forget.run(idOfStream(e.stream));
  }
}

export const pipeline = defineProjection({
  name: 'pipeline',
  // 2: gatekeepers and calls. 3: a gatekeeper's reply read in the mailbox. 4: the career target. 5: calendar edits to decide.
  version: 5,
  schema,
  indexes,
  personal: ['MeetingBooked'],
  apply: applyMeeting,
});

type PipelineRow = {
  meeting_id: string;
  workspace_id: string;
  contact_id: string;
  contact_name: string | null;
  contact_organisation: string | null;
  status: string;
  channel: string | null;
  via: string | null;
  referral_contact_id: string | null;
  requested_minutes: number | null;
  booked_minutes: number | null;
  requested_at: string | null;
  request_sent_at: string | null;
  nudged_at: string | null;
  booked_at: string | null;
  start_at: string | null;
  timezone: string | null;
  location: string | null;
  video_url: string | null;
  reschedules: number;
  held_at: string | null;
  actual_minutes: number | null;
  referrals_asked: number | null;
  business_cards: number | null;
  sentiment: string | null;
  cancelled_at: string | null;
  cancelled_by: string | null;
  no_show_at: string | null;
  thank_you_sent_at: string | null;
  target: string | null;
};

const toMeeting = (m: PipelineRow) => ({
  meetingId: m.meeting_id,
  workspaceId: m.workspace_id,
  contactId: m.contact_id,
  contactName: m.contact_name,
  organisation: m.contact_organisation,
  status: m.status,
  channel: m.channel,
  via: m.via,
  referralContactId: m.referral_contact_id,
  // The length agreed when booking wins over the one asked for in the request.
  agreedMinutes: m.booked_minutes ?? m.requested_minutes,
  requestedMinutes: m.requested_minutes,
  requestedAt: m.requested_at,
  requestSentAt: m.request_sent_at,
  nudgedAt: m.nudged_at,
  bookedAt: m.booked_at,
  start: m.start_at,
  timezone: m.timezone,
  location: m.location,
  videoUrl: m.video_url,
  reschedules: m.reschedules,
  heldAt: m.held_at,
  actualMinutes: m.actual_minutes,
  referralsAsked: m.referrals_asked,
  businessCards: m.business_cards,
  sentiment: m.sentiment,
  cancelledAt: m.cancelled_at,
  cancelledBy: m.cancelled_by,
  noShowAt: m.no_show_at,
  thankYouSentAt: m.thank_you_sent_at,
  target: m.target,
});

/** Newest request first. */
export function listPipeline(db: Database, q: Page): Rows {
  const where = inWorkspace(q.workspaceId, 'p.workspace_id');
  const contact = withContact('p');
  const rows = stmt(
    db,
    `
    SELECT p.*, ${contact.columns} FROM pipeline p ${contact.join}
    WHERE ${where} ORDER BY p.requested_at DESC, p.meeting_id DESC ${PAGE}`,
  ).all(pageParams(q)) as PipelineRow[];
  return { rows: rows.map(toMeeting), total: countOf(db, `SELECT COUNT(*) AS n FROM pipeline p WHERE ${where}`, pageParams(q)) };
}
