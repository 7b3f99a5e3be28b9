import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { inWorkspace, preparedFor, stmt, type Page, type Rows } from './support/sql.ts';

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
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS levels_by_industry_groups ON levels_by_industry (industry, level, met);
  CREATE INDEX IF NOT EXISTS levels_by_industry_by_workspace ON levels_by_industry (workspace_id, industry, level, met);
`;

const q = preparedFor((db) => ({
  add: db.prepare(`INSERT INTO levels_by_industry (contact_id, workspace_id, industry, level) VALUES (?, ?, ?, ?) ON CONFLICT(contact_id) DO NOTHING`),
  change: db.prepare(`UPDATE levels_by_industry SET industry = coalesce(?, industry), level = coalesce(?, level) WHERE contact_id = ?`),
  link: db.prepare(`INSERT INTO levels_by_industry_meetings (meeting_id, contact_id) VALUES (?, ?) ON CONFLICT(meeting_id) DO NOTHING`),
  met: db.prepare(`UPDATE levels_by_industry SET met = 1 WHERE contact_id = (SELECT contact_id FROM levels_by_industry_meetings WHERE meeting_id = ?)`),
  forget: db.prepare(`UPDATE levels_by_industry SET industry = NULL WHERE contact_id = ?`),
}));

export const levelsByIndustry = defineProjection({
  name: 'levels-by-industry',
  personal: ['ContactAdded', 'ContactDetailsChanged'],
  version: 2,
  schema,
  indexes,
  apply(db, e) {
    switch (e.type) {
      case 'ContactAdded': {
        const d = dataOf(e, 'ContactAdded');
        q(db).add.run(d.contactId, workspaceOf(e), d.industry ?? null, d.level ?? null);
        return;
      }
      case 'ContactDetailsChanged': {
        const c = dataOf(e, 'ContactDetailsChanged').changes;
        if (c.industry !== undefined || c.level !== undefined) q(db).change.run(c.industry ?? null, c.level ?? null, idOfStream(e.stream));
        return;
      }
      case 'MeetingRequested': {
        const d = dataOf(e, 'MeetingRequested');
        q(db).link.run(d.meetingId, d.contactId);
        return;
      }
      case 'MeetingHeld':
        q(db).met.run(idOfStream(e.stream));
        return;
      case 'ContactForgotten':
        q(db).forget.run(idOfStream(e.stream));
    }
  },
});

const LADDER = `CASE level WHEN 'entry' THEN 0 WHEN 'mid' THEN 1 WHEN 'senior' THEN 2 WHEN 'executive' THEN 3 ELSE 4 END`;
const GROUPS = (workspaceId: string | undefined) => `
  SELECT industry, level, COUNT(*) AS contacts, SUM(met) AS met FROM levels_by_industry
  WHERE ${inWorkspace(workspaceId)} AND industry IS NOT NULL AND level IS NOT NULL
  GROUP BY industry, level`;

/** Industry and level pairs with how many contacts there are and how many were met. */
export function listLevelsByIndustry(db: Database, q: Page): Rows {
  const params = { workspaceId: q.workspaceId ?? null, limit: q.limit, offset: q.offset };
  const rows = stmt(db, `${GROUPS(q.workspaceId)} ORDER BY industry, ${LADDER} LIMIT @limit OFFSET @offset`).all(params);
  const total = (stmt(db, `SELECT COUNT(*) AS n FROM (${GROUPS(q.workspaceId)})`).get(params) as { n: number }).n;
  return { rows: rows as Record<string, unknown>[], total };
}

/** For the dashboard: per industry, the levels met, lowest rung first. */
export function levelsMet(db: Database, workspaceId: string | undefined): { industry: string; levels: string[] }[] {
  const rows = stmt(
    db,
    `
    SELECT DISTINCT industry, level FROM levels_by_industry
    WHERE ${inWorkspace(workspaceId)} AND met = 1 AND industry IS NOT NULL AND level IS NOT NULL
    ORDER BY industry, ${LADDER}`,
  ).all({ workspaceId: workspaceId ?? null }) as { industry: string; level: string }[];
  const byIndustry = new Map<string, string[]>();
  for (const r of rows) byIndustry.set(r.industry, [...(byIndustry.get(r.industry) ?? []), r.level]);
  return [...byIndustry].map(([industry, levels]) => ({ industry, levels }));
}
