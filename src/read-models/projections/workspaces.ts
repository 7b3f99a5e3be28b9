import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, workspaceOf } from './support/events.ts';
import { preparedFor, stmt } from './support/sql.ts';

/**
 * The seekers a coach looks after: one row per configured workspace. How many contacts and
 * meetings each has is counted from `contacts` and `pipeline` when asked (a count per workspace
 * from their workspace indexes), not kept up to date on every event.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS workspaces (
    workspace_id       TEXT PRIMARY KEY,
    owner_name         TEXT,
    timezone           TEXT,
    calendar_connected INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS career_targets (
    workspace_id TEXT NOT NULL,
    target       TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (workspace_id, target)
  ) WITHOUT ROWID;
`;

const q = preparedFor((db) => ({
  configure: db.prepare(`
    INSERT INTO workspaces (workspace_id, owner_name, timezone) VALUES (?, ?, ?)
    ON CONFLICT(workspace_id) DO UPDATE SET owner_name = excluded.owner_name, timezone = excluded.timezone`),
  calendar: db.prepare(`
    INSERT INTO workspaces (workspace_id, calendar_connected) VALUES (@workspaceId, @connected)
    ON CONFLICT(workspace_id) DO UPDATE SET calendar_connected = @connected`),
  addTarget: db.prepare(`INSERT INTO career_targets (workspace_id, target, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
  removeTarget: db.prepare(`DELETE FROM career_targets WHERE workspace_id = ? AND target = ?`),
}));

export const workspaces = defineProjection({
  name: 'workspaces',
  personal: ['WorkspaceConfigured'],
  // 2: the career targets the seeker explores.
  version: 2,
  schema,
  apply(db, e) {
    switch (e.type) {
      case 'WorkspaceConfigured': {
        const d = dataOf(e, 'WorkspaceConfigured');
        q(db).configure.run(workspaceOf(e), d.ownerName, d.timezone);
        return;
      }
      case 'CalendarConnected':
        return void q(db).calendar.run({ workspaceId: workspaceOf(e), connected: 1 });
      case 'CalendarDisconnected':
        return void q(db).calendar.run({ workspaceId: workspaceOf(e), connected: 0 });
      case 'CareerTargetAdded': {
        const d = dataOf(e, 'CareerTargetAdded');
        return void q(db).addTarget.run(workspaceOf(e), d.target, d.addedAt);
      }
      case 'CareerTargetRemoved':
        return void q(db).removeTarget.run(workspaceOf(e), dataOf(e, 'CareerTargetRemoved').target);
    }
  },
});

export type WorkspaceSummary = { workspaceId: string; ownerName: string | null; timezone: string | null; contacts: number; meetings: number };

/** Every workspace with something in it, configured or not yet. */
export function listWorkspaces(db: Database): WorkspaceSummary[] {
  return stmt(
    db,
    `
    SELECT ids.workspace_id AS workspaceId, w.owner_name AS ownerName, w.timezone AS timezone,
      (SELECT COUNT(*) FROM contacts c WHERE c.workspace_id = ids.workspace_id) AS contacts,
      (SELECT COUNT(*) FROM pipeline p WHERE p.workspace_id = ids.workspace_id) AS meetings
    FROM (SELECT workspace_id FROM workspaces UNION SELECT DISTINCT workspace_id FROM contacts) ids
    LEFT JOIN workspaces w ON w.workspace_id = ids.workspace_id
    ORDER BY ids.workspace_id`,
  ).all() as WorkspaceSummary[];
}
