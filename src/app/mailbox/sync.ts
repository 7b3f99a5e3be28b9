import { createHash } from 'node:crypto';
import { decideContact } from '../../domain/contact.ts';
import { isOutreachError } from '../../domain/errors.ts';
import { classifyInbound, inboundKey, matchInbound, type InboundHeaders, type Known } from '../../domain/inbound-mail.ts';
import type { InboundFact } from '../../domain/inbound-record.ts';
import type { EventStore } from '../../eventstore/port.ts';
import { contactAggregate, workspaceAggregate } from '../aggregates.ts';
import type { Clock } from '../clock.ts';
import { execute, load, type AppContext } from '../handle.ts';
import { derivedId } from '../ids.ts';
import type { KnownIndex } from './known-index.ts';
import type { MailboxCheckpoint, MailboxState, MailParser, MailSource } from './ports.ts';

/** What reading and recording need, whatever the provider. */
export type ReadDeps = {
  store: EventStore;
  clock: Clock;
  workspaceId: string;
  parser: MailParser;
  state: MailboxState;
  index: KnownIndex;
};

export type SyncDeps = ReadDeps & {
  source: MailSource;
  /** UIDs read per round trip; the checkpoint moves after each chunk. */
  chunk?: number;
};

export type SyncResult = {
  /** The INBOX was read from its start (bounded by date): first read, or a changed UIDVALIDITY. */
  rescan: boolean;
  /** Messages whose headers were read. */
  seen: number;
  /** Of those, the ones that concern us (their bodies were fetched). */
  matched: number;
  /** Messages that recorded an event (a message already recorded records nothing again). */
  recorded: number;
  kinds: Record<string, number>;
};

/**
 * The key an inbound message is recorded under: its Message-ID, else a digest of the headers that do
 * not change when a server renumbers its mailbox. The event id derives from it, so reading the
 * same message again (after a crash, a restart, a UIDVALIDITY change) appends nothing.
 */
export function inboundEventKey(headers: InboundHeaders): string {
  const id = inboundKey({ headers });
  if (id) return `inbound:${id}`;
  const digest = createHash('sha256')
    .update(JSON.stringify([headers.from?.address, headers.date, headers.subject, headers.to.map((a) => a.address)]))
    .digest('base64url');
  return `inbound:#${digest}`;
}

const earlier = (a: string, b: string) => (Date.parse(a) < Date.parse(b) ? a : b);

/** One pass: every message after the checkpoint, read, classified and recorded, the checkpoint moved as chunks finish. */
export async function syncMailbox(deps: SyncDeps): Promise<SyncResult> {
  const { source, state, workspaceId } = deps;
  await deps.index.catchUp(deps.store);
  const box = await source.open();
  const saved = await state.checkpoint(workspaceId);
  const rescan = !saved || saved.uidValidity !== box.uidValidity;
  const from: MailboxCheckpoint = rescan ? { uidValidity: box.uidValidity, lastUid: 0 } : saved;
  const uids = from.lastUid + 1 >= box.uidNext && !rescan ? [] : await source.uidsAfter(from.lastUid, rescan ? deps.index.scanSince() : null);
  const result: SyncResult = { rescan, seen: 0, matched: 0, recorded: 0, kinds: {} };
  const size = deps.chunk ?? 100;
  const zone = await zoneOf(deps);
  const parts: number[][] = [];
  for (let i = 0; i < uids.length; i += size) parts.push(uids.slice(i, i + size));
  await pipeline(
    parts.length,
    async (i) =>
      fetchChunk(
        deps,
        (await source.headers(parts[i]!)).map((f) => ({ ...f, key: f.uid })),
        (keys) => source.bodies(keys),
      ),
    (chunk) => recordChunk(deps, chunk, zone, result),
    (i) => state.saveCheckpoint(workspaceId, { uidValidity: box.uidValidity, lastUid: parts[i]!.at(-1)! }),
  );
  // Nothing new: the numbering is still worth remembering (a first read of an empty INBOX).
  if (uids.length === 0 && rescan) await state.saveCheckpoint(workspaceId, { uidValidity: box.uidValidity, lastUid: Math.max(0, box.uidNext - 1) });
  return result;
}

/** The seeker's zone: a return date ("back on Monday") is read in it. */
export const zoneOf = async (deps: ReadDeps) => (await load(ctxOf(deps), workspaceAggregate, deps.workspaceId)).state.config?.timezone ?? 'UTC';

export const ctxOf = (deps: Pick<ReadDeps, 'store' | 'clock' | 'workspaceId'>): AppContext => ({
  store: deps.store,
  clock: deps.clock,
  workspaceId: deps.workspaceId,
  actor: 'worker:mailbox',
});

type Fetched<K> = { key: K; header: Buffer; internalDate?: string | undefined };
/** A chunk read from the server: how many headers were seen, and the messages that concern us with their bodies. */
type Chunk<K> = { seen: number; wanted: { f: Fetched<K>; headers: InboundHeaders; raw: Buffer }[] };

