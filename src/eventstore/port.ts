/**
 * The event store port. Positions are global and only grow; `after` is exclusive everywhere, so a
 * consumer that stores the position of the last event it handled resumes exactly after it.
 */

export type ExpectedRevision = 'any' | 'no_stream' | 'exists' | number;

export type NewEvent = {
  /** Event id (UUID). Appending an id already stored in that stream is a no-op success. */
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
};

export type StoredEvent = {
  id: string;
  stream: string;
  /** 0-based revision within the stream. */
  revision: number;
  /** Global position in the log (commit position). */
  position: bigint;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  createdAt: string;
};

export type AppendResult = {
  /** The stream's revision after the append (the last event's revision). */
  nextRevision: number;
  /** Position of the last event appended; null when every event was already stored. */
  position: bigint | null;
};

/** One stream's part of a multi-stream append. */
export type StreamAppend = { stream: string; events: NewEvent[]; expected?: ExpectedRevision };

export type ReadStreamOptions = {
  direction?: 'forwards' | 'backwards';
  /** Inclusive start revision; by default the first (forwards) or last (backwards). */
  fromRevision?: number;
  maxCount?: number;
};

export type ReadAllOptions = {
  after?: bigint | null;
  maxCount?: number;
  /**
   * For a store that seals personal fields: open only the events of these types, and return the
   * others with their personal fields as stored (sealed). For readers that know which they read
   * (the projections): the rest costs neither a key lookup nor AES-GCM.
   */
  openOnly?: ReadonlySet<string>;
};

export type SubscriptionHandler = (event: StoredEvent) => void | Promise<void>;

export type SubscribeOptions = {
  after?: bigint | null;
  onEvent: SubscriptionHandler;
  /** Called once when the catch-up phase has delivered everything stored at subscribe time. */
  onCaughtUp?: () => void;
  /** Errors the subscription recovered from (it keeps going); an error thrown by onEvent stops it. */
  onError?: (error: unknown) => void;
};

export type Subscription = {
  /** Resolves when no more events will be delivered. */
  stop(): Promise<void>;
  /** Resolves (or rejects with the handler's error) when the subscription ends. */
  readonly done: Promise<void>;
};

export interface EventStore {
  readonly kind: string;
  append(stream: string, events: NewEvent[], opts?: { expected?: ExpectedRevision }): Promise<AppendResult>;
  /**
   * Appends to several streams at once (an import): each settles on its own, with its own result or
   * its own failure (a wrong expected revision fails that stream's append only), in the order given.
   * Atomic per stream, not across streams.
   */
  appendMany(appends: StreamAppend[]): Promise<PromiseSettledResult<AppendResult>[]>;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(stream: string, opts?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Current last revision of the stream, or -1 when it does not exist. */
  streamRevision(stream: string): Promise<number>;
  /** One batch of the global log after a position, in order. Non-system events only. */
  readAll(opts?: ReadAllOptions): Promise<StoredEvent[]>;
  /** Catch up from `after`, then follow live appends (also those of other processes) until stopped. */
  subscribeAll(opts: SubscribeOptions): Subscription;
  /** Position of the last event in the log, or null when it is empty. */
  headPosition(): Promise<bigint | null>;
  getCheckpoint(consumer: string): Promise<bigint | null>;
  /**
   * Store a consumer's position. With `expected` (the value read before), a second instance of the
   * same consumer that advanced it meanwhile makes this fail with a conflict.
   */
  saveCheckpoint(consumer: string, position: bigint, opts?: { expected?: bigint | null }): Promise<void>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'conflict' as const;
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${actual === -1 ? 'no stream' : actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export class EventStoreUnavailableError extends Error {
  readonly code = 'unavailable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

export class DuplicateEventIdError extends Error {
  readonly code = 'conflict' as const;
  constructor(
    readonly eventId: string,
    readonly stream: string,
  ) {
    super(`event id ${eventId} is already stored in another stream than ${stream}`);
    this.name = 'DuplicateEventIdError';
  }
}
