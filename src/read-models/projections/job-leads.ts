import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, rowsOf, PAGE } from './support/sql.ts';
import { utc } from './support/time.ts';
import { withContact } from './support/joins.ts';

/**
 * Job leads that came out of the conversations, one row per JobLeadReported (keyed by its event
 * id). The description and the organisation (often the contact's own employer) are sealed under the
 * contact's key, so forgetting the contact removes them; the lead and its date stay as a count.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS job_leads (
    lead_id      TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    meeting_id   TEXT,
    organisation TEXT,
    description  TEXT,
    reported_at  TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS job_leads_by_contact ON job_leads (contact_id);
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS job_leads_by_reported ON job_leads (reported_at, lead_id);
  CREATE INDEX IF NOT EXISTS job_leads_by_workspace ON job_leads (workspace_id, reported_at, lead_id);
`;

const q = preparedFor((db) => ({
  lead: db.prepare(`
    INSERT INTO job_leads (lead_id, workspace_id, contact_id, meeting_id, organisation, description, reported_at)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(lead_id) DO NOTHING`),
  forget: db.prepare(`UPDATE job_leads SET description = NULL, organisation = NULL WHERE contact_id = ?`),
}));

export const jobLeads = defineProjection({
  name: 'job-leads',
  personal: ['JobLeadReported'],
  version: 2,
  schema,
  indexes,
  apply(db, e) {
    if (e.type === 'JobLeadReported') {
      const d = dataOf(e, 'JobLeadReported');
      q(db).lead.run(e.id, workspaceOf(e), idOfStream(e.stream), d.meetingId ?? null, d.organisation ?? null, d.description, utc(d.reportedAt));
    } else if (e.type === 'ContactForgotten') {
      q(db).forget.run(idOfStream(e.stream));
    }
  },
});

export type JobLeadItem = {
  leadId: string;
  workspaceId: string;
  contactId: string;
  contactName: string | null;
  organisation: string | null;
  description: string | null;
  meetingId: string | null;
  reportedAt: string;
};

type LeadRow = {
  lead_id: string;
  workspace_id: string;
  contact_id: string;
  contact_name: string | null;
  organisation: string | null;
  description: string | null;
  meeting_id: string | null;
  reported_at: string;
};

/** Latest first. */
export function listJobLeads(db: Database, q: Page): Rows {
  const where = inWorkspace(q.workspaceId, 'l.workspace_id');
  const contact = withContact('l');
  const rows = rowsOf(
    db,
    `
    SELECT l.*, ${contact.columns} FROM job_leads l ${contact.join}
    WHERE ${where} ORDER BY l.reported_at DESC, l.lead_id DESC ${PAGE}`,
    pageParams(q),
  ) as LeadRow[];
  return {
    rows: rows.map(
      (r): JobLeadItem => ({
        leadId: r.lead_id,
        workspaceId: r.workspace_id,
        contactId: r.contact_id,
        contactName: r.contact_name,
        organisation: r.organisation,
        description: r.description,
        meetingId: r.meeting_id,
        reportedAt: r.reported_at,
      }),
    ),
    total: countOf(db, `SELECT COUNT(*) AS n FROM job_leads l WHERE ${where}`, pageParams(q)),
  };
}