/** Headers of a chunk, matched; the whole of those that concern us fetched (nothing else is). */
export async function fetchChunk<K extends number | string>(
  deps: ReadDeps,
  fetched: Fetched<K>[],
  bodiesOf: (keys: K[]) => Promise<Map<K, Buffer>>,
): Promise<Chunk<K>> {
  const known = deps.index.known();
  const wanted: { f: Fetched<K>; headers: InboundHeaders }[] = [];
  for (const f of fetched) {
    const headers = await deps.parser.headers(f.header);
    if (matchInbound(headers, known).look) wanted.push({ f, headers });
  }
  const bodies = wanted.length > 0 ? await bodiesOf(wanted.map((w) => w.f.key)) : new Map<K, Buffer>();
  return { seen: fetched.length, wanted: wanted.flatMap((w) => (bodies.has(w.f.key) ? [{ ...w, raw: bodies.get(w.f.key)! }] : [])) };
}

/**
 * The messages of a chunk classified, then recorded: one contact's in the order they came, different
 * contacts' at once, so that their appends share a commit (group commit) instead of one each.
 */
export async function recordChunk<K>(deps: ReadDeps, chunk: Chunk<K>, zone: string, result: SyncResult): Promise<void> {
  const known = deps.index.known();
  result.seen += chunk.seen;
  const byContact = new Map<string, Classified[]>();
  for (const { f, headers, raw } of chunk.wanted) {
    result.matched++;
    const one = await classifyOne(deps, known, raw, f, headers, zone);
    if (!one) continue;
    const queue = byContact.get(one.fact.contactId);
    if (queue) queue.push(one);
    else byContact.set(one.fact.contactId, [one]);
  }
  const outcomes = await Promise.allSettled(
    [...byContact.values()].map(async (queue) => {
      for (const one of queue) {
        const recorded = await recordOne(deps, one);
        if (recorded) {
          result.recorded++;
          result.kinds[recorded] = (result.kinds[recorded] ?? 0) + 1;
        }
      }
    }),
  );
  // Every contact's messages settle before a failure surfaces: the pass stops with nothing still writing.
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Chunks read and recorded as a pipeline: the next chunk is fetched from the server while this one
 * is classified and recorded. `done(i)` runs after chunk i is recorded (the checkpoint moves there).
 */
export async function pipeline<K>(
  count: number,
  fetch: (i: number) => Promise<Chunk<K>>,
  record: (chunk: Chunk<K>) => Promise<void>,
  done: (i: number) => Promise<void>,
): Promise<void> {
  let next = count > 0 ? fetch(0) : null;
  for (let i = 0; i < count; i++) {
    const current = await next!;
    next = i + 1 < count ? fetch(i + 1) : null;
    // A failure of the prefetch surfaces when it is awaited, not as an unhandled rejection meanwhile.
    next?.catch(() => {});
    await record(current);
    await done(i);
  }
}

type Classified = { fact: InboundFact & { contactId: string }; receivedAt: string; key: string };

/** One message that concerns us, read and classified; null when it is nothing to record. */
async function classifyOne(
  deps: ReadDeps,
  known: Known,
  raw: Buffer,
  f: { internalDate?: string | undefined },
  headers: InboundHeaders,
  zone: string,
): Promise<Classified | null> {
  const message = await deps.parser.message(raw);
  const now = deps.clock();
  // When it arrived, as the server saw it (not a Date header the sender's clock wrote), never in the future.
  const receivedAt = earlier(f.internalDate ?? message.headers.date ?? now, now);
  const classified = classifyInbound(message, matchInbound(message.headers, known), known, { now: receivedAt, zone });
  if (classified.kind === 'ignore' || !('contactId' in classified) || !classified.contactId) return null;
  return { fact: classified as InboundFact & { contactId: string }, receivedAt, key: inboundEventKey(headers) };
}

/** A classified message recorded on its contact. Returns the event type recorded, if any. */
async function recordOne(deps: ReadDeps, { fact, receivedAt, key }: Classified): Promise<string | null> {
  let done: Awaited<ReturnType<typeof execute>>;
  try {
    done = await execute(
      ctxOf(deps),
      contactAggregate,
      fact.contactId,
      ({ state }) => decideContact({ type: 'RecordInbound', inbound: fact, now: receivedAt }, state),
      { eventIds: (i) => derivedId(`${key}:${i}`) },
    );
  } catch (e) {
    // A message the rules refuse (a contact gone meanwhile) is passed over: it must not hold up the mail after it.
    if (isOutreachError(e, 'illegal_state') || isOutreachError(e, 'validation') || isOutreachError(e, 'not_found')) return null;
    throw e;
  }
  return done.position === null ? null : (done.events[0]?.type ?? null);
}
