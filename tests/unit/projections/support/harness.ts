import Database from 'better-sqlite3';
import type { StoredEvent } from '../../../../src/eventstore/port.ts';
import { projections } from '../../../../src/read-models/projections/index.ts';
import { createProjector } from '../../../../src/read-models/projector/apply.ts';
import { readModelsOn, type ReadModelName } from '../../../../src/read-models/queries.ts';

export const NOW = '2026-11-24T09:00:00.000Z'; // a Tuesday

/** The read models after applying these events, in one in-memory database. */
export function project(events: readonly StoredEvent[]) {
  const db = new Database(':memory:');
  const projector = createProjector(db, projections);
  if (events.length > 0) projector.apply(events, null);
  const models = readModelsOn(db);
  return {
    db,
    projector,
    models,
    rows: (name: ReadModelName, q: { workspaceId?: string; now?: string; limit?: number; offset?: number } = {}) =>
      models.list(name, { limit: 1000, offset: 0, now: NOW, ...q }).rows,
    dashboard: (q: { workspaceId?: string; now?: string } = {}) => models.dashboard({ now: NOW, ...q }),
  };
}

/** Every row of every table, as text: what "nothing personal is left anywhere" is checked against. */
export function everyCell(db: Database.Database): string {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
  return tables
    .map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).raw().all(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
    .join('\n');
}
