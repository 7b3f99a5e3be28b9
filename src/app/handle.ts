import { eventSchemas, isEventType, SCHEMA_VERSION, type DomainEvent } from '../domain/events.ts';
import { OutreachError, notFound } from '../domain/errors.ts';
import { WrongExpectedRevisionError, type EventStore, type NewEvent, type StoredEvent, type StreamAppend } from '../eventstore/port.ts';
import type { Aggregate } from './aggregates.ts';
import type { Clock } from './clock.ts';
import { newId } from './ids.ts';
import { boundedMap, type BoundedMap } from '../domain/bounded-map.ts';

/** Who is acting, where, and with what: passed to every command. */
export type AppContext = {
  store: EventStore;
  clock: Clock;
  workspaceId: string;
  actor: string;
  correlationId?: string;
  causationId?: string;
};

export type Loaded<S> = { state: S; revision: number; exists: boolean };

/** `state`, or (remembered after an append) the state and events it folds from, folded on first use. */
type Cached = { revision: number; workspaceId: unknown; state: unknown; pending?: { from: unknown; events: readonly { type: string; data: unknown }[] } };
const MAX_CACHED_STREAMS = 10_000;
const caches = new WeakMap<EventStore, BoundedMap<string, Cached>>();

/**
 * Folded state per stream, remembered with its revision: a command then reads only the events
 * appended since (usually none, one cheap revision check) instead of the whole stream. States are
 * immutable, so sharing them is safe; the map is bounded and forgets the least recently used.
 */
function cacheOf(store: EventStore) {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = boundedMap(MAX_CACHED_STREAMS)));
  return cache;
}

/** Events applied to a state in order; events of other aggregates (none should be there) are passed over. */
export function foldEvents<S, E extends { type: string }>(agg: Aggregate<S, E>, state: S, events: readonly StoredEvent[]): S {
  for (const e of events) if (agg.owns(e.type)) state = agg.evolve(state, { type: e.type, data: e.data } as unknown as E);
  return state;
}

/** A whole stream's state, as load() gives it: a stream written by another workspace reads as missing. */
export function foldStream<S, E extends { type: string }>(agg: Aggregate<S, E>, events: readonly StoredEvent[], workspaceId: string): S {
  if (events.length > 0 && events[0]!.metadata['workspaceId'] !== workspaceId) return agg.initial();
  return foldEvents(agg, agg.initial(), events);
}

/** Fold a stream into state. A stream written by another workspace reads as missing: workspaces do not see each other's data. */
export async function load<S, E extends { type: string }>(ctx: AppContext, agg: Aggregate<S, E>, id: string): Promise<Loaded<S>> {
  const stream = agg.stream(id);
  const cache = cacheOf(ctx.store);
  const key = `${agg.name}|${stream}`;
  const hit = cache.get(key);
  let state = agg.initial();
  let revision = -1;
  let workspaceId: unknown;
  let current: number | undefined;
  if (hit) {
    current = await ctx.store.streamRevision(stream);
    if (current >= hit.revision) {
      ({ revision, workspaceId } = hit);
      if (hit.pending) {
        // What a read would give: the events as the store keeps them (JSON), folded onto the state they were decided from.
        const stored = hit.pending.events.map((e) => ({ type: e.type, data: JSON.parse(JSON.stringify(e.data)) as unknown }) as StoredEvent);
        hit.state = foldEvents(agg, hit.pending.from as S, stored);
        hit.pending = undefined;
      }
      state = hit.state as S;
    }
  }
  // Nothing appended since the cached fold: no read at all.
  const events = hit && current === hit.revision ? [] : await ctx.store.readStream(stream, revision >= 0 ? { fromRevision: revision + 1 } : {});
  if (revision < 0 && events.length > 0) workspaceId = events[0]!.metadata['workspaceId'];
  state = foldEvents(agg, state, events);
  if (events.length > 0) revision = events.at(-1)!.revision;
  if (revision >= 0 && events.length > 0) {
    cache.set(key, { revision, workspaceId, state });
  }
  if (revision >= 0 && workspaceId !== ctx.workspaceId) return { state: agg.initial(), revision, exists: false };
  return { state, revision, exists: revision >= 0 };
}

/**
 * The state after this process's own append, remembered so that the next command on the stream finds
 * its revision current and reads nothing. Folded only when a command loads it: most streams a
 * command creates are not loaded again by this process.
 */
function remember<S, E extends DomainEvent>(ctx: AppContext, agg: Aggregate<S, E>, id: string, state: S, events: E[], revision: number) {
  cacheOf(ctx.store).set(`${agg.name}|${agg.stream(id)}`, { revision, workspaceId: ctx.workspaceId, state: undefined, pending: { from: state, events } });
}

export async function loadExisting<S, E extends { type: string }>(ctx: AppContext, agg: Aggregate<S, E>, id: string): Promise<Loaded<S>> {
  const loaded = await load(ctx, agg, id);
  if (!loaded.exists) throw notFound(agg.name, id);
  return loaded;
}

