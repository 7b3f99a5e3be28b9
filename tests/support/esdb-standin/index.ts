/**
 * A wire-level stand-in for EventStoreDB/KurrentDB: a gRPC server on 127.0.0.1 built on the service
 * definitions in @eventstore/db-client's generated code, so the real client talks to it unchanged.
 *
 * It implements what the client uses for the event store port: Streams.Append (and, when asked for,
 * Streams.BatchAppend announced through ServerFeatures, the route real servers offer), Streams.Read of
 * streams and $all in both directions with stream-not-found, and catch-up subscriptions to $all with
 * filters, checkpoints, caught-up and live fan-out. For resilience tests it drops every open
 * subscription on command, and refuses reads or appends (unavailable, not leader) on command.
 * The rules for revisions, idempotency, positions and system streams live in ./log.ts.
 *
 *   const standIn = await startEsdbStandIn();          // 127.0.0.1, a free port
 *   const store = openEsdbEventStore(standIn.connectionString);
 *   ...
 *   await store.close(); await standIn.stop();          // in this order (client first)
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  status as Code,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { Log, before, type Expected, type Position, type Proposed, type Rec } from './log.ts';
import * as pb from './pb.ts';

export type EsdbStandIn = {
  connectionString: string;
  port: number;
  log: Log;
  /** How many calls of each kind the stand-in has received (`read` counts every Streams.Read, subscriptions too). */
  calls: { read: number; subscribe: number; append: number; batchAppend: number };
  /** Start positions of every $all subscription request, in order ('start' or a commit position). */
  subscriptionStarts: Array<'start' | 'end' | bigint>;
  /** Ends every open subscription call with UNAVAILABLE (as a node restart would); returns how many. */
  dropSubscriptions(): number;
  /** Fails the next `count` Read calls with UNAVAILABLE before they send anything. */
  failNextReads(count: number): void;
  /**
   * Refuses the next `count` appends (classic or batch) without writing: `not-leader` answers as a
   * follower does, naming this server as the leader; `unavailable` as a node going down.
   */
  failNextAppends(count: number, how: 'not-leader' | 'unavailable'): void;
  /** Number of subscriptions currently open. */
  openSubscriptions(): number;
  stop(): Promise<void>;
};

export type EsdbStandInOptions = {
  /** Announce Streams.BatchAppend through ServerFeatures (as EventStoreDB 21.10+ does); default classic Append only. */
  batchAppend?: boolean;
};

const utf8 = (b: Uint8Array | string) => (typeof b === 'string' ? b : Buffer.from(b).toString('utf8'));
const bytes = (b: Uint8Array | string) => (typeof b === 'string' ? Buffer.from(b, 'base64') : b);
const ident = (stream: string) => new pb.StreamIdentifier().setStreamName(Buffer.from(stream, 'utf8'));
const uuidOf = (u: InstanceType<typeof pb.UUID> | undefined) => (u?.hasString() ? u.getString() : crypto.randomUUID());

type Message = {
  getId(): InstanceType<typeof pb.UUID> | undefined;
  getMetadataMap(): { get(k: string): string | undefined };
  getData(): Uint8Array | string;
  getCustomMetadata(): Uint8Array | string;
};
const proposed = (m: Message): Proposed => ({
  id: uuidOf(m.getId()),
  type: m.getMetadataMap().get('type') ?? '',
  contentType: m.getMetadataMap().get('content-type') ?? 'application/octet-stream',
  data: bytes(m.getData()),
  meta: bytes(m.getCustomMetadata()),
});

function readEvent(rec: Rec) {
  const e = new pb.ReadResp.ReadEvent.RecordedEvent()
    .setId(new pb.UUID().setString(rec.id))
    .setStreamIdentifier(ident(rec.stream))
    .setStreamRevision(rec.revision.toString())
    .setCommitPosition(rec.position.commit.toString())
    .setPreparePosition(rec.position.prepare.toString())
    .setData(rec.data)
    .setCustomMetadata(rec.meta);
  e.getMetadataMap().set('type', rec.type).set('content-type', rec.contentType).set('created', rec.created.toString());
  return new pb.ReadResp().setEvent(new pb.ReadResp.ReadEvent().setEvent(e).setCommitPosition(rec.position.commit.toString()));
}

