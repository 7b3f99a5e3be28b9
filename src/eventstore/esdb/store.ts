import { randomUUID } from 'node:crypto';
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port.ts';
import { sleep, subscribeToAll } from './subscribe.ts';
import { classifyError, connect, type EsdbConnection, type EsExpected, type EsRecord, type EsSubscription } from './client.ts';

export type EsdbEventStoreOptions = {
  /**
   * Checkpoints of named consumers live in one stream each, `<prefix><consumer>`, with maxCount 1.
   * The default `$`-prefixed name keeps them out of every consumer's view of the log, like
   * EventStoreDB's own subscription checkpoints. A secured server lets only admins (or users given
   * access through `$systemStreamAcl`) write such streams; with another prefix the adapter still
   * hides them from readAll and subscribeAll.
   */
  checkpointStreamPrefix?: string;
  /** Attempts of a read when the server is unreachable, and of any call a follower refuses (the first included). Default 4. */
  readAttempts?: number;
  /** Delay before the first retry of a read; doubles each time. Default 100 ms. */
  retryDelayMs?: number;
  /** Bounds of the backoff before a dropped subscription is resubscribed. Default 50 ms to 5 s. */
  resubscribeMinMs?: number;
  resubscribeMaxMs?: number;
};

/** The event type of checkpoint events: `$`-prefixed, so the server's excludeSystemEvents filter drops them. */
const CHECKPOINT_TYPE = '$OutreachCheckpoint';

/** The hosts of a connection string, without credentials, for error messages. */
export function describeEndpoint(connectionString: string): string {
  const m = /^([a-z+]+):\/\/(?:[^@/?]*@)?([^/?]*)/i.exec(connectionString.trim());
  return m ? `${m[1]}://${m[2]}` : '(unparsable connection string)';
}

