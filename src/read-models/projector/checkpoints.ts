import type { Database } from 'better-sqlite3';
import { dropTables, type Projection } from '../projections/support/projection.ts';
import { preparedFor } from '../projections/support/sql.ts';

/**
 * Each projection's position in the log, in the same database as its rows so that one
 * transaction moves both. NULL: nothing applied yet. Positions are kept as 64-bit integers
 * (EventStoreDB commit positions do not fit a JS number).
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name     TEXT PRIMARY KEY,
    version  INTEGER NOT NULL,
    position INTEGER
  );
`;

export type Checkpoint = { name: string; version: number; position: bigint | null };

const q = preparedFor((db) => ({
  all: db.prepare<[], Checkpoint>('SELECT name, version, position FROM projection_checkpoints').safeIntegers(true),
  save: db.prepare('UPDATE projection_checkpoints SET position = ? WHERE name = ?'),
  start: db.prepare(`
    INSERT INTO projection_checkpoints (name, version, position) VALUES (?, ?, NULL)
    ON CONFLICT(name) DO UPDATE SET version = excluded.version, position = NULL`),
}));

export function readCheckpoints(db: Database): Map<string, Checkpoint> {
  const rows = q(db).all.all();
  return new Map(rows.map((r) => [r.name, { name: r.name, version: Number(r.version), position: r.position }]));
}

export const saveCheckpoint = (db: Database, name: string, position: bigint) => {
  q(db).save.run(position, name);
};

/** Empties a projection and sets it back to the start of the log. */
export function resetProjection(db: Database, p: Projection): void {
  p.reset(db);
  q(db).start.run(p.name, p.version);
}

/** As resetProjection, without the indexes only queries use: the rebuild creates those at the end. */
export function resetForRebuild(db: Database, p: Projection): void {
  dropTables(db, p);
  db.exec(p.schema);
  q(db).start.run(p.name, p.version);
}

/**
 * Whether the stored tables take the projection's schema and indexes (creating what is missing,
 * such as the query indexes of a rebuild that was stopped). Tables changed without a version bump
 * do not, and are rebuilt rather than left to fail on the first event.
 */
function fits(db: Database, p: Projection): boolean {
  try {
    db.exec('SAVEPOINT fits');
    db.exec(p.schema);
    db.exec(p.indexes);
    db.exec('RELEASE fits');
    return true;
  } catch {
    db.exec('ROLLBACK TO fits');
    db.exec('RELEASE fits');
    return false;
  }
}

/**
 * Tables for every projection. One never seen, or stored with another version, is reset so the
 * projector rebuilds it from the start; the others keep their rows. Returns the ones reset.
 */
export function ensureProjections(db: Database, projections: readonly Projection[]): string[] {
  return db
    .transaction(() => {
      db.exec(SCHEMA);
      const stored = readCheckpoints(db);
      const reset: string[] = [];
      for (const p of projections) {
        if (stored.get(p.name)?.version === p.version && fits(db, p)) continue;
        resetProjection(db, p);
        reset.push(p.name);
      }
      return reset;
    })
    .immediate();
}

/** Tables for reading before any projector ran: created empty, nothing reset. */
export function createMissingTables(db: Database, projections: readonly Projection[]): void {
  db.transaction(() => {
    db.exec(SCHEMA);
    for (const p of projections) {
      db.exec(p.schema);
      db.exec(p.indexes);
    }
  }).immediate();
}
