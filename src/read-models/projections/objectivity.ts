import type { Database } from 'better-sqlite3';
import { defineProjection } from './support/projection.ts';
import { dataOf, idOfStream, workspaceOf } from './support/events.ts';
import { preparedFor, rowsOf } from './support/sql.ts';

/**
 * Interviews held per career target and sentiment, and whether the seeker names the target, as
 * counters per workspace and across all: the dashboard reads them by key instead of grouping every
 * meeting held on each request. A meeting counts under its own target, else its contact's (as that
 * contact's target is now: changing it moves their meetings held without one of their own).
 */
const schema = `
  CREATE TABLE IF NOT EXISTS objectivity_contacts (
    contact_id   TEXT PRIMARY KEY,
    target       TEXT,
    forgotten    INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS objectivity_meetings (
    meeting_id   TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    target       TEXT,
    held         INTEGER NOT NULL DEFAULT 0,
    sentiment    TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS objectivity_meetings_by_contact ON objectivity_meetings (contact_id);
  CREATE TABLE IF NOT EXISTS objectivity_named (
    workspace_id TEXT NOT NULL,
    target       TEXT NOT NULL,
    PRIMARY KEY (workspace_id, target)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS objectivity_summary (
    workspace_id TEXT NOT NULL,
    target       TEXT NOT NULL,
    named        INTEGER NOT NULL DEFAULT 0,
    positive     INTEGER NOT NULL DEFAULT 0,
    neutral      INTEGER NOT NULL DEFAULT 0,
    negative     INTEGER NOT NULL DEFAULT 0,
    unrecorded   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, target)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS objectivity_summary_all (
    target       TEXT PRIMARY KEY,
    named        INTEGER NOT NULL DEFAULT 0,
    positive     INTEGER NOT NULL DEFAULT 0,
    neutral      INTEGER NOT NULL DEFAULT 0,
    negative     INTEGER NOT NULL DEFAULT 0,
    unrecorded   INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

const DELTAS = ['named', 'positive', 'neutral', 'negative', 'unrecorded'] as const;
type Delta = Record<(typeof DELTAS)[number], number> & { ws: string; target: string };
const ADD = DELTAS.map((c) => `${c} = ${c} + @${c}`).join(', ');
const EMPTY = DELTAS.map((c) => `${c} = 0`).join(' AND ');

const q = preparedFor((db) => ({
  addContact: db.prepare(`INSERT INTO objectivity_contacts (contact_id, target) VALUES (?, ?) ON CONFLICT DO NOTHING`),
  changeTarget: db.prepare(`UPDATE objectivity_contacts SET target = coalesce(?, target) WHERE contact_id = ? AND forgotten = 0`),
  forget: db.prepare(`UPDATE objectivity_contacts SET forgotten = 1 WHERE contact_id = ?`),
  request: db.prepare(`INSERT INTO objectivity_meetings (meeting_id, workspace_id, contact_id, target) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
  held: db.prepare(`UPDATE objectivity_meetings SET held = 1, sentiment = ? WHERE meeting_id = ?`),
  heldOf: db.prepare(`
    SELECT m.workspace_id AS ws, coalesce(m.target, c.target) AS target, m.sentiment AS sentiment
    FROM objectivity_meetings m LEFT JOIN objectivity_contacts c ON c.contact_id = m.contact_id
    WHERE m.held = 1 AND (m.meeting_id = @meetingId OR m.contact_id = @contactId)`),
  name: db.prepare(`INSERT INTO objectivity_named (workspace_id, target) VALUES (?, ?) ON CONFLICT DO NOTHING`),
  unname: db.prepare(`DELETE FROM objectivity_named WHERE workspace_id = ? AND target = ?`),
  count: db.prepare(`INSERT INTO objectivity_summary VALUES (@ws, @target, ${DELTAS.map((c) => `@${c}`)}) ON CONFLICT DO UPDATE SET ${ADD}`),
  countAll: db.prepare(`INSERT INTO objectivity_summary_all VALUES (@target, ${DELTAS.map((c) => `@${c}`)}) ON CONFLICT DO UPDATE SET ${ADD}`),
  prune: db.prepare(`DELETE FROM objectivity_summary WHERE workspace_id = @ws AND target = @target AND ${EMPTY}`),
  pruneAll: db.prepare(`DELETE FROM objectivity_summary_all WHERE target = @target AND ${EMPTY}`),
}));

