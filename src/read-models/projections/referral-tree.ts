import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, PAGE } from './support/sql.ts';
import { withContact } from './support/joins.ts';

/**
 * Who referred whom, and in which meeting: one row per contact with its referrer, its depth
 * (0 for someone the seeker knew) and the path of ids from the root, so that ordering by path
 * lists each tree depth-first. Ids only; names come from the contacts read model, so a forgotten
 * contact keeps its place in the tree without one.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS referral_tree (
    contact_id   TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    referred_by  TEXT,
    meeting_id   TEXT,
    depth        INTEGER NOT NULL,
    path         TEXT NOT NULL
  ) WITHOUT ROWID;
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS referral_tree_children ON referral_tree (referred_by);
  CREATE INDEX IF NOT EXISTS referral_tree_by_path ON referral_tree (path);
  CREATE INDEX IF NOT EXISTS referral_tree_by_workspace ON referral_tree (workspace_id, path);
`;

const q = preparedFor((db) => ({
  // A referrer not (yet) in the tree still counts as a root one level up.
  add: db.prepare(`
    INSERT INTO referral_tree (contact_id, workspace_id, referred_by, meeting_id, depth, path)
    SELECT ?, ?, ?, ?,
      coalesce((SELECT depth + 1 FROM referral_tree WHERE contact_id = ?), 1),
      coalesce((SELECT path FROM referral_tree WHERE contact_id = ?), ?) || '/' || ?
    WHERE true
    ON CONFLICT(contact_id) DO NOTHING`),
  root: db.prepare(`INSERT INTO referral_tree (contact_id, workspace_id, depth, path) VALUES (?, ?, 0, ?) ON CONFLICT(contact_id) DO NOTHING`),
}));

export const referralTree = defineProjection({
  name: 'referral-tree',
  version: 1,
  schema,
  indexes,
  apply(db, e) {
    if (e.type !== 'ContactAdded') return;
    const d = dataOf(e, 'ContactAdded');
    const by = d.referredBy?.contactId;
    if (by === undefined) q(db).root.run(d.contactId, workspaceOf(e), d.contactId);
    else q(db).add.run(d.contactId, workspaceOf(e), by, d.referredBy!.meetingId ?? null, by, by, by, d.contactId);
  },
});

type NodeRow = {
  contact_id: string;
  workspace_id: string;
  contact_name: string | null;
  contact_organisation: string | null;
  referred_by: string | null;
  meeting_id: string | null;
  depth: number;
  path: string;
  referrals: number;
};

/** Depth-first, each tree under its root. */
export function listReferralTree(db: Database, q: Page): Rows {
  const where = inWorkspace(q.workspaceId, 't.workspace_id');
  const contact = withContact('t');
  const rows = stmt(
    db,
    `
    SELECT t.*, ${contact.columns}, (SELECT COUNT(*) FROM referral_tree k WHERE k.referred_by = t.contact_id) AS referrals
    FROM referral_tree t ${contact.join} WHERE ${where}
    ORDER BY t.path ${PAGE}`,
  ).all(pageParams(q)) as NodeRow[];
  return {
    rows: rows.map((r) => ({
      contactId: r.contact_id,
      workspaceId: r.workspace_id,
      name: r.contact_name,
      organisation: r.contact_organisation,
      referredBy: r.referred_by,
      meetingId: r.meeting_id,
      depth: r.depth,
      rootId: r.path.split('/')[0]!,
      referrals: r.referrals,
    })),
    total: countOf(db, `SELECT COUNT(*) AS n FROM referral_tree t WHERE ${where}`, pageParams(q)),
  };
}
