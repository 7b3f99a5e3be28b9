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

export type Pragmas = { synchronous?: 'NORMAL' | 'FULL'; busyTimeoutMs?: number };

/**
 * After erasing rows (secure_delete overwrote them in their pages), copy the WAL into the file and
 * truncate it, so not even its stale frames keep the erased bytes. A reader in another process may
 * hold the WAL: wait for it only briefly (never the usual busy timeout on a hot path); the next
 * erasure, or the last connection's close, finishes the job.
 */
export function truncateWal(db: Database, waitMs = 50): void {
  const usual = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${waitMs}`);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Busy: as above.
  } finally {
    db.pragma(`busy_timeout = ${usual}`);
  }
}

export function applyPragmas(db: Database, p: Pragmas = {}): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${p.synchronous ?? 'NORMAL'}`);
  db.pragma(`busy_timeout = ${p.busyTimeoutMs ?? 5000}`);
}
