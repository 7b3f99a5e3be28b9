/**
 * The raw baseline: better-sqlite3 alone inserting rows into the project's table, with the
 * project's schema (`migrate`) and pragmas (`applyPragmas`), one row per transaction.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { applyPragmas, migrate } from '../src/eventstore/sqlite/schema.ts';
import type { PeakRss } from './harness.ts';

export type EventRow = {
  id: string; stream: string; revision: number; type: string; data: string; metadata: string; created_at: string;
};

/** The rows a benchmark's project run stored, as stored, in log order. */
export function readRows(file: string): EventRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], EventRow>('SELECT id, stream, revision, type, data, metadata, created_at FROM events ORDER BY position').all();
  } finally {
    db.close();
  }
}

/** `count` rows made from `rows`, repeating them under new ids and streams (same sizes) when there are too few. */
export function padRows(rows: EventRow[], count: number): EventRow[] {
  if (rows.length === 0) throw new Error('no rows to pad from');
  const out = rows.slice(0, count);
  for (let i = out.length; i < count; i++) {
    const r = rows[i % rows.length]!;
    out.push({ ...r, id: randomUUID(), stream: `contact-${randomUUID()}`, revision: 0 });
  }
  return out;
}

/** Inserts the rows into a fresh database file, one row per transaction; returns the seconds the inserts took. */
export function insertOneByOne(file: string, rows: EventRow[], rss?: PeakRss): number {
  const db = new Database(file);
  try {
    applyPragmas(db);
    migrate(db);
    const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const one = db.transaction((r: EventRow) => insert.run(r.id, r.stream, r.revision, r.type, r.data, r.metadata, r.created_at));
    const t0 = performance.now();
    for (const r of rows) {
      one(r);
      rss?.sample(64);
    }
    return (performance.now() - t0) / 1000;
  } finally {
    db.close();
  }
}
