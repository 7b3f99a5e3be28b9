/**
 * The in-memory log behind the EventStoreDB stand-in: EventStoreDB's rules for expected revisions,
 * idempotency by event id, positions and stream reads, with no gRPC in sight.
 */

export type Position = { commit: bigint; prepare: bigint };

export type Rec = {
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  contentType: string;
  data: Uint8Array;
  meta: Uint8Array;
  /** Like a single-event (implicit) transaction in EventStoreDB: commit and prepare positions are equal. */
  position: Position;
  /** 100-ns ticks since the Unix epoch, as EventStoreDB sends `created`. */
  created: bigint;
};

export type Proposed = Pick<Rec, 'id' | 'type' | 'contentType' | 'data' | 'meta'>;

export type Expected = 'any' | 'no_stream' | 'stream_exists' | bigint;

export type AppendOutcome =
  | { ok: true; revision: bigint; position: Position | null }
  /** `current` is null when the stream does not exist. */
  | { ok: false; current: bigint | null };

export type ReadFrom = 'start' | 'end';

export class Log {
  readonly all: Rec[] = [];
  private readonly streams = new Map<string, Rec[]>();
  private next = 0n;
  private readonly listeners = new Set<() => void>();

  constructor() {
    // A fresh EventStoreDB node writes a few events of its own into $all before any client does.
    const sys = (stream: string, type: string) =>
      this.write(stream, [{ id: crypto.randomUUID(), type, contentType: 'application/json', data: Buffer.from('{}'), meta: new Uint8Array() }]);
    sys('$settings', '$settings');
    sys('$users', '$User');
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lastRevision(stream: string): bigint | null {
    const events = this.streams.get(stream);
    return events?.length ? events.at(-1)!.revision : null;
  }

  append(stream: string, expected: Expected, events: Proposed[]): AppendOutcome {
    const current = this.lastRevision(stream);
    const stored = this.streams.get(stream) ?? [];
    const cur = current ?? -1n;
    // Idempotency by event id (EventStoreDB checks it against the expected revision):
    // a batch whose ids are already stored, in order, from where it would go is acknowledged without writing.
    const matchesFrom = (first: bigint) => first >= 0n && events.every((e, i) => stored[Number(first) + i]?.id === e.id);
    if (events.length > 0) {
      if (expected === 'any' || expected === 'stream_exists') {
        const at = stored.findIndex((r) => r.id === events[0]!.id);
        if (at >= 0) {
          if (matchesFrom(BigInt(at))) return { ok: true, revision: BigInt(at + events.length - 1), position: null };
          return { ok: false, current };
        }
      } else {
        const exp = expected === 'no_stream' ? -1n : expected;
        if (exp < cur) {
          if (matchesFrom(exp + 1n)) return { ok: true, revision: exp + BigInt(events.length), position: null };
          return { ok: false, current };
        }
      }
    }
    const ok = expected === 'any' || (expected === 'no_stream' && current === null) || (expected === 'stream_exists' && current !== null) || expected === cur;
    if (!ok) return { ok: false, current };
    if (events.length === 0) return { ok: true, revision: cur, position: null };
    const written = this.write(stream, events);
    return { ok: true, revision: written.at(-1)!.revision, position: written.at(-1)!.position };
  }

  private write(stream: string, events: Proposed[]): Rec[] {
    const list = this.streams.get(stream) ?? [];
    this.streams.set(stream, list);
    const created = BigInt(Date.now()) * 10_000n;
    const written = events.map((e) => {
      // Positions are byte offsets in the transaction log: they grow, with gaps.
      const position = { commit: this.next, prepare: this.next };
      this.next += BigInt(96 + Buffer.byteLength(stream) + e.data.length + e.meta.length);
      const rec: Rec = { ...e, stream, revision: BigInt(list.length), position, created };
      list.push(rec);
      this.all.push(rec);
      return rec;
    });
    for (const l of [...this.listeners]) l();
    return written;
  }

  /** Stream events visible to a read (honouring `$maxCount` from the stream's metadata), or null when not found. */
  readStream(stream: string, from: ReadFrom | bigint, backwards: boolean, count: bigint): Rec[] | null {
    const events = this.streams.get(stream);
    if (!events?.length) return null;
    const maxCount = this.maxCount(stream);
    const visible = maxCount === undefined ? events : events.slice(Math.max(0, events.length - maxCount));
    let out: Rec[];
    if (backwards) {
      const top = from === 'end' || from === 'start' ? events.length - 1 : Number(from);
      out = visible.filter((r) => r.revision <= BigInt(top)).reverse();
      if (from === 'start') out = out.slice(-1);
    } else {
      const bottom = from === 'start' ? 0n : from === 'end' ? BigInt(events.length) : from;
      out = visible.filter((r) => r.revision >= bottom);
    }
    return out.slice(0, Number(count > 1_000_000n ? 1_000_000n : count));
  }

  private maxCount(stream: string): number | undefined {
    if (stream.startsWith('$$')) return undefined;
    const meta = this.streams.get(`$$${stream}`)?.at(-1);
    if (!meta) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(meta.data).toString('utf8')) as { $maxCount?: number };
      return typeof parsed.$maxCount === 'number' ? parsed.$maxCount : undefined;
    } catch {
      return undefined;
    }
  }

  /** $all reads: forwards from a position inclusive, backwards from a position exclusive. */
  readAll(from: ReadFrom | Position, backwards: boolean, count: bigint): Rec[] {
    const n = Number(count > 1_000_000n ? 1_000_000n : count);
    if (backwards) {
      const out: Rec[] = [];
      for (let i = this.all.length - 1; i >= 0 && out.length < n; i--) {
        const r = this.all[i]!;
        if (from === 'start') break;
        if (from === 'end' || before(r.position, from)) out.push(r);
      }
      return out;
    }
    if (from === 'end') return [];
    const start = from === 'start' ? 0 : this.indexAtOrAfter(from);
    return this.all.slice(start, start + n);
  }

  /** Index of the first record at or after a position. */
  indexAtOrAfter(p: Position): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.all[mid]!.position, p)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export const before = (a: Position, b: Position) => a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare);
