import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { describeEndpoint, openEsdbEventStore } from '../../src/eventstore/esdb/store.ts';
import { EventStoreUnavailableError, WrongExpectedRevisionError, type EventStore, type NewEvent } from '../../src/eventstore/port.ts';
import { startEsdbStandIn, type EsdbStandIn } from '../support/esdb-standin/index.ts';

const ev = (n = 0): NewEvent => ({
  id: randomUUID(),
  type: 'Thing',
  data: { n },
  metadata: { workspaceId: 'w', correlationId: 'c', causationId: 'c', actor: 'test', schemaVersion: 1 },
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('esdb adapter: an unreachable server', () => {
  it('fails a read after bounded retries, and an append at once, with one error naming the endpoint', async () => {
    const port = await freePort();
    const store = openEsdbEventStore(`esdb://admin:changeit@127.0.0.1:${port}?tls=false`, { readAttempts: 3, retryDelayMs: 5 });
    try {
      const read = await store.readStream('anything').then(
        () => null,
        (e: unknown) => e,
      );
      expect(read).toBeInstanceOf(EventStoreUnavailableError);
      expect((read as Error).message).toContain(`esdb://127.0.0.1:${port}`);
      expect((read as Error).message).toContain('3 attempts');
      expect((read as Error).message).not.toContain('changeit');
      const append = await store.append('anything', [ev()]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(append).toBeInstanceOf(EventStoreUnavailableError);
      expect((append as Error).message).toContain('1 attempt');
    } finally {
      await store.close();
    }
  });

  it('names every seed node of a cluster connection string when discovery fails', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const store = openEsdbEventStore(`esdb://127.0.0.1:${a},127.0.0.1:${b}?tls=false&maxDiscoverAttempts=2&discoveryInterval=10&gossipTimeout=1`, {
      readAttempts: 1,
    });
    try {
      const e = await store.headPosition().then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(EventStoreUnavailableError);
      expect((e as Error).message).toContain(`esdb://127.0.0.1:${a},127.0.0.1:${b}`);
    } finally {
      await store.close();
    }
  });

  it('describes endpoints without credentials', () => {
    expect(describeEndpoint('esdb://admin:changeit@node1:2113,node2:2113,node3:2113?tls=false')).toBe('esdb://node1:2113,node2:2113,node3:2113');
    expect(describeEndpoint('esdb+discover://cluster.example:2113')).toBe('esdb+discover://cluster.example:2113');
  });
});

describe('esdb adapter on the stand-in', () => {
  let standIn: EsdbStandIn;
  let store: EventStore;
  beforeAll(async () => {
    standIn = await startEsdbStandIn({ batchAppend: true });
    store = openEsdbEventStore(standIn.connectionString, { retryDelayMs: 5 });
  });
  afterAll(async () => {
    await store?.close();
    await standIn?.stop();
  });

  it('sees nothing but system events on a fresh server', async () => {
    expect(standIn.log.all.length).toBeGreaterThan(0);
    expect(await store.headPosition()).toBeNull();
    expect(await store.readAll()).toEqual([]);
    let caughtUp = false;
    const sub = store.subscribeAll({
      onEvent: () => {
        throw new Error('no event expected');
      },
      onCaughtUp: () => {
        caughtUp = true;
      },
    });
    await expect.poll(() => caughtUp).toBe(true);
    await sub.stop();
  });

  it('appends through BatchAppend when the server announces it, with the event ids given', async () => {
    const before = { ...standIn.calls };
    const s = `thing-${randomUUID()}`;
    const events = [ev(1), ev(2)];
    const r = await store.append(s, events, { expected: 'no_stream' });
    expect(standIn.calls.batchAppend).toBe(before.batchAppend + 1);
    expect(standIn.calls.append).toBe(before.append);
    const stored = standIn.log.all.filter((x) => x.stream === s);
    expect(stored.map((x) => x.id)).toEqual(events.map((e) => e.id));
    // Positions are the server's commit positions: growing, not contiguous.
    expect(r.position).toBe(stored[1]!.position.commit);
    expect(stored[1]!.position.commit - stored[0]!.position.commit).toBeGreaterThan(1n);
    expect((await store.readStream(s)).map((e) => e.position)).toEqual(stored.map((x) => x.position.commit));
  });

  it('retries a read refused by the server, up to a bound', async () => {
    const s = `thing-${randomUUID()}`;
    await store.append(s, [ev()]);
    const reads = standIn.calls.read;
    standIn.failNextReads(2);
    expect(await store.readStream(s)).toHaveLength(1);
    expect(standIn.calls.read).toBe(reads + 3);
    standIn.failNextReads(10);
    await expect(store.readStream(s)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(standIn.calls.read).toBe(reads + 3 + 4);
    standIn.failNextReads(0);
  });

  it("keeps checkpoints in a $-stream per consumer with maxCount 1, out of every consumer's view", async () => {
    const c = `projector-${randomUUID()}`;
    const start = await store.headPosition();
    await store.saveCheckpoint(c, 1n);
    await store.saveCheckpoint(c, 2n);
    await store.saveCheckpoint(c, 3n, { expected: 2n });
    const stream = `$outreach-checkpoint-${c}`;
    expect(standIn.log.all.filter((x) => x.stream === stream)).toHaveLength(3);
    const meta = standIn.log.all.filter((x) => x.stream === `$$${stream}`);
    expect(meta).toHaveLength(1);
    expect(JSON.parse(Buffer.from(meta[0]!.data).toString('utf8'))).toMatchObject({ $maxCount: 1 });
    expect(await store.readStream(stream)).toHaveLength(1);
    expect(await store.getCheckpoint(c)).toBe(3n);
    // Not in readAll, not in subscribeAll, not the head.
    const s = `thing-${randomUUID()}`;
    const r = await store.append(s, [ev()]);
    await store.saveCheckpoint(c, r.position!, { expected: 3n });
    expect(await store.headPosition()).toBe(r.position);
    const all = await store.readAll({ after: start });
    expect(all.map((e) => e.stream)).toEqual([s]);
    const seen: string[] = [];
    let caughtUp = false;
    const sub = store.subscribeAll({
      after: start,
      onEvent: (e) => {
        seen.push(e.stream);
      },
      onCaughtUp: () => {
        caughtUp = true;
      },
    });
    await expect.poll(() => caughtUp).toBe(true);
    await store.saveCheckpoint(c, 99n);
    await store.append(s, [ev()]);
    await expect.poll(() => seen.length).toBe(2);
    await sub.stop();
    expect(seen).toEqual([s, s]);
  });

  it('lets only one of two instances of a consumer advance its checkpoint', async () => {
    const other = openEsdbEventStore(standIn.connectionString);
    try {
      const c = `reactor-${randomUUID()}`;
      await store.saveCheckpoint(c, 10n, { expected: null });
      const results = await Promise.allSettled([
        store.saveCheckpoint(c, 20n, { expected: 10n }),
        other.saveCheckpoint(c, 21n, { expected: 10n }),
        store.saveCheckpoint(c, 22n, { expected: 10n }),
        other.saveCheckpoint(c, 23n, { expected: 10n }),
      ]);
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      for (const x of results) if (x.status === 'rejected') expect(x.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect([20n, 21n, 22n, 23n]).toContain(await other.getCheckpoint(c));
    } finally {
      await other.close();
    }
  });

  it('close() ends a live subscription cleanly', async () => {
    const own = openEsdbEventStore(standIn.connectionString);
    let caughtUp = false;
    const sub = own.subscribeAll({
      after: await own.headPosition(),
      onEvent: () => undefined,
      onCaughtUp: () => {
        caughtUp = true;
      },
    });
    await expect.poll(() => caughtUp).toBe(true);
    expect(standIn.openSubscriptions()).toBeGreaterThan(0);
    await own.close();
    await expect(sub.done).resolves.toBeUndefined();
    await expect.poll(() => standIn.openSubscriptions()).toBe(0);
    await expect(own.readStream('x')).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });
});

describe.each([false, true])('esdb adapter: appends refused by the server (BatchAppend: %s)', (batchAppend) => {
  let standIn: EsdbStandIn;
  let store: EventStore;
  beforeAll(async () => {
    standIn = await startEsdbStandIn({ batchAppend });
    store = openEsdbEventStore(standIn.connectionString, { retryDelayMs: 5 });
  });
  afterAll(async () => {
    await store?.close();
    await standIn?.stop();
  });
  const appendCalls = () => standIn.calls.append + standIn.calls.batchAppend;

  it('retries an append a follower refused as not leader, and writes it once', async () => {
    const s = `thing-${randomUUID()}`;
    await store.append(s, [ev(0)]);
    const calls = appendCalls();
    standIn.failNextAppends(2, 'not-leader');
    const r = await store.append(s, [ev(1)], { expected: 0 });
    expect(r.nextRevision).toBe(1);
    expect(appendCalls()).toBe(calls + 3);
    expect(await store.readStream(s)).toHaveLength(2);
  });

  it('does not retry an append on an unavailable server, and reports it naming the endpoint', async () => {
    const s = `thing-${randomUUID()}`;
    const calls = appendCalls();
    standIn.failNextAppends(1, 'unavailable');
    const e = await store.append(s, [ev()]).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(EventStoreUnavailableError);
    expect((e as Error).message).toContain(`esdb://127.0.0.1:${standIn.port}`);
    expect(appendCalls()).toBe(calls + 1);
    // The next append goes through on a new channel.
    expect((await store.append(s, [ev()], { expected: 'no_stream' })).nextRevision).toBe(0);
  });
});
