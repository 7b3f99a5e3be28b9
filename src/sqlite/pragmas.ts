import type { Database } from 'better-sqlite3';

/** Settings every SQLite file of the product shares: the event log, the key store, the read models. */
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