/** A decider's events checked against their schemas before they are stored: a bug must not reach the log. */
export function validated(events: DomainEvent[]): DomainEvent[] {
  return events.map((e) => {
    if (!isEventType(e.type)) throw new Error(`unknown event type ${e.type}`);
    const parsed = eventSchemas[e.type].safeParse(e.data);
    if (!parsed.success)
      throw new Error(`decider emitted an invalid ${e.type}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return { type: e.type, data: parsed.data } as DomainEvent;
  });
}

export type ExecuteOptions = {
  /** Event ids for the events decided (effect results derive them from the effect key); new UUIDv7 by default. */
  eventIds?: (index: number) => string;
  maxAttempts?: number;
  /** Refuse with not-found when the stream does not exist (every command but a create). */
  mustExist?: boolean;
  /**
   * The stream is new (its id was just made): skip the read and append with no_stream. Should it
   * exist after all, the append fails with a conflict and the next attempt reads it.
   */
  newStream?: boolean;
  /**
   * The decider builds its events field for field from input its edge schema already checked (the
   * same value schemas): checking them again would cost as much as the input's check, per command.
   * tests/property/deciders-emit-valid-events.test.ts proves such events valid and unchanged by
   * their schema. Only for such commands (AddContact).
   */
  fromCheckedInput?: boolean;
};

export type Executed<E> = { events: E[]; ids: string[]; nextRevision: number; position: bigint | null };

/** The events as stored: with who did it, in which workspace, caused by what, about whom. */
function toNewEvents<S, E extends DomainEvent>(ctx: AppContext, agg: Aggregate<S, E>, id: string, state: S, events: E[], ids: string[]): NewEvent[] {
  const correlationId = ctx.correlationId ?? ids[0]!;
  const metadata = {
    workspaceId: ctx.workspaceId,
    correlationId,
    causationId: ctx.causationId ?? correlationId,
    actor: ctx.actor,
    schemaVersion: SCHEMA_VERSION,
    dataSubject: agg.dataSubject(id, state, events),
  };
  return events.map((e, i) => ({ id: ids[i]!, type: e.type, data: e.data, metadata }));
}

/**
 * A new stream's command decided now and appended later, together with others (an import, through
 * `appendMany`): the append `execute` with `newStream` would make, expecting no stream.
 */
export function decideNew<S, E extends DomainEvent>(
  ctx: AppContext,
  agg: Aggregate<S, E>,
  id: string,
  decide: (state: S) => E[],
  opts: Pick<ExecuteOptions, 'fromCheckedInput'> = {},
): StreamAppend {
  const state = agg.initial();
  const decided = decide(state);
  const events = opts.fromCheckedInput ? decided : (validated(decided) as E[]);
  const ids = events.map(() => newId());
  return { stream: agg.stream(id), events: toNewEvents(ctx, agg, id, state, events, ids), expected: 'no_stream' };
}

const jitter = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));

/**
 * Load → decide → append with the revision read. A concurrent writer makes the append fail; then
 * the stream is read again and the decision made again, a bounded number of times.
 */
export async function execute<S, E extends DomainEvent>(
  ctx: AppContext,
  agg: Aggregate<S, E>,
  id: string,
  decide: (loaded: Loaded<S>) => E[] | Promise<E[]>,
  opts: ExecuteOptions = {},
): Promise<Executed<E>> {
  // Commands that arrive together share a commit (group commit), so a crowd on one stream needs more rounds.
  const maxAttempts = opts.maxAttempts ?? 16;
  for (let attempt = 1; ; attempt++) {
    const loaded: Loaded<S> = opts.newStream && attempt === 1 ? { state: agg.initial(), revision: -1, exists: false } : await load(ctx, agg, id);
    if (!loaded.exists && (loaded.revision >= 0 || opts.mustExist)) throw notFound(agg.name, id);
    const decided = await decide(loaded);
    const events = opts.fromCheckedInput ? decided : (validated(decided) as E[]);
    if (events.length === 0) return { events, ids: [], nextRevision: loaded.revision, position: null };
    const ids = events.map((_, i) => opts.eventIds?.(i) ?? newId());
    try {
      const result = await ctx.store.append(agg.stream(id), toNewEvents(ctx, agg, id, loaded.state, events, ids), {
        expected: loaded.revision === -1 ? 'no_stream' : loaded.revision,
      });
      if (result.position !== null && result.nextRevision === loaded.revision + events.length)
        remember(ctx, agg, id, loaded.state, events, result.nextRevision);
      return { events, ids, nextRevision: result.nextRevision, position: result.position };
    } catch (e) {
      if (!(e instanceof WrongExpectedRevisionError)) throw e;
      if (attempt >= maxAttempts) {
        throw new OutreachError('conflict', `${agg.name} ${id} kept changing while this command ran; try again`, { cause: e });
      }
      await jitter(attempt);
    }
  }
}
