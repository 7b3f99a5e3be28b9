/**
 * The one module that knows the EventStoreDB client library. Everything else in the adapter talks to
 * the small `EsdbConnection` below, so that `@kurrent/kurrentdb-client` (the renamed successor, with
 * the same API under `KurrentDBClient` and `kurrentdb://` connection strings) can be swapped in by
 * changing this file alone.
 */
import esdb from '@eventstore/db-client';
import type { AllStreamResolvedEvent, AppendExpectedRevision, EventStoreDBClient, ResolvedEvent } from '@eventstore/db-client';

// The package is CommonJS: take its values from the default import, which works in native ESM.
const { EventStoreDBClient: Client, jsonEvent, excludeSystemEvents, START, END, FORWARDS, BACKWARDS } = esdb;

export type EsPosition = { commit: bigint; prepare: bigint };

export type EsRecord = {
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  created: Date;
  /** Commit and prepare position in the transaction log, when the server sends it. */
  position: EsPosition | undefined;
};

export type EsExpected = 'any' | 'no_stream' | 'stream_exists' | bigint;

export type EsNewEvent = { id: string; type: string; data: unknown; metadata: unknown };

export type EsSubscription = AsyncIterable<EsRecord> & { close(): Promise<void> };

export interface EsdbConnection {
  append(stream: string, events: EsNewEvent[], expected: EsExpected): Promise<{ nextRevision: bigint; position: EsPosition | undefined }>;
  /** Events of a stream, or null when the stream does not exist. */
  readStream(stream: string, opts: { backwards: boolean; from: 'start' | 'end' | bigint; maxCount: number }): Promise<EsRecord[] | null>;
  /** $all, forwards from a position inclusive, or backwards from the end. */
  readAll(opts: { backwards: boolean; from: 'start' | 'end' | EsPosition; maxCount: number }): Promise<EsRecord[]>;
  /** Catch-up subscription to $all after a position, with the server filtering out system events. */
  subscribeAll(opts: { from: 'start' | EsPosition }): EsSubscription;
  getMaxCount(stream: string): Promise<number | undefined>;
  setMaxCount(stream: string, maxCount: number): Promise<void>;
  dispose(): Promise<void>;
}

/** What the adapter needs to know about an error thrown by the client. */
export type EsErrorKind =
  | { kind: 'wrong_expected_version'; actual: bigint | 'no_stream' }
  /** A follower refused the call; the client reconnects to the leader it named, so a retry goes there. Nothing was written. */
  | { kind: 'not_leader' }
  | { kind: 'unavailable' }
  | { kind: 'other' };

export function classifyError(error: unknown): EsErrorKind {
  if (error instanceof esdb.WrongExpectedVersionError) {
    const actual = error.actualVersion;
    return { kind: 'wrong_expected_version', actual: typeof actual === 'bigint' ? actual : 'no_stream' };
  }
  if (error instanceof esdb.NotLeaderError) return { kind: 'not_leader' };
  if (
    error instanceof esdb.UnavailableError ||
    error instanceof esdb.DeadlineExceededError ||
    (error instanceof Error && /Failed to discover|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|No connection established/.test(error.message))
  ) {
    return { kind: 'unavailable' };
  }
  return { kind: 'other' };
}

const toRecord = (e: NonNullable<ResolvedEvent['event']>, commitPosition?: bigint): EsRecord => ({
  id: e.id,
  stream: e.streamId,
  revision: e.revision,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
  created: e.created,
  position: e.position ?? (commitPosition === undefined ? undefined : { commit: commitPosition, prepare: commitPosition }),
});

async function collect(read: AsyncIterable<ResolvedEvent | AllStreamResolvedEvent>): Promise<EsRecord[]> {
  const out: EsRecord[] = [];
  for await (const resolved of read) if (resolved.event) out.push(toRecord(resolved.event, resolved.commitPosition));
  return out;
}

export function connect(connectionString: string): EsdbConnection {
  const client: EventStoreDBClient = Client.connectionString(connectionString);
  return {
    async append(stream, events, expected) {
      const result = await client.appendToStream(
        stream,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: e.metadata as never })),
        { expectedRevision: expected satisfies AppendExpectedRevision },
      );
      return { nextRevision: result.nextExpectedRevision, position: result.position };
    },

    async readStream(stream, { backwards, from, maxCount }) {
      try {
        return await collect(
          client.readStream(stream, {
            direction: backwards ? BACKWARDS : FORWARDS,
            fromRevision: from === 'start' ? START : from === 'end' ? END : from,
            maxCount,
          }),
        );
      } catch (error) {
        if (error instanceof esdb.StreamNotFoundError) return null;
        throw error;
      }
    },

    async readAll({ backwards, from, maxCount }) {
      return collect(
        client.readAll({
          direction: backwards ? BACKWARDS : FORWARDS,
          fromPosition: from === 'start' ? START : from === 'end' ? END : from,
          maxCount,
        }),
      );
    },

    subscribeAll({ from }) {
      const sub = client.subscribeToAll({ fromPosition: from === 'start' ? START : from, filter: excludeSystemEvents() });
      let closed = false;
      return {
        async *[Symbol.asyncIterator]() {
          try {
            for await (const resolved of sub) {
              if (closed) return;
              if (resolved.event) yield toRecord(resolved.event, resolved.commitPosition);
            }
          } catch (error) {
            if (!closed) throw error;
          }
        },
        async close() {
          if (closed) return;
          closed = true;
          await sub.unsubscribe().catch(() => undefined);
          // The gRPC call is cancelled; end the readable too so a pending iteration returns.
          sub.destroy();
        },
      };
    },

    async getMaxCount(stream) {
      try {
        const { metadata } = await client.getStreamMetadata(stream);
        return metadata?.maxCount;
      } catch (error) {
        if (error instanceof esdb.StreamNotFoundError) return undefined;
        throw error;
      }
    },

    async setMaxCount(stream, maxCount) {
      await client.setStreamMetadata(stream, { maxCount });
    },

    async dispose() {
      // Cancels the open calls. The HTTP/2 channel stays, idle and unreferenced, so it keeps no process alive.
      await client.dispose();
    },
  };
}
