import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { inWorkspace, preparedFor, rowsOf, stmt, type Page, type Rows, PAGE } from './support/sql.ts';

/**
 * Which levels (entry, mid, senior, executive) the seeker has met in each industry: the method
 * wants conversations across the ladder. A contact counts once, however many meetings were held.
 * The industry is free text, sealed under the contact's key like the organisation, so a forgotten
 * contact leaves the table's counts (a rebuild after the forget could not read it either).
 */
const schema = `
  CREATE TABLE IF NOT EXISTS levels_by_industry (
    contact_id   TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    industry     TEXT,
    level        TEXT,
    met          INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS levels_by_industry_meetings (
    meeting_id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS levels_summary (
    workspace_id TEXT NOT NULL,
    industry     TEXT NOT NULL,
    rung         INTEGER NOT NULL,
    level        TEXT NOT NULL,
    contacts     INTEGER NOT NULL,
    met          INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, industry, rung, level)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS levels_summary_all (
    industry TEXT NOT NULL,
    rung     INTEGER NOT NULL,
    level    TEXT NOT NULL,
    contacts INTEGER NOT NULL,
    met      INTEGER NOT NULL,
    PRIMARY KEY (industry, rung, level)
  ) WITHOUT ROWID;
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS levels_by_industry_groups ON levels_by_industry (industry, level, met);
  CREATE INDEX IF NOT EXISTS levels_by_industry_by_workspace ON levels_by_industry (workspace_id, industry, level, met);
`;

const LADDER = `CASE @level WHEN 'entry' THEN 0 WHEN 'mid' THEN 1 WHEN 'senior' THEN 2 WHEN 'executive' THEN 3 ELSE 4 END`;
const LADDER_ORDER = LADDER.replace('@level', 'level');

const q = preparedFor((db) => ({
  add: db.prepare(`INSERT INTO levels_by_industry (contact_id, workspace_id, industry, level) VALUES (?, ?, ?, ?) ON CONFLICT(contact_id) DO NOTHING`),
  change: db.prepare(`UPDATE levels_by_industry SET industry = coalesce(?, industry), level = coalesce(?, level) WHERE contact_id = ?`),
  link: db.prepare(`INSERT INTO levels_by_industry_meetings (meeting_id, contact_id) VALUES (?, ?) ON CONFLICT(meeting_id) DO NOTHING`),
  met: db.prepare(`UPDATE levels_by_industry SET met = 1 WHERE contact_id = (SELECT contact_id FROM levels_by_industry_meetings WHERE meeting_id = ?)`),
  forget: db.prepare(`UPDATE levels_by_industry SET industry = NULL WHERE contact_id = ?`),
  group: db.prepare(`SELECT workspace_id, industry, level, met FROM levels_by_industry WHERE contact_id = ?`),
  groupOfMeeting: db.prepare(
    `SELECT l.workspace_id, l.industry, l.level, l.met, l.contact_id FROM levels_by_industry l
     JOIN levels_by_industry_meetings m ON m.contact_id = l.contact_id WHERE m.meeting_id = ?`,
  ),
  count: db.prepare(`
    INSERT INTO levels_summary (workspace_id, industry, rung, level, contacts, met) VALUES (@ws, @industry, ${LADDER}, @level, @contacts, @met)
    ON CONFLICT DO UPDATE SET contacts = contacts + @contacts, met = met + @met`),
  countAll: db.prepare(`
    INSERT INTO levels_summary_all (industry, rung, level, contacts, met) VALUES (@industry, ${LADDER}, @level, @contacts, @met)
    ON CONFLICT DO UPDATE SET contacts = contacts + @contacts, met = met + @met`),
  prune: db.prepare(`DELETE FROM levels_summary WHERE workspace_id = ? AND industry = ? AND level = ? AND contacts = 0`),
  pruneAll: db.prepare(`DELETE FROM levels_summary_all WHERE industry = ? AND level = ? AND contacts = 0`),
}));

type Group = { workspace_id: string; industry: string | null; level: string | null; met: number };

