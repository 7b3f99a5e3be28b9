import type { Database, Statement } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, workspaceOf } from './support/events.ts';
import { inWorkspace, preparedFor, rowsOf, stmt, type Page, type Rows, PAGE } from './support/sql.ts';
import { isoWeek, utc } from './support/time.ts';

/**
 * The method's funnel per ISO week (UTC): contacts added → meetings requested → booked → held →
 * thanked → job leads. Each step is counted in the week it happened. Counts only, so forgetting a
 * contact leaves them as they are.
 */
const STAGES = ['added', 'requested', 'booked', 'held', 'thanked', 'leads'] as const;
export type Stage = (typeof STAGES)[number];

const schema = `
  CREATE TABLE IF NOT EXISTS funnel (
    workspace_id TEXT NOT NULL,
    week         TEXT NOT NULL,
    added        INTEGER NOT NULL DEFAULT 0,
    requested    INTEGER NOT NULL DEFAULT 0,
    booked       INTEGER NOT NULL DEFAULT 0,
    held         INTEGER NOT NULL DEFAULT 0,
    thanked      INTEGER NOT NULL DEFAULT 0,
    leads        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, week)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS funnel_all (
    week      TEXT PRIMARY KEY,
    added     INTEGER NOT NULL DEFAULT 0,
    requested INTEGER NOT NULL DEFAULT 0,
    booked    INTEGER NOT NULL DEFAULT 0,
    held      INTEGER NOT NULL DEFAULT 0,
    thanked   INTEGER NOT NULL DEFAULT 0,
    leads     INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

const indexes = `CREATE INDEX IF NOT EXISTS funnel_by_week ON funnel (week);`;

// Counters, not rows per fact: re-applying an event would count it twice, which the projector's
// checkpoint (moved in the same transaction) rules out. Every step is counted twice: in its
// workspace's week and in the week across all workspaces (`funnel_all`), so a coach's dashboard
// reads its weeks as they are stored instead of summing every seeker's on each request.
const q = preparedFor(
  (db) =>
    Object.fromEntries(
      STAGES.map((stage) => [
        stage,
        {
          one: db.prepare(
            `INSERT INTO funnel (workspace_id, week, ${stage}) VALUES (?, ?, 1)
   ON CONFLICT(workspace_id, week) DO UPDATE SET ${stage} = ${stage} + 1`,
          ),
          all: db.prepare(`INSERT INTO funnel_all (week, ${stage}) VALUES (?, 1) ON CONFLICT(week) DO UPDATE SET ${stage} = ${stage} + 1`),
        },
      ]),
    ) as Record<Stage, { one: Statement; all: Statement }>,
);

function count(db: Database, stage: Stage, workspaceId: string, at: string) {
  const week = isoWeek(utc(at));
  q(db)[stage].one.run(workspaceId, week);
  q(db)[stage].all.run(week);
}

export const funnel = defineProjection({
  name: 'funnel',
  // 2: the weeks across all workspaces (funnel_all).
  version: 2,
  schema,
  indexes,
  apply(db, e) {
    switch (e.type) {
      case 'ContactAdded':
        return void count(db, 'added', workspaceOf(e), dataOf(e, 'ContactAdded').addedAt);
      case 'MeetingRequested':
        return void count(db, 'requested', workspaceOf(e), dataOf(e, 'MeetingRequested').requestedAt);
      case 'MeetingBooked':
        return void count(db, 'booked', workspaceOf(e), dataOf(e, 'MeetingBooked').bookedAt);
      case 'MeetingHeld':
        return void count(db, 'held', workspaceOf(e), dataOf(e, 'MeetingHeld').heldAt);
      case 'ThankYouSent':
        return void count(db, 'thanked', workspaceOf(e), dataOf(e, 'ThankYouSent').sentAt);
      case 'JobLeadReported':
        return void count(db, 'leads', workspaceOf(e), dataOf(e, 'JobLeadReported').reportedAt);
    }
  },
});

export type FunnelWeek = { week: string } & Record<Stage, number>;

const SUMS = STAGES.map((s) => `SUM(${s}) AS ${s}`).join(', ');

const COLUMNS = STAGES.join(', ');

/** Weeks in order, summed over the workspaces in view (all of them: as stored, already summed). */
export function funnelWeeks(db: Database, workspaceId: string | undefined): FunnelWeek[] {
  if (workspaceId === undefined) return rowsOf(db, `SELECT week, ${COLUMNS} FROM funnel_all ORDER BY week`) as FunnelWeek[];
  return rowsOf(db, `SELECT week, ${COLUMNS} FROM funnel WHERE workspace_id = @workspaceId ORDER BY week`, { workspaceId }) as FunnelWeek[];
}

export function funnelTotals(db: Database, workspaceId: string | undefined): Record<Stage, number> {
  const sums = STAGES.map((s) => `coalesce(SUM(${s}), 0) AS ${s}`).join(', ');
  if (workspaceId === undefined) return stmt(db, `SELECT ${sums} FROM funnel_all`).get() as Record<Stage, number>;
  return stmt(db, `SELECT ${sums} FROM funnel WHERE workspace_id = ?`).get(workspaceId) as Record<Stage, number>;
}

export function listFunnel(db: Database, q: Page): Rows {
  const where = inWorkspace(q.workspaceId);
  const params = { workspaceId: q.workspaceId ?? null, limit: q.limit, offset: q.offset };
  const rows = stmt(db, `SELECT week, ${SUMS} FROM funnel WHERE ${where} GROUP BY week ORDER BY week ${PAGE}`).all(params);
  const total = (stmt(db, `SELECT COUNT(DISTINCT week) AS n FROM funnel WHERE ${where}`).get(params) as { n: number }).n;
  return { rows: rows as Record<string, unknown>[], total };
}
