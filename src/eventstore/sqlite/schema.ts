import type { Database } from 'better-sqlite3';

/** One table with a global position; unique (stream, revision) and unique event id, as DESIGN.md fixes. */
export function migrate(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position   INTEGER PRIMARY KEY AUTOINCREMENT,
      id         TEXT    NOT NULL UNIQUE,
      stream     TEXT    NOT NULL,
      revision   INTEGER NOT NULL,
      type       TEXT    NOT NULL,
      data       TEXT    NOT NULL,
      metadata   TEXT    NOT NULL,
      created_at TEXT    NOT NULL,
      UNIQUE (stream, revision)
    );
    CREATE TABLE IF NOT EXISTS checkpoints (
      name       TEXT PRIMARY KEY,
      position   INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    );
  `);
}
