import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, PAGE } from './support/sql.ts';
import { utc } from './support/time.ts';

/**
 * The method asks every person for two referrals. Per held meeting: how many were asked for
 * (MeetingHeld.referralsAsked) and how many contacts were then added naming that meeting.
 */
export const REFERRAL_TARGET = 2;

const schema = `
  CREATE TABLE IF NOT EXISTS referrals_per_interview (
    meeting_id         TEXT PRIMARY KEY,
    workspace_id       TEXT NOT NULL,
    held_at            TEXT,
    referrals_asked    INTEGER,
    referrals_received INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS referrals_per_interview_by_held ON referrals_per_interview (held_at, meeting_id);
  CREATE INDEX IF NOT EXISTS referrals_per_interview_by_workspace ON referrals_per_interview (workspace_id, held_at, meeting_id);
`;

const q = preparedFor((db) => ({
  held: db.prepare(`
    INSERT INTO referrals_per_interview (meeting_id, workspace_id, held_at, referrals_asked) VALUES (?, ?, ?, ?)
    ON CONFLICT(meeting_id) DO UPDATE SET held_at = excluded.held_at, referrals_asked = excluded.referrals_asked`),
  // The referral may name the meeting before its MeetingHeld is in the log; the row waits for it.
  referred: db.prepare(`
    INSERT INTO referrals_per_interview (meeting_id, workspace_id, referrals_received) VALUES (?, ?, 1)
    ON CONFLICT(meeting_id) DO UPDATE SET referrals_received = referrals_received + 1`),
}));

export const referralsPerInterview = defineProjection({
  name: 'referrals-per-interview',
  version: 1,
  schema,
  indexes,
  apply(db, e) {
    if (e.type === 'MeetingHeld') {
      const d = dataOf(e, 'MeetingHeld');
      q(db).held.run(idOfStream(e.stream), workspaceOf(e), utc(d.heldAt), d.referralsAsked);
    } else if (e.type === 'ContactAdded') {
      const meetingId = dataOf(e, 'ContactAdded').referredBy?.meetingId;
      if (meetingId) q(db).referred.run(meetingId, workspaceOf(e));
    }
  },
});

export type ReferralsSummary = { average: number | null; target: typeof REFERRAL_TARGET; meetings: number; reachingTarget: number };

export function referralsSummary(db: Database, workspaceId: string | undefined): ReferralsSummary {
  const r = stmt(
    db,
    `
    SELECT COUNT(*) AS meetings, AVG(referrals_asked) AS average, coalesce(SUM(referrals_asked >= ${REFERRAL_TARGET}), 0) AS reaching
    FROM referrals_per_interview WHERE ${inWorkspace(workspaceId)} AND held_at IS NOT NULL`,
  ).get({ workspaceId: workspaceId ?? null }) as { meetings: number; average: number | null; reaching: number };
  return {
    average: r.average === null ? null : Math.round(r.average * 100) / 100,
    target: REFERRAL_TARGET,
    meetings: r.meetings,
    reachingTarget: r.reaching,
  };
}

type Row = { meeting_id: string; workspace_id: string; held_at: string; referrals_asked: number; referrals_received: number };

/** Held meetings, latest first. */
export function listReferralsPerInterview(db: Database, q: Page): Rows {
  const where = `${inWorkspace(q.workspaceId)} AND held_at IS NOT NULL`;
  const rows = stmt(db, `SELECT * FROM referrals_per_interview WHERE ${where} ORDER BY held_at DESC, meeting_id DESC ${PAGE}`).all(pageParams(q)) as Row[];
  return {
    rows: rows.map((r) => ({
      meetingId: r.meeting_id,
      workspaceId: r.workspace_id,
      heldAt: r.held_at,
      referralsAsked: r.referrals_asked,
      referralsReceived: r.referrals_received,
      reachedTarget: r.referrals_asked >= REFERRAL_TARGET,
    })),
    total: countOf(db, `SELECT COUNT(*) AS n FROM referrals_per_interview WHERE ${where}`, pageParams(q)),
  };
}
