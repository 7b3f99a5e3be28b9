import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventEmitter } from 'node:events';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamAppend,
  type SubscribeOptions,
} from '../port.ts';
import { migrate } from './schema.ts';
import { applyPragmas, type Pragmas } from '../../sqlite/pragmas.ts';
import { retryBusy } from '../../sqlite/busy.ts';
import { follow } from '../follow.ts';
import { groupCommit, type Settled } from './group-commit.ts';

type Row = {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  created_at: string;
};

const toStored = (r: Row): StoredEvent => ({
  id: r.id,
  stream: r.stream,
  revision: r.revision,
  position: BigInt(r.position),
  type: r.type,
  data: JSON.parse(r.data),
  metadata: JSON.parse(r.metadata),
  createdAt: r.created_at,
});

export type SqliteEventStoreOptions = Pragmas & {
  /** How often a live subscription looks for appends made by other processes. */
  pollIntervalMs?: number;
  /** Appends that arrive together share one transaction (group commit): at most this many (500). */
  groupCommitMaxBatch?: number;
  /** How long the first append of a group waits for others; 0 (the default) waits one turn of the event loop. */
  groupCommitWindowMs?: number;
};

/** An append waiting for its batch, its data and metadata already serialised. */
type Pending = { stream: string; expected: ExpectedRevision; events: { id: string; type: string; data: string; metadata: string }[] };

/**
 * Work done before each batch's transaction, in the same flush, in a transaction of its own: what
 * the batch's events depend on (their subjects' keys, in keys.db) is committed first, so that no
 * event is ever stored without its key. Not in the events' transaction with keys.db ATTACHed: in
 * WAL mode SQLite commits the files of one transaction one by one, the log first (not atomically),
 * and every batch would lock both files.
 */
export type BatchHook = () => void;

export type SqliteEventStore = EventStore & {
  readonly db: Database.Database;
  readonly file: string;
  /** Runs `hook` before every batch's transaction from now on. */
  beforeEachBatch(hook: BatchHook): void;
};

class AlreadyStored extends Error {
  constructor(readonly revision: number) {
    super('already stored');
  }
}

function checkExpected(stream: string, expected: ExpectedRevision, current: number) {
  const ok = expected === 'any' || (expected === 'no_stream' && current === -1) || (expected === 'exists' && current >= 0) || expected === current;
  if (!ok) throw new WrongExpectedRevisionError(stream, expected, current);
}

