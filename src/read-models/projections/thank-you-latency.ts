import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { countOf, inWorkspace, pageParams, preparedFor, stmt, type Page, type Rows, PAGE } from './support/sql.ts';
import { utc } from './support/time.ts';

/** From MeetingHeld.heldAt to ThankYouSent.sentAt, per held meeting: the method asks for a thank-you within a day. */
const schema = `
  CREATE TABLE IF NOT EXISTS thank_you_latency (
    meeting_id        TEXT PRIMARY KEY,
    workspace_id      TEXT NOT NULL,
    held_at           TEXT NOT NULL,
    thank_you_sent_at TEXT,
    latency_seconds   INTEGER
  ) WITHOUT ROWID;
`;

const indexes = `
  CREATE INDEX IF NOT EXISTS thank_you_latency_by_latency ON thank_you_latency (latency_seconds);
  CREATE INDEX IF NOT EXISTS thank_you_latency_by_workspace ON thank_you_latency (workspace_id, latency_seconds);
  CREATE INDEX IF NOT EXISTS thank_you_latency_by_held ON thank_you_latency (held_at, meeting_id);
  CREATE INDEX IF NOT EXISTS thank_you_latency_by_workspace_held ON thank_you_latency (workspace_id, held_at, meeting_id);
`;

const q = preparedFor((db) => ({
  held: db.prepare(
    `INSERT INTO thank_you_latency (meeting_id, workspace_id, held_at) VALUES (?, ?, ?) ON CONFLICT(meeting_id) DO UPDATE SET held_at = excluded.held_at`,
  ),
  // Whole seconds keep the stored value exact; percentiles are reported in hours.
  thanked: db.prepare(`
    UPDATE thank_you_latency SET thank_you_sent_at = @sentAt,
      latency_seconds = CAST(round((julianday(@sentAt) - julianday(held_at)) * 86400) AS INTEGER)
    WHERE meeting_id = @meetingId AND thank_you_sent_at IS NULL`),
}));

export const thankYouLatency = defineProjection({
  name: 'thank-you-latency',
  version: 1,
  schema,
  indexes,
  apply(db, e) {
    if (e.type === 'MeetingHeld') q(db).held.run(idOfStream(e.stream), workspaceOf(e), utc(dataOf(e, 'MeetingHeld').heldAt));
    else if (e.type === 'ThankYouSent') q(db).thanked.run({ meetingId: idOfStream(e.stream), sentAt: utc(dataOf(e, 'ThankYouSent').sentAt) });
  },
});

export type LatencySummary = { p50Hours: number | null; p90Hours: number | null; within24hShare: number | null; count: number };

const DAY_SECONDS = 86_400;
const hours = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;

/** Nearest-rank percentiles over the thank-yous sent, read from the index rather than loading every value. */
export function latencySummary(db: Database, workspaceId: string | undefined): LatencySummary {
  const where = `${inWorkspace(workspaceId)} AND latency_seconds IS NOT NULL`;
  const p = { workspaceId: workspaceId ?? null };
  const { n, within } = stmt(
    db,
    `SELECT COUNT(*) AS n, coalesce(SUM(latency_seconds <= ${DAY_SECONDS}), 0) AS within FROM thank_you_latency WHERE ${where}`,
  ).get(p) as { n: number; within: number };
  if (n === 0) return { p50Hours: null, p90Hours: null, within24hShare: null, count: 0 };
  const at = (pct: number) =>
    (
      stmt(db, `SELECT latency_seconds AS s FROM thank_you_latency WHERE ${where} ORDER BY latency_seconds LIMIT 1 OFFSET @k + 0`).get({
        ...p,
        k: Math.ceil(pct * n) - 1,
      }) as { s: number }
    ).s;
  return { p50Hours: hours(at(0.5)), p90Hours: hours(at(0.9)), within24hShare: within / n, count: n };
}

type LatencyRow = { meeting_id: string; workspace_id: string; held_at: string; thank_you_sent_at: string | null; latency_seconds: number | null };

/** Every held meeting, latest first; a thank-you not sent yet has no latency. */
export function listThankYouLatency(db: Database, q: Page): Rows {
  const where = inWorkspace(q.workspaceId);
  const rows = stmt(db, `SELECT * FROM thank_you_latency WHERE ${where} ORDER BY held_at DESC, meeting_id DESC ${PAGE}`).all(pageParams(q)) as LatencyRow[];
  return {
    rows: rows.map((r) => ({
      meetingId: r.meeting_id,
      workspaceId: r.workspace_id,
      heldAt: r.held_at,
      thankYouSentAt: r.thank_you_sent_at,
      latencyHours: r.latency_seconds === null ? null : hours(r.latency_seconds),
      within24h: r.latency_seconds === null ? null : r.latency_seconds <= DAY_SECONDS,
    })),
    total: countOf(db, `SELECT COUNT(*) AS n FROM thank_you_latency WHERE ${where}`, pageParams(q)),
  };
}