type Filter = (rec: Rec) => boolean;
function filterOf(options: InstanceType<typeof pb.ReadReq.Options>): { match: Filter; window: number } | null {
  if (!options.hasFilter()) return null;
  const f = options.getFilter()!;
  const expr = f.hasEventType() ? f.getEventType()! : f.getStreamIdentifier()!;
  const field = (r: Rec) => (f.hasEventType() ? r.type : r.stream);
  const regex = expr.getRegex() ? new RegExp(expr.getRegex()) : null;
  const prefixes = expr.getPrefixList();
  const match = (r: Rec) => (regex ? regex.test(field(r)) : prefixes.some((p) => field(r).startsWith(p)));
  const window = (f.hasMax() ? f.getMax() : 32) * Math.max(1, f.getCheckpointintervalmultiplier());
  return { match, window };
}

type Sub = { call: ServerWritableStream<pb.ReadReqT, pb.ReadRespT>; cursor: number; closed: boolean; wake?: () => void };

export async function startEsdbStandIn(opts: EsdbStandInOptions = {}): Promise<EsdbStandIn> {
  const log = new Log();
  const subs = new Set<Sub>();
  const subscriptionStarts: EsdbStandIn['subscriptionStarts'] = [];
  let failReads = 0;
  let failAppends = { count: 0, how: 'unavailable' as 'not-leader' | 'unavailable' };
  let port = 0;
  /** The error a refused append gets, or null when it goes through. */
  const appendRefusal = () => {
    if (failAppends.count <= 0) return null;
    failAppends.count -= 1;
    if (failAppends.how === 'unavailable') return { code: Code.UNAVAILABLE, details: 'stand-in: append refused on command' };
    const metadata = new Metadata();
    metadata.set('exception', 'not-leader');
    metadata.set('leader-endpoint-host', '127.0.0.1');
    metadata.set('leader-endpoint-port', String(port));
    return { code: Code.NOT_FOUND, details: 'Leader info available', metadata };
  };
  const calls = { read: 0, subscribe: 0, append: 0, batchAppend: 0 };

  const closeSub = (sub: Sub) => {
    sub.closed = true;
    subs.delete(sub);
    sub.wake?.();
  };
  /** Writes with backpressure; false once the call is gone. */
  const send = async (sub: Sub, msg: pb.ReadRespT) => {
    if (sub.closed) return false;
    if (!sub.call.write(msg))
      await new Promise<void>((resolve) => {
        sub.wake = resolve;
        sub.call.once('drain', resolve);
      });
    return !sub.closed;
  };

  async function subscribe(call: ServerWritableStream<pb.ReadReqT, pb.ReadRespT>, options: InstanceType<typeof pb.ReadReq.Options>) {
    const all = options.getAll()!;
    const filter = filterOf(options);
    // A subscription starts after the given position (exclusive), unlike a read.
    let cursor = 0;
    if (all.hasEnd()) cursor = log.all.length;
    else if (all.hasPosition()) {
      const p = { commit: BigInt(all.getPosition()!.getCommitPosition()), prepare: BigInt(all.getPosition()!.getPreparePosition()) };
      cursor = log.indexAtOrAfter(p);
      if (log.all[cursor] && !before(p, log.all[cursor]!.position)) cursor += 1;
    }
    calls.subscribe += 1;
    subscriptionStarts.push(all.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : all.hasEnd() ? 'end' : 'start');
    const sub: Sub = { call, cursor, closed: false };
    subs.add(sub);
    call.on('cancelled', () => closeSub(sub));
    call.on('close', () => closeSub(sub));
    const stopListening = log.onAppend(() => sub.wake?.());
    try {
      if (!(await send(sub, new pb.ReadResp().setConfirmation(new pb.ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID()))))) return;
      let caughtUp = false;
      let scanned = 0;
      const checkpoint = (p: Position) =>
        new pb.ReadResp().setCheckpoint(new pb.ReadResp.Checkpoint().setCommitPosition(p.commit.toString()).setPreparePosition(p.prepare.toString()));
      while (!sub.closed) {
        const rec = log.all[sub.cursor];
        if (!rec) {
          if (!caughtUp) {
            caughtUp = true;
            const last = log.all.at(-1);
            if (filter && last && !(await send(sub, checkpoint(last.position)))) return;
            if (!(await send(sub, new pb.ReadResp().setCaughtUp(new pb.ReadResp.CaughtUp())))) return;
          }
          // Live: sleep until the next append (or the end of the call).
          await new Promise<void>((resolve) => {
            sub.wake = resolve;
            if (log.all[sub.cursor] || sub.closed) resolve();
          });
          continue;
        }
        sub.cursor += 1;
        if (!filter || filter.match(rec)) {
          if (!(await send(sub, readEvent(rec)))) return;
        }
        if (filter && ++scanned % filter.window === 0 && !(await send(sub, checkpoint(rec.position)))) return;
        // Let other calls (appends, drops) in between events, as a server would.
        if (sub.cursor % 64 === 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      stopListening();
      closeSub(sub);
    }
  }

  function read(call: ServerWritableStream<pb.ReadReqT, pb.ReadRespT>) {
    calls.read += 1;
    if (failReads > 0) {
      failReads -= 1;
      call.emit('error', { code: Code.UNAVAILABLE, details: 'stand-in: read refused on command' });
      return;
    }
    const options = call.request.getOptions()!;
    if (options.hasSubscription()) {
      if (!options.hasAll()) {
        call.emit('error', { code: Code.UNIMPLEMENTED, details: 'stand-in: only $all subscriptions' });
        return;
      }
      void subscribe(call, options).catch(() => undefined);
      return;
    }
    const backwards = options.getReadDirection() === pb.ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? BigInt(options.getCount()) : 9007199254740991n;
    let recs: Rec[];
    if (options.hasStream()) {
      const s = options.getStream()!;
      const name = utf8(s.getStreamIdentifier()!.getStreamName());
      const from = s.hasRevision() ? BigInt(s.getRevision()) : s.hasEnd() ? 'end' : 'start';
      const found = log.readStream(name, from, backwards, count);
      if (!found) {
        call.write(new pb.ReadResp().setStreamNotFound(new pb.ReadResp.StreamNotFound().setStreamIdentifier(ident(name))));
        call.end();
        return;
      }
      recs = found;
    } else {
      const a = options.getAll()!;
      const from = a.hasPosition()
        ? { commit: BigInt(a.getPosition()!.getCommitPosition()), prepare: BigInt(a.getPosition()!.getPreparePosition()) }
        : a.hasEnd()
          ? ('end' as const)
          : ('start' as const);
      const filter = filterOf(options);
      recs = log
        .readAll(from, backwards, filter ? 9007199254740991n : count)
        .filter((r) => !filter || filter.match(r))
        .slice(0, Number(count));
    }
    for (const r of recs) call.write(readEvent(r));
    call.end();
  }

  const expectedOf = (o: {
    hasRevision?(): boolean;
    getRevision?(): string;
    hasStreamPosition?(): boolean;
    getStreamPosition?(): string;
    hasNoStream(): boolean;
    hasStreamExists(): boolean;
  }): Expected =>
    o.hasRevision?.()
      ? BigInt(o.getRevision!())
      : o.hasStreamPosition?.()
        ? BigInt(o.getStreamPosition!())
        : o.hasNoStream()
          ? 'no_stream'
          : o.hasStreamExists()
            ? 'stream_exists'
            : 'any';

  function append(call: ServerReadableStream<pb.AppendReqT, pb.AppendRespT>, callback: sendUnaryData<pb.AppendRespT>) {
    calls.append += 1;
    let options: InstanceType<typeof pb.AppendReq.Options> | undefined;
    const events: Proposed[] = [];
    call.on('data', (req: pb.AppendReqT) => {
      if (req.hasOptions()) options = req.getOptions();
      else if (req.hasProposedMessage()) events.push(proposed(req.getProposedMessage()!));
    });
    call.on('end', () => {
      if (!options) return callback({ code: Code.INVALID_ARGUMENT, details: 'no options' });
      const refused = appendRefusal();
      if (refused) return callback(refused);
      const expected = expectedOf(options);
      const out = log.append(utf8(options.getStreamIdentifier()!.getStreamName()), expected, events);
      const resp = new pb.AppendResp();
      if (out.ok) {
        const s = new pb.AppendResp.Success();
        if (out.revision < 0n) s.setNoStream(new pb.Empty());
        else s.setCurrentRevision(out.revision.toString());
        if (out.position)
          s.setPosition(new pb.AppendResp.Position().setCommitPosition(out.position.commit.toString()).setPreparePosition(out.position.prepare.toString()));
        else s.setNoPosition(new pb.Empty());
        return callback(null, resp.setSuccess(s));
      }
      const w = new pb.AppendResp.WrongExpectedVersion();
      if (out.current === null) w.setCurrentNoStream(new pb.Empty());
      else w.setCurrentRevision(out.current.toString());
      if (typeof expected === 'bigint') w.setExpectedRevision(expected.toString());
      else if (expected === 'no_stream') w.setExpectedNoStream(new pb.Empty());
      else if (expected === 'stream_exists') w.setExpectedStreamExists(new pb.Empty());
      else w.setExpectedAny(new pb.Empty());
      callback(null, resp.setWrongExpectedVersion(w));
    });
  }

  function batchAppend(call: ServerDuplexStream<pb.BatchAppendReqT, pb.BatchAppendRespT>) {
    const pending = new Map<string, { options?: InstanceType<typeof pb.BatchAppendReq.Options>; events: Proposed[] }>();
    call.on('data', (req: pb.BatchAppendReqT) => {
      const correlation = req.getCorrelationId()!;
      const key = uuidOf(correlation);
      const entry = pending.get(key) ?? { events: [] };
      pending.set(key, entry);
      if (req.hasOptions()) entry.options = req.getOptions();
      entry.events.push(...req.getProposedMessagesList().map(proposed));
      if (!req.getIsFinal()) return;
      calls.batchAppend += 1;
      pending.delete(key);
      const refused = appendRefusal();
      if (refused) {
        // As a follower or a stopping node does: the whole BatchAppend call ends with the error.
        call.emit('error', refused);
        return;
      }
      const o = entry.options!;
      const stream = utf8(o.getStreamIdentifier()!.getStreamName());
      const expected = expectedOf(o);
      const out = log.append(stream, expected, entry.events);
      const resp = new pb.BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(ident(stream));
      if (typeof expected === 'bigint') resp.setStreamPosition(expected.toString());
      else if (expected === 'no_stream') resp.setNoStream(new pb.GEmpty());
      else if (expected === 'stream_exists') resp.setStreamExists(new pb.GEmpty());
      else resp.setAny(new pb.GEmpty());
      if (out.ok) {
        const s = new pb.BatchAppendResp.Success();
        if (out.revision < 0n) s.setNoStream(new pb.GEmpty());
        else s.setCurrentRevision(out.revision.toString());
        if (out.position)
          s.setPosition(new pb.AllStreamPosition().setCommitPosition(out.position.commit.toString()).setPreparePosition(out.position.prepare.toString()));
        else s.setNoPosition(new pb.GEmpty());
        call.write(resp.setSuccess(s));
        return;
      }
      const w = new pb.WrongExpectedVersion();
      if (out.current === null) w.setCurrentNoStream(new pb.GEmpty());
      else w.setCurrentStreamRevision(out.current.toString());
      if (typeof expected === 'bigint') w.setExpectedStreamPosition(expected.toString());
      else if (expected === 'no_stream') w.setExpectedNoStream(new pb.GEmpty());
      else if (expected === 'stream_exists') w.setExpectedStreamExists(new pb.GEmpty());
      else w.setExpectedAny(new pb.GEmpty());
      const details = new pb.Any();
      details.pack(w.serializeBinary(), 'event_store.client.WrongExpectedVersion');
      call.write(resp.setError(new pb.Status().setCode(9).setMessage('wrong expected version').setDetails(details)));
    });
    call.on('end', () => call.end());
  }

  const server = new Server();
  server.addService(pb.StreamsService, { read, append, batchAppend });
  if (opts.batchAppend) {
    server.addService(pb.ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: sendUnaryData<InstanceType<typeof pb.SupportedMethods>>) => {
        const methods = ['read', 'append', 'batchappend'].map((m) =>
          new pb.SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName(m),
        );
        callback(null, new pb.SupportedMethods().setMethodsList(methods).setEventStoreServerVersion('24.10.0-standin'));
      },
    });
  }
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    log,
    calls,
    subscriptionStarts,
    dropSubscriptions() {
      const open = [...subs];
      for (const sub of open) {
        closeSub(sub);
        sub.call.emit('error', { code: Code.UNAVAILABLE, details: 'stand-in: subscription dropped on command' });
      }
      return open.length;
    },
    failNextReads(count) {
      failReads = count;
    },
    failNextAppends(count, how) {
      failAppends = { count, how };
    },
    openSubscriptions: () => subs.size,
    async stop() {
      for (const sub of [...subs]) closeSub(sub);
      server.forceShutdown();
    },
  };
}