/** Adds (sign 1) or takes away (sign -1) one contact's share of its group's counters, per workspace and across all. */
function tally(db: Database, g: Group | undefined, sign: 1 | -1) {
  if (!g || g.industry === null || g.level === null) return;
  const row = { ws: g.workspace_id, industry: g.industry, level: g.level, contacts: sign, met: sign * g.met };
  q(db).count.run(row);
  q(db).countAll.run(row);
  if (sign < 0) {
    q(db).prune.run(g.workspace_id, g.industry, g.level);
    q(db).pruneAll.run(g.industry, g.level);
  }
}

/** Runs a change to one contact's row with its counters moved from the group it was in to the group it is in. */
function regroup(db: Database, contactId: string, change: () => void) {
  tally(db, q(db).group.get(contactId) as Group | undefined, -1);
  change();
  tally(db, q(db).group.get(contactId) as Group | undefined, 1);
}

export const levelsByIndustry = defineProjection({
  name: 'levels-by-industry',
  personal: ['ContactAdded', 'ContactDetailsChanged'],
  // 3: the counters per workspace, industry and level (levels_summary, levels_summary_all) the dashboard reads.
  version: 3,
  schema,
  indexes,
  apply(db, e) {
    switch (e.type) {
      case 'ContactAdded': {
        const d = dataOf(e, 'ContactAdded');
        regroup(db, d.contactId, () => q(db).add.run(d.contactId, workspaceOf(e), d.industry ?? null, d.level ?? null));
        return;
      }
      case 'ContactDetailsChanged': {
        const c = dataOf(e, 'ContactDetailsChanged').changes;
        const contactId = idOfStream(e.stream);
        if (c.industry !== undefined || c.level !== undefined) regroup(db, contactId, () => q(db).change.run(c.industry ?? null, c.level ?? null, contactId));
        return;
      }
      case 'MeetingRequested': {
        const d = dataOf(e, 'MeetingRequested');
        q(db).link.run(d.meetingId, d.contactId);
        return;
      }
      case 'MeetingHeld': {
        const held = q(db).groupOfMeeting.get(idOfStream(e.stream)) as (Group & { contact_id: string }) | undefined;
        if (held && !held.met) regroup(db, held.contact_id, () => q(db).met.run(idOfStream(e.stream)));
        return;
      }
      case 'ContactForgotten': {
        const contactId = idOfStream(e.stream);
        regroup(db, contactId, () => q(db).forget.run(contactId));
      }
    }
  },
});

const GROUPS = (workspaceId: string | undefined) => `
  SELECT industry, level, COUNT(*) AS contacts, SUM(met) AS met FROM levels_by_industry
  WHERE ${inWorkspace(workspaceId)} AND industry IS NOT NULL AND level IS NOT NULL
  GROUP BY industry, level`;

/** Industry and level pairs with how many contacts there are and how many were met. */
export function listLevelsByIndustry(db: Database, q: Page): Rows {
  const params = { workspaceId: q.workspaceId ?? null, limit: q.limit, offset: q.offset };
  const rows = stmt(db, `${GROUPS(q.workspaceId)} ORDER BY industry, ${LADDER_ORDER} ${PAGE}`).all(params);
  const total = (stmt(db, `SELECT COUNT(*) AS n FROM (${GROUPS(q.workspaceId)})`).get(params) as { n: number }).n;
  return { rows: rows as Record<string, unknown>[], total };
}

export type LevelsCount = { industry: string; level: string; contacts: number; met: number };

/** For the dashboard: per industry and level (lowest rung first), how many contacts and how many met, as counted. */
export function levelCounts(db: Database, workspaceId: string | undefined): LevelsCount[] {
  if (workspaceId === undefined)
    return rowsOf(db, `SELECT industry, level, contacts, met FROM levels_summary_all ORDER BY industry, rung, level`) as LevelsCount[];
  const text = `SELECT industry, level, contacts, met FROM levels_summary WHERE workspace_id = @workspaceId ORDER BY industry, rung, level`;
  return rowsOf(db, text, { workspaceId }) as LevelsCount[];
}

/** For the dashboard: per industry, the levels met, lowest rung first. */
export function levelsMet(db: Database, workspaceId: string | undefined): { industry: string; levels: string[] }[] {
  const byIndustry = new Map<string, string[]>();
  for (const r of levelCounts(db, workspaceId)) if (r.met > 0) byIndustry.set(r.industry, [...(byIndustry.get(r.industry) ?? []), r.level]);
  return [...byIndustry].map(([industry, levels]) => ({ industry, levels }));
}
