import type { Database } from 'better-sqlite3';
import type { StoredEvent } from '../../../eventstore/port.ts';

/**
 * One read model's write side. Its tables live in the shared projections database next to the
 * checkpoint table; the projector calls `apply` inside the transaction that also moves the
 * projection's checkpoint, so rows and checkpoint never disagree.
 */
export type Projection = {
  readonly name: string;
  /** Bumped when the tables or the meaning of a row change: a stored older version is rebuilt from zero. */
  readonly version: number;
  /** CREATE TABLE / CREATE INDEX … IF NOT EXISTS for what `apply` needs, so it can run on every start. */
  readonly schema: string;
  /**
   * CREATE INDEX … IF NOT EXISTS for what only the queries need. A rebuild creates them after the
   * last event instead of keeping them up to date on every row (several times faster).
   */
  readonly indexes: string;
  /**
   * The event types whose personal fields `apply` reads. Only these are opened when the projector
   * reads a sealed log; the others reach `apply` with their personal fields still sealed.
   */
  readonly personal?: readonly string[];
  /** One event, synchronous SQL only. Events it does not care about are ignored. */
  apply(db: Database, event: StoredEvent): void;
  /** Drops the projection's tables and creates them again, empty, with their indexes. */
  reset(db: Database): void;
};

/** The tables a schema creates, so that `reset` cannot forget one that was added later. */
export const tablesOf = (schema: string): string[] => [...schema.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]!);

export function dropTables(db: Database, p: Pick<Projection, 'schema'>): void {
  for (const table of tablesOf(p.schema)) db.exec(`DROP TABLE IF EXISTS ${table}`);
}

export function defineProjection(p: Omit<Projection, 'reset' | 'indexes'> & { indexes?: string }): Projection {
  const indexes = p.indexes ?? '';
  return {
    ...p,
    indexes,
    reset(db) {
      dropTables(db, p);
      db.exec(p.schema);
      db.exec(indexes);
    },
  };
}

/** The event types whose personal fields some of the projections read: the ones to open. */
export const personalTypesOf = (projections: readonly Projection[]): ReadonlySet<string> => new Set(projections.flatMap((p) => p.personal ?? []));