export function openEsdbEventStore(connectionString: string, opts: EsdbEventStoreOptions = {}): EventStore {
  const endpoint = describeEndpoint(connectionString);
  const prefix = opts.checkpointStreamPrefix ?? '$outreach-checkpoint-';
  const readAttempts = Math.max(1, opts.readAttempts ?? 4);
  const retryDelayMs = opts.retryDelayMs ?? 100;
  const minBackoff = opts.resubscribeMinMs ?? 50;
  const maxBackoff = opts.resubscribeMaxMs ?? 5000;

  let conn: EsdbConnection;
  try {
    conn = connect(connectionString);
  } catch (error) {
    throw new Error(`invalid EventStoreDB connection string for ${endpoint}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }

  let closed = false;
  const subscriptions = new Set<Subscription>();
  const checkpointMetadataSet = new Set<string>();

  const unavailable = (what: string, attempts: number, error: unknown) =>
    new EventStoreUnavailableError(
      `EventStoreDB/KurrentDB at ${endpoint} is unreachable (${what}, ${attempts} attempt${attempts === 1 ? '' : 's'}): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );

  /**
   * Runs one client call. An unreachable server is retried for reads (`retry`) and then reported once,
   * naming the endpoint. A follower's not-leader answer is retried for any call, writes included: the
   * follower wrote nothing, and the client has switched to the leader it named.
   */
  async function call<T>(what: string, retry: boolean, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (closed) throw new EventStoreUnavailableError(`the event store at ${endpoint} is closed`);
      try {
        return await fn();
      } catch (error) {
        const { kind } = classifyError(error);
        if (kind !== 'unavailable' && kind !== 'not_leader') throw error;
        if ((kind === 'unavailable' && !retry) || attempt >= readAttempts) throw unavailable(what, attempt, error);
        await sleep(retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  const hidden = (r: EsRecord) => r.type.startsWith('$') || r.stream.startsWith('$') || r.stream.startsWith(prefix);
  const positionOf = (r: EsRecord) => r.position?.commit ?? -1n;
  // The port keeps the commit position only. EventStoreDB's events from ordinary (implicit-transaction)
  // appends have equal commit and prepare positions, so the pair is rebuilt from the commit position.
  const esPosition = (p: bigint) => ({ commit: p, prepare: p });

  const toStored = (r: EsRecord): StoredEvent => ({
    id: r.id,
    stream: r.stream,
    revision: Number(r.revision),
    position: positionOf(r),
    type: r.type,
    data: r.data,
    metadata: (r.metadata && typeof r.metadata === 'object' && !(r.metadata instanceof Uint8Array) ? r.metadata : {}) as Record<string, unknown>,
    createdAt: r.created.toISOString(),
  });

  const toEsExpected = (e: ExpectedRevision): EsExpected => (e === 'exists' ? 'stream_exists' : typeof e === 'number' ? BigInt(e) : e);

  const readLast = (stream: string) =>
    call(`read ${stream}`, true, () => conn.readStream(stream, { backwards: true, from: 'end', maxCount: 1 })).then((r) => r?.[0]);

  async function readAllAfter(after: bigint | null, maxCount: number): Promise<StoredEvent[]> {
    // Reads of $all start at a position inclusively; the port's `after` is exclusive, so anything at or
    // before it is skipped. System events are dropped here, so a page can come back shorter: keep
    // reading until the batch is full or the log ends, never returning an empty batch too early.
    const out: StoredEvent[] = [];
    const pageSize = Math.min(Math.max(maxCount + 1, 64), 4096);
    let from = after;
    while (out.length < maxCount) {
      const page = await call('read $all', true, () =>
        conn.readAll({ backwards: false, from: from === null ? 'start' : esPosition(from), maxCount: pageSize }),
      );
      let progressed = false;
      for (const r of page) {
        const p = positionOf(r);
        if (from !== null && p <= from) continue;
        progressed = true;
        from = p;
        if (!hidden(r)) out.push(toStored(r));
        if (out.length === maxCount) break;
      }
      if (page.length < pageSize || !progressed) break;
    }
    return out;
  }

  async function headPosition(): Promise<bigint | null> {
    // The last event that is not a system event: read $all backwards page by page until one shows up.
    let before: bigint | null = null;
    for (;;) {
      const page = await call('read $all backwards', true, () =>
        conn.readAll({ backwards: true, from: before === null ? 'end' : esPosition(before), maxCount: 64 }),
      );
      let progressed = false;
      for (const r of page) {
        const p = positionOf(r);
        if (before !== null && p >= before) continue;
        progressed = true;
        before = p;
        if (!hidden(r)) return p;
      }
      if (page.length < 64 || !progressed) return null;
    }
  }

  const subscribeAll = (sopts: SubscribeOptions) =>
    subscribeToAll({ conn, endpoint, hidden, positionOf, esPosition, toStored, headPosition, minBackoff, maxBackoff, subscriptions }, sopts);

  const checkpointStream = (consumer: string) => `${prefix}${consumer}`;

  async function ensureCheckpointMetadata(stream: string) {
    if (checkpointMetadataSet.has(stream)) return;
    const maxCount = await call(`read metadata of ${stream}`, true, () => conn.getMaxCount(stream));
    if (maxCount !== 1) await call(`set metadata of ${stream}`, false, () => conn.setMaxCount(stream, 1));
    checkpointMetadataSet.add(stream);
  }

  const checkpointPosition = (r: EsRecord | undefined): bigint | null => {
    const p = (r?.data as { position?: unknown } | undefined)?.position;
    return typeof p === 'string' || typeof p === 'number' ? BigInt(p) : null;
  };

  const store: EventStore = {
    kind: 'esdb',

    async append(stream, events, { expected = 'any' } = {}) {
      if (events.length === 0) return { nextRevision: await store.streamRevision(stream), position: null };
      try {
        const r = await call(`append to ${stream}`, false, () =>
          conn.append(
            stream,
            events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
            toEsExpected(expected),
          ),
        );
        return { nextRevision: Number(r.nextRevision), position: r.position?.commit ?? null };
      } catch (error) {
        const k = classifyError(error);
        if (k.kind === 'wrong_expected_version') {
          throw new WrongExpectedRevisionError(stream, expected, k.actual === 'no_stream' ? -1 : Number(k.actual));
        }
        throw error;
      }
    },

    // EventStoreDB has no multi-stream transaction: the streams' appends go concurrently over the one connection.
    appendMany: (appends) => Promise.allSettled(appends.map((a) => store.append(a.stream, a.events, { expected: a.expected ?? 'any' }))),

    async readStream(stream, ropts: ReadStreamOptions = {}) {
      const backwards = ropts.direction === 'backwards';
      const from = ropts.fromRevision === undefined ? (backwards ? 'end' : 'start') : BigInt(ropts.fromRevision);
      const maxCount = ropts.maxCount ?? Number.MAX_SAFE_INTEGER;
      if (maxCount <= 0) return [];
      const events = await call(`read ${stream}`, true, () => conn.readStream(stream, { backwards, from, maxCount }));
      return (events ?? []).map(toStored);
    },

    async streamRevision(stream) {
      const last = await readLast(stream);
      return last ? Number(last.revision) : -1;
    },

    async readAll(ropts: ReadAllOptions = {}) {
      return readAllAfter(ropts.after ?? null, ropts.maxCount ?? 1000);
    },

    subscribeAll,
    headPosition,

    async getCheckpoint(consumer) {
      return checkpointPosition(await readLast(checkpointStream(consumer)));
    },

    async saveCheckpoint(consumer, position, copts = {}) {
      const stream = checkpointStream(consumer);
      await ensureCheckpointMetadata(stream);
      const event = { id: randomUUID(), type: CHECKPOINT_TYPE, data: { position: position.toString() }, metadata: {} };
      if (!('expected' in copts)) {
        await call(`append to ${stream}`, false, () => conn.append(stream, [event], 'any'));
        return;
      }
      const expected = copts.expected ?? null;
      const conflict = (actual: bigint | null) =>
        new WrongExpectedRevisionError(stream, expected === null ? 'no_stream' : Number(expected), actual === null ? -1 : Number(actual));
      const last = await readLast(stream);
      if (checkpointPosition(last) !== expected) throw conflict(checkpointPosition(last));
      // Written at the revision just read: of two instances of one consumer, only one advances it.
      try {
        await call(`append to ${stream}`, false, () => conn.append(stream, [event], last ? last.revision : 'no_stream'));
      } catch (error) {
        if (classifyError(error).kind === 'wrong_expected_version') throw conflict(checkpointPosition(await readLast(stream)));
        throw error;
      }
    },

    async close() {
      if (closed) return;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      closed = true;
      await conn.dispose();
    },
  };
  return store;
}
