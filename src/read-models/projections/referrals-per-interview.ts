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
  CREATE TABLE IF NOT EXISTS referrals_summary (
    scope    TEXT PRIMARY KEY,
    meetings INTEGER NOT NULL,
    asked    INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    reaching INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/** The scope of the counters across every workspace (a workspace id is never empty). */
const ALL = '';

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
  meeting: db.prepare(`SELECT workspace_id AS ws, held_at AS heldAt, referrals_asked AS asked FROM referrals_per_interview WHERE meeting_id = ?`),
  count: db.prepare(`
    INSERT INTO referrals_summary VALUES (@scope, @meetings, @asked, @answered, @reaching)
    ON CONFLICT DO UPDATE SET meetings = meetings + @meetings, asked = asked + @asked, answered = answered + @answered, reaching = reaching + @reaching`),
}));

type Held = { ws: string; heldAt: string | null; asked: number | null };

/** One meeting's share of the counters of its workspace and of all, added (1) or taken away (-1). */
function tally(db: Database, m: Held | undefined, sign: 1 | -1) {
  if (!m || m.heldAt === null) return;
  const share = { meetings: sign, asked: sign * (m.asked ?? 0), answered: m.asked === null ? 0 : sign, reaching: (m.asked ?? 0) >= REFERRAL_TARGET ? sign : 0 };
  q(db).count.run({ scope: m.ws, ...share });
  q(db).count.run({ scope: ALL, ...share });
}

export const referralsPerInterview = defineProjection({
  name: 'referrals-per-interview',
  // 2: the counters the dashboard reads (referrals_summary).
  version: 2,
  schema,
  indexes,
  apply(db, e) {
    if (e.type === 'MeetingHeld') {
      const d = dataOf(e, 'MeetingHeld');
      const meetingId = idOfStream(e.stream);
      tally(db, q(db).meeting.get(meetingId) as Held | undefined, -1);
      q(db).held.run(meetingId, workspaceOf(e), utc(d.heldAt), d.referralsAsked);
      tally(db, q(db).meeting.get(meetingId) as Held | undefined, 1);
    } else if (e.type === 'ContactAdded') {
      const meetingId = dataOf(e, 'ContactAdded').referredBy?.meetingId;
      if (meetingId) q(db).referred.run(meetingId, workspaceOf(e));
    }
  },
});

export type ReferralsSummary = { average: number | null; target: typeof REFERRAL_TARGET; meetings: number; reachingTarget: number };

export function referralsSummary(db: Database, workspaceId: string | undefined): ReferralsSummary {
  // As AVG and SUM over the meetings held would give them, from the counters kept as they were held.
  const r = stmt(db, `SELECT meetings, asked, answered, reaching FROM referrals_summary WHERE scope = ?`).get(workspaceId ?? ALL) as
    | { meetings: number; asked: number; answered: number; reaching: number }
    | undefined;
  return {
    average: r && r.answered > 0 ? Math.round((r.asked / r.answered) * 100) / 100 : null,
    target: REFERRAL_TARGET,
    meetings: r?.meetings ?? 0,
    reachingTarget: r?.reaching ?? 0,
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