export function openSqliteEventStore(file: string, opts: SqliteEventStoreOptions = {}): SqliteEventStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  applyPragmas(db, opts);
  migrate(db);

  const q = {
    revision: db.prepare<[string], { r: number | null }>('SELECT MAX(revision) AS r FROM events WHERE stream = ?'),
    byId: db.prepare<[string], { stream: string }>('SELECT stream FROM events WHERE id = ?'),
    insert: db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    forwards: db.prepare<[string, number, number], Row>('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ? + 0'),
    // SQLite 3.53 prepares a statement again on every run when its LIMIT is a bare bound parameter
    // (~20 µs here); as an expression (`? + 0`) it is planned once. Whole-stream reads (every command's load) need none.
    forwardsAll: db.prepare<[string, number], Row>('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision'),
    backwards: db.prepare<[string, number, number], Row>('SELECT * FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ? + 0'),
    all: db.prepare<[number, number], Row>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ? + 0'),
    head: db.prepare<[], { p: number | null }>('SELECT MAX(position) AS p FROM events'),
    getCheckpoint: db.prepare<[string], { position: number }>('SELECT position FROM checkpoints WHERE name = ?'),
    upsertCheckpoint: db.prepare(
      'INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
    ),
    insertCheckpoint: db.prepare('INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING'),
    updateCheckpoint: db.prepare('UPDATE checkpoints SET position = ?, updated_at = ? WHERE name = ? AND position = ?'),
  };

  const pollMs = opts.pollIntervalMs ?? 50;
  const appended = new EventEmitter();
  appended.setMaxListeners(0);
  let closed = false;

  /** Whether a batch is already stored (a retried append): all its ids in this stream. Throws when an id is taken elsewhere. */
  const alreadyStored = (stream: string, events: readonly { id: string }[]): boolean => {
    const seen = events.map((e) => q.byId.get(e.id)?.stream);
    const elsewhere = seen.findIndex((s) => s !== undefined && s !== stream);
    if (elsewhere >= 0) throw new DuplicateEventIdError(events[elsewhere]!.id, stream);
    return seen.every((s) => s === stream);
  };

  /** One append's checks and inserts, inside the batch's transaction; throws its own failure. */
  const appendOne = ({ stream, events, expected }: Pending): AppendResult => {
    const current = q.revision.get(stream)?.r ?? -1;
    try {
      checkExpected(stream, expected, current);
    } catch (e) {
      // Idempotency before the revision check, as in EventStoreDB: a retried append of stored ids succeeds.
      if (alreadyStored(stream, events)) return { nextRevision: current, position: null };
      throw e;
    }
    const now = new Date().toISOString();
    let revision = current;
    let position = 0;
    for (const e of events) {
      revision += 1;
      try {
        const info = q.insert.run(e.id, stream, revision, e.type, e.data, e.metadata, now);
        position = Number(info.lastInsertRowid);
      } catch (err) {
        // Only the unique event id can fail here (the revision was checked above, inside this transaction).
        if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
        if (alreadyStored(stream, events)) throw new AlreadyStored(current);
        throw new WrongExpectedRevisionError(stream, expected, current);
      }
    }
    return { nextRevision: revision, position: BigInt(position) };
  };
  // Nested in the batch's transaction, a savepoint: a multi-event append that fails halfway leaves nothing.
  const appendOneSavepoint = db.transaction(appendOne);

  const settle = (p: Pending): Settled<AppendResult> => {
    try {
      return { status: 'fulfilled', value: p.events.length > 1 ? appendOneSavepoint(p) : appendOne(p) };
    } catch (e) {
      if (e instanceof AlreadyStored) return { status: 'fulfilled', value: { nextRevision: e.revision, position: null } };
      // The append's own failure; anything else (busy, disk) fails the whole batch and is retried or reported as one.
      if (e instanceof WrongExpectedRevisionError || e instanceof DuplicateEventIdError) return { status: 'rejected', reason: e };
      throw e;
    }
  };
  const hooks: BatchHook[] = [];
  const batchTx = db.transaction((batch: Pending[]) => batch.map(settle));

  const group = groupCommit<Pending, AppendResult>(
    async (batch) => {
      const outcomes = await retryBusy(() => {
        for (const hook of hooks) hook();
        return batchTx.immediate(batch);
      });
      if (outcomes.some((o) => o.status === 'fulfilled' && o.value.position !== null)) appended.emit('append');
      return outcomes;
    },
    { maxBatch: opts.groupCommitMaxBatch, windowMs: opts.groupCommitWindowMs },
  );

  /** Serialised before it waits for its batch, so that the transaction holds the write lock only for the inserts. */
  const pending = (stream: string, events: NewEvent[], expected: ExpectedRevision = 'any'): Pending => ({
    stream,
    expected,
    events: events.map((e) => ({ id: e.id, type: e.type, data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata) })),
  });

  const readAllSync = (after: bigint | null | undefined, maxCount: number) => q.all.all(Number(after ?? 0n), maxCount).map(toStored);

  const store: SqliteEventStore = {
    kind: 'sqlite',
    db,
    file,
    beforeEachBatch: (hook) => void hooks.push(hook),

    async append(stream, events, { expected = 'any' } = {}) {
      if (events.length === 0) return { nextRevision: q.revision.get(stream)?.r ?? -1, position: null };
      return group.submit(pending(stream, events, expected));
    },

    async appendMany(appends) {
      // Each settles on its own, also one whose data cannot be serialised; the rest share one submit.
      const out: Settled<AppendResult>[] = new Array(appends.length);
      const batch: Pending[] = [];
      const at: number[] = [];
      appends.forEach(({ stream, events, expected }: StreamAppend, i) => {
        if (events.length === 0) out[i] = { status: 'fulfilled', value: { nextRevision: q.revision.get(stream)?.r ?? -1, position: null } };
        else
          try {
            batch.push(pending(stream, events, expected));
            at.push(i);
          } catch (reason) {
            out[i] = { status: 'rejected', reason };
          }
      });
      (await group.submitMany(batch)).forEach((o, k) => {
        out[at[k]!] = o;
      });
      return out;
    },

    async readStream(stream, opts: ReadStreamOptions = {}) {
      const max = opts.maxCount ?? Number.MAX_SAFE_INTEGER;
      const rows =
        opts.direction === 'backwards'
          ? q.backwards.all(stream, opts.fromRevision ?? Number.MAX_SAFE_INTEGER, max)
          : opts.maxCount === undefined
            ? q.forwardsAll.all(stream, opts.fromRevision ?? 0)
            : q.forwards.all(stream, opts.fromRevision ?? 0, max);
      return rows.map(toStored);
    },

    async streamRevision(stream) {
      return q.revision.get(stream)?.r ?? -1;
    },

    async readAll(opts: ReadAllOptions = {}) {
      return readAllSync(opts.after, opts.maxCount ?? 1000);
    },

    subscribeAll(opts: SubscribeOptions) {
      return follow(
        {
          readBatch: async (after) => readAllSync(after, 500),
          waitForMore: (signal) =>
            new Promise<void>((resolve) => {
              // Appends by this process wake it at once; other processes' appends are seen by polling.
              const done = () => {
                clearTimeout(timer);
                appended.off('append', done);
                signal.removeEventListener('abort', done);
                resolve();
              };
              const timer = setTimeout(done, pollMs);
              appended.on('append', done);
              signal.addEventListener('abort', done);
            }),
        },
        opts,
      );
    },

    async headPosition() {
      const p = q.head.get()?.p;
      return p == null ? null : BigInt(p);
    },

    async getCheckpoint(consumer) {
      const row = q.getCheckpoint.get(consumer);
      return row ? BigInt(row.position) : null;
    },

    async saveCheckpoint(consumer, position, opts = {}) {
      const now = new Date().toISOString();
      await retryBusy(() => {
        if (!('expected' in opts)) {
          q.upsertCheckpoint.run(consumer, Number(position), now);
          return;
        }
        const changed =
          opts.expected == null
            ? q.insertCheckpoint.run(consumer, Number(position), now).changes
            : q.updateCheckpoint.run(Number(position), now, consumer, Number(opts.expected)).changes;
        if (changed === 0) {
          const actual = q.getCheckpoint.get(consumer)?.position ?? -1;
          throw new WrongExpectedRevisionError(`checkpoint:${consumer}`, opts.expected == null ? 'no_stream' : Number(opts.expected), actual);
        }
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      await group.drain();
      appended.emit('append');
      db.close();
    },
  };
  return store;
}
