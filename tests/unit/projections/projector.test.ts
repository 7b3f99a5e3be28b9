import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { projections } from '../../../src/read-models/projections/index.ts';
import { createProjector } from '../../../src/read-models/projector/apply.ts';
import { readCheckpoints } from '../../../src/read-models/projector/checkpoints.ts';
import { defineProjection, type Projection } from '../../../src/read-models/projections/support/projection.ts';
import { readModelsOn } from '../../../src/read-models/queries.ts';
import { eventLog, heldMeeting, workspaceConfigured } from './support/log.ts';
import { everyCell } from './support/harness.ts';

const story = () => {
  const log = eventLog();
  log.workspace('WorkspaceConfigured', workspaceConfigured());
  for (let n = 1; n <= 5; n++) heldMeeting(log, n, n);
  return log.events;
};

/** Counts what it is given, to see exactly which events reach a projection. */
const counting = (name = 'counter', version = 1) => {
  const seen: bigint[] = [];
  const p = defineProjection({
    name,
    version,
    schema: `CREATE TABLE IF NOT EXISTS ${name} (n INTEGER NOT NULL); INSERT INTO ${name} SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM ${name});`,
    apply(db, e) {
      seen.push(e.position);
      db.prepare(`UPDATE ${name} SET n = n + 1`).run();
    },
  });
  return { p, seen };
};

describe('the projector', () => {
  it("writes every projection's checkpoint in the batch's transaction, at the batch's last position", () => {
    const db = new Database(':memory:');
    const events = story();
    createProjector(db, projections).apply(events, null);
    const checkpoints = readCheckpoints(db);
    expect(projections.map((p) => checkpoints.get(p.name)!.position)).toEqual(projections.map(() => events.at(-1)!.position));
  });

  it('processing a batch twice changes nothing', () => {
    const db = new Database(':memory:');
    const events = story();
    const projector = createProjector(db, projections);
    projector.apply(events.slice(0, 20), null);
    projector.apply(events.slice(20), events[19]!.position);
    const once = everyCell(db);
    projector.apply(events.slice(20), events[19]!.position);
    projector.apply(events, null);
    expect(everyCell(db)).toBe(once);
  });

  it('a batch overlapping what was applied applies only the new events', () => {
    const db = new Database(':memory:');
    const { p, seen } = counting();
    const events = story();
    const projector = createProjector(db, [p]);
    projector.apply(events.slice(0, 10), null);
    projector.apply(events.slice(5, 15), events[4]!.position);
    expect(seen).toEqual(events.slice(0, 15).map((e) => e.position));
  });

  it('a batch that fails leaves rows and checkpoints as they were', () => {
    const db = new Database(':memory:');
    const { p } = counting();
    const failing: Projection = {
      ...p,
      name: 'failing',
      apply(_db, e) {
        if (e.position === 7n) throw new Error('cannot apply');
      },
    };
    const events = story();
    const projector = createProjector(db, [p, failing]);
    projector.apply(events.slice(0, 5), null);
    const before = everyCell(db);
    expect(() => projector.apply(events.slice(5, 10), events[4]!.position)).toThrow('cannot apply');
    expect(everyCell(db)).toBe(before);
  });

  it('a projection whose checkpoint is behind the batch sits it out, and the lowest checkpoint says where to read again', () => {
    const db = new Database(':memory:');
    const a = counting('a');
    const events = story();
    createProjector(db, [a.p]).apply(events.slice(0, 10), null);
    const b = counting('b');
    const projector = createProjector(db, [a.p, b.p]);
    expect(projector.lowest()).toBeNull();
    projector.apply(events.slice(10, 20), events[9]!.position);
    expect(b.seen).toEqual([]); // it would miss events 1–10
    projector.apply(events.slice(0, 20), null);
    expect(b.seen).toEqual(events.slice(0, 20).map((e) => e.position));
    expect(a.seen).toEqual(events.slice(0, 20).map((e) => e.position));
    expect(projector.lowest()).toBe(events[19]!.position);
  });

  it('a projection stored with another version is reset and starts again from the beginning', () => {
    const db = new Database(':memory:');
    const events = story();
    createProjector(db, [counting('c', 1).p]).apply(events, null);
    const v2 = counting('c', 2);
    const projector = createProjector(db, [v2.p]);
    expect(projector.reset).toEqual(['c']);
    expect(projector.lowest()).toBeNull();
    expect(db.prepare('SELECT n FROM c').pluck().get()).toBe(0);
  });

  it('a projection whose stored tables no longer take its schema is reset, even at the same version', () => {
    const db = new Database(':memory:');
    const events = story();
    createProjector(db, [counting('d').p]).apply(events, null);
    const changed = defineProjection({
      name: 'd',
      version: 1,
      schema: 'CREATE TABLE IF NOT EXISTS d (n INTEGER NOT NULL, m INTEGER);',
      indexes: 'CREATE INDEX IF NOT EXISTS d_m ON d (m);',
      apply() {},
    });
    expect(createProjector(db, [changed]).reset).toEqual(['d']);
    expect(db.prepare('SELECT COUNT(*) FROM d').pluck().get()).toBe(0);
  });

  it('a projection at the same version keeps its rows across a restart', () => {
    const db = new Database(':memory:');
    const events = story();
    createProjector(db, projections).apply(events, null);
    const before = everyCell(db);
    const again = createProjector(db, projections);
    expect(again.reset).toEqual([]);
    expect(again.lowest()).toBe(events.at(-1)!.position);
    expect(everyCell(db)).toBe(before);
  });

  it('lag is the head position minus each checkpoint', () => {
    const db = new Database(':memory:');
    const events = story();
    createProjector(db, projections).apply(events.slice(0, 10), null);
    const lag = readModelsOn(db).lag(events.at(-1)!.position);
    expect(lag.map((l) => l.name)).toEqual(projections.map((p) => p.name));
    expect(lag[0]).toEqual({ name: 'contacts', checkpoint: 10, lag: events.length - 10 });
    expect(
      readModelsOn(db)
        .lag(null)
        .every((l) => l.lag === 0),
    ).toBe(true);
  });

  it('checkpoints beyond 2^53 (EventStoreDB commit positions) are kept exactly', () => {
    const db = new Database(':memory:');
    const big = 2n ** 60n + 7n;
    const events = story().map((e, i) => ({ ...e, position: big + BigInt(i) * 1000n }));
    createProjector(db, projections).apply(events, null);
    expect(readCheckpoints(db).get('contacts')!.position).toBe(events.at(-1)!.position);
  });
});
