/**
 * The raw baseline: better-sqlite3 alone inserting rows into the project's table, with the
 * project's schema (`migrate`) and pragmas (`applyPragmas`), one row per transaction.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { migrate } from '../src/eventstore/sqlite/schema.ts';
import { applyPragmas } from '../src/sqlite/pragmas.ts';

export type EventRow = {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  created_at: string;
};

const SELECT_AFTER = 'SELECT position, id, stream, revision, type, data, metadata, created_at FROM events WHERE position > ? ORDER BY position';

/** The rows stored after `after` (a position), as stored, in log order: from an open database or a file. */
export function rowsAfter(db: Database.Database | string, after = 0): EventRow[] {
  if (typeof db !== 'string') return db.prepare<[number], EventRow>(SELECT_AFTER).all(after);
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare<[number], EventRow>(SELECT_AFTER).all(after);
  } finally {
    conn.close();
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

/** A fresh database file with the project's schema and pragmas, taking rows one per transaction (or `perTransaction` at a time). */
export class RawInserter {
  readonly db: Database.Database;
  private readonly many: (rs: EventRow[]) => void;
  /** Rows inserted and seconds spent inserting them, over every `insert` call. */
  rows = 0;
  seconds = 0;

  constructor(
    file: string,
    private readonly perTransaction = 1,
  ) {
    this.db = new Database(file);
    applyPragmas(this.db);
    migrate(this.db);
    const insert = this.db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.many = this.db.transaction((rs: EventRow[]) => {
      for (const r of rs) insert.run(r.id, r.stream, r.revision, r.type, r.data, r.metadata, r.created_at);
    });
  }

  /** Inserts the rows, `perTransaction` per transaction; returns the seconds it took. */
  insert(rows: EventRow[]): number {
    const t0 = performance.now();
    if (this.perTransaction === 1) for (const r of rows) this.many([r]);
    else for (let i = 0; i < rows.length; i += this.perTransaction) this.many(rows.slice(i, i + this.perTransaction));
    const secs = (performance.now() - t0) / 1000;
    this.rows += rows.length;
    this.seconds += secs;
    return secs;
  }

  get rate(): number {
    return this.rows / this.seconds;
  }

  close(): void {
    this.db.close();
  }
}