function tally(db: Database, d: Delta) {
  q(db).count.run(d);
  q(db).countAll.run(d);
  q(db).prune.run(d);
  q(db).pruneAll.run(d);
}

const sentimentKey = (s: string | null) => (s === 'positive' || s === 'neutral' || s === 'negative' ? s : 'unrecorded');

/** Runs a change with the meetings held it touches (one meeting, or one contact's) taken out of their counters and counted again after. */
function recount(db: Database, of: { meetingId?: string; contactId?: string }, change: () => void) {
  const held = () => q(db).heldOf.all({ meetingId: of.meetingId ?? null, contactId: of.contactId ?? null }) as Held[];
  const move = (rows: Held[], sign: number) => {
    for (const r of rows)
      if (r.target !== null)
        tally(db, { ws: r.ws, target: r.target, named: 0, positive: 0, neutral: 0, negative: 0, unrecorded: 0, [sentimentKey(r.sentiment)]: sign });
  };
  move(held(), -1);
  change();
  move(held(), 1);
}
type Held = { ws: string; target: string | null; sentiment: string | null };

function named(db: Database, ws: string, target: string, sign: 1 | -1) {
  const changed = (sign > 0 ? q(db).name : q(db).unname).run(ws, target).changes;
  if (changed) tally(db, { ws, target, named: sign, positive: 0, neutral: 0, negative: 0, unrecorded: 0 });
}

export const objectivityCounts = defineProjection({
  name: 'objectivity',
  version: 1,
  schema,
  // The contact's target is read as the contacts read model reads it (sealed with the person).
  personal: ['ContactAdded', 'ContactDetailsChanged'],
  apply(db, e) {
    switch (e.type) {
      case 'ContactAdded': {
        const d = dataOf(e, 'ContactAdded');
        if (!e.stream.startsWith('contact-')) return;
        return void recount(db, { contactId: d.contactId }, () => q(db).addContact.run(d.contactId, d.target ?? null));
      }
      case 'ContactDetailsChanged': {
        const target = dataOf(e, 'ContactDetailsChanged').changes.target;
        const contactId = idOfStream(e.stream);
        if (target !== undefined && e.stream.startsWith('contact-')) recount(db, { contactId }, () => q(db).changeTarget.run(target ?? null, contactId));
        return;
      }
      case 'ContactForgotten':
        if (e.stream.startsWith('contact-')) q(db).forget.run(idOfStream(e.stream));
        return;
      case 'MeetingRequested': {
        const d = dataOf(e, 'MeetingRequested');
        return void q(db).request.run(d.meetingId, workspaceOf(e), d.contactId, d.target ?? null);
      }
      case 'MeetingHeld': {
        const meetingId = idOfStream(e.stream);
        return void recount(db, { meetingId }, () => q(db).held.run(dataOf(e, 'MeetingHeld').sentiment ?? null, meetingId));
      }
      case 'CareerTargetAdded':
        return named(db, workspaceOf(e), dataOf(e, 'CareerTargetAdded').target, 1);
      case 'CareerTargetRemoved':
        return named(db, workspaceOf(e), dataOf(e, 'CareerTargetRemoved').target, -1);
    }
  },
});

export type ObjectivityCount = { target: string; named: number; positive: number; neutral: number; negative: number; unrecorded: number };

/** Per career target named or with an interview held, the counters of the workspace (or of all). */
export function objectivityCounted(db: Database, workspaceId: string | undefined): ObjectivityCount[] {
  const columns = `target, ${DELTAS.join(', ')}`;
  if (workspaceId === undefined) return rowsOf(db, `SELECT ${columns} FROM objectivity_summary_all`) as ObjectivityCount[];
  return rowsOf(db, `SELECT ${columns} FROM objectivity_summary WHERE workspace_id = @workspaceId`, { workspaceId }) as ObjectivityCount[];
}
