import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { WrongExpectedRevisionError, type EventStore, type NewEvent, type StoredEvent } from '../../src/eventstore/port.ts';

/**
 * The one contract every event store adapter passes. Written against the port only; streams are
 * unique per test so the suite can also run against a shared, non-empty server.
 */
export type StoreFactory = () => Promise<{ store: EventStore; cleanup?: () => Promise<void> }>;

const ev = (type = 'Thing', data: unknown = { n: 1 }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { workspaceId: 'contract', correlationId: 'c', causationId: 'c', actor: 'test', schemaVersion: 1 },
});

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const conflictOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WrongExpectedRevisionError);
  return e as WrongExpectedRevisionError;
};

export function eventStoreContract(name: string, factory: StoreFactory) {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: (() => Promise<void>) | undefined;
    const stream = (prefix = 'contract') => `${prefix}-${randomUUID()}`;

    beforeAll(async () => {
      ({ store, cleanup } = await factory());
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    describe('append with an expected revision', () => {
      it('no_stream succeeds on a new stream and gives revision 0', async () => {
        const s = stream();
        const r = await store.append(s, [ev()], { expected: 'no_stream' });
        expect(r.nextRevision).toBe(0);
        expect(r.position).not.toBeNull();
      });

      it('no_stream fails once the stream exists, naming the actual revision', async () => {
        const s = stream();
        await store.append(s, [ev(), ev()]);
        const e = await conflictOf(store.append(s, [ev()], { expected: 'no_stream' }));
        expect(e.actual).toBe(1);
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('exists fails on a missing stream and succeeds on an existing one', async () => {
        const s = stream();
        const e = await conflictOf(store.append(s, [ev()], { expected: 'exists' }));
        expect(e.actual).toBe(-1);
        await store.append(s, [ev()]);
        expect((await store.append(s, [ev()], { expected: 'exists' })).nextRevision).toBe(1);
      });

      it('a revision succeeds only when it is the last revision', async () => {
        const s = stream();
        await store.append(s, [ev(), ev(), ev()]);
        const e = await conflictOf(store.append(s, [ev()], { expected: 1 }));
        expect(e.actual).toBe(2);
        expect((await store.append(s, [ev()], { expected: 2 })).nextRevision).toBe(3);
      });

      it('any always appends', async () => {
        const s = stream();
        await store.append(s, [ev()], { expected: 'any' });
        expect((await store.append(s, [ev(), ev()], { expected: 'any' })).nextRevision).toBe(2);
      });

      it('of concurrent appends at one revision exactly one wins', async () => {
        const s = stream();
        await store.append(s, [ev()]);
        const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.append(s, [ev()], { expected: 0 })));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(s)).toHaveLength(2);
      });
    });

    describe('appends that arrive together', () => {
      it('each keeps its own result, and the one with a wrong expected revision fails alone', async () => {
        const streams = Array.from({ length: 20 }, () => stream());
        await store.append(streams[7]!, [ev()]);
        const results = await Promise.allSettled(streams.map((s) => store.append(s, [ev(), ev()], { expected: 'no_stream' })));
        results.forEach((r, i) => {
          if (i === 7) {
            expect(r.status).toBe('rejected');
            expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
            expect(((r as PromiseRejectedResult).reason as WrongExpectedRevisionError).actual).toBe(0);
          } else {
            expect(r).toMatchObject({ status: 'fulfilled', value: { nextRevision: 1 } });
          }
        });
        expect(await store.readStream(streams[7]!)).toHaveLength(1);
        expect(await store.readStream(streams[8]!)).toHaveLength(2);
      });

      it('a multi-stream append settles each stream on its own, in the order given', async () => {
        const [a, b, c] = [stream(), stream(), stream()];
        await store.append(b, [ev()]);
        const results = await store.appendMany([
          { stream: a, events: [ev('T', { n: 0 })], expected: 'no_stream' },
          { stream: b, events: [ev('T', { n: 1 })], expected: 'no_stream' },
          { stream: c, events: [ev('T', { n: 2 }), ev('T', { n: 3 })], expected: 'no_stream' },
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect((results[2] as PromiseFulfilledResult<{ nextRevision: number }>).value.nextRevision).toBe(1);
        expect((await store.readStream(c)).map((e) => (e.data as { n: number }).n)).toEqual([2, 3]);
        expect(await store.readStream(b)).toHaveLength(1);
      });

      it('two appends to one stream in the same multi-stream append: the second sees the first', async () => {
        const s = stream();
        const results = await store.appendMany([
          { stream: s, events: [ev()], expected: 'no_stream' },
          { stream: s, events: [ev()], expected: 'no_stream' },
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(s)).toHaveLength(1);
      });
    });

    describe('idempotency by event id', () => {
      it('re-appending events already stored in the stream succeeds without writing', async () => {
        const s = stream();
        const batch = [ev(), ev()];
        await store.append(s, batch, { expected: 'no_stream' });
        const again = await store.append(s, batch, { expected: 'no_stream' });
        expect(again.nextRevision).toBe(1);
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('a retried single append with the same id is absorbed with any expectation', async () => {
        const s = stream();
        const one = ev();
        await store.append(s, [ev()]);
        await store.append(s, [one], { expected: 0 });
        await store.append(s, [one], { expected: 'any' });
        expect(await store.readStream(s)).toHaveLength(2);
      });
    });

    describe('reading a stream', () => {
      it('round-trips type, data and metadata, with revisions from 0', async () => {
        const s = stream();
        const data = { name: 'Zoë Ångström — 日本', n: 3, nested: { list: [1, 2] } };
        const e = ev('ContactAdded', data);
        await store.append(s, [e]);
        const [got] = await store.readStream(s);
        expect(got).toMatchObject({ id: e.id, stream: s, revision: 0, type: 'ContactAdded', data, metadata: e.metadata });
        expect(typeof got!.position).toBe('bigint');
        expect(Number.isNaN(Date.parse(got!.createdAt))).toBe(false);
      });

      it('reads forwards and backwards, from a revision, up to a count', async () => {
        const s = stream();
        await store.append(
          s,
          Array.from({ length: 5 }, (_, n) => ev('T', { n })),
        );
        const fwd = await store.readStream(s);
        expect(fwd.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
        const back = await store.readStream(s, { direction: 'backwards' });
        expect(back.map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);
        expect((await store.readStream(s, { fromRevision: 2, maxCount: 2 })).map((e) => e.revision)).toEqual([2, 3]);
        expect((await store.readStream(s, { direction: 'backwards', fromRevision: 3, maxCount: 2 })).map((e) => e.revision)).toEqual([3, 2]);
        expect((await store.readStream(s, { direction: 'backwards', maxCount: 1 }))[0]!.revision).toBe(4);
      });

      it('a missing stream reads as empty with revision -1', async () => {
        const s = stream();
        expect(await store.readStream(s)).toEqual([]);
        expect(await store.streamRevision(s)).toBe(-1);
      });

      it('streamRevision is the last revision', async () => {
        const s = stream();
        await store.append(s, [ev(), ev(), ev()]);
        expect(await store.streamRevision(s)).toBe(2);
      });
    });

    describe('the global log', () => {
      it('readAll after a position is exclusive, ordered and pages in batches', async () => {
        const s = stream('log');
        const start = await store.headPosition();
        await store.append(
          s,
          Array.from({ length: 7 }, (_, n) => ev('T', { n })),
        );
        const mine: StoredEvent[] = [];
        let after = start;
        for (let i = 0; i < 100; i++) {
          const batch = await store.readAll({ after, maxCount: 3 });
          if (batch.length === 0) break;
          expect(batch.length).toBeLessThanOrEqual(3);
          mine.push(...batch.filter((e) => e.stream === s));
          after = batch.at(-1)!.position;
        }
        expect(mine.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
        for (let i = 1; i < mine.length; i++) expect(mine[i]!.position > mine[i - 1]!.position).toBe(true);
        const fromThird = await store.readAll({ after: mine[2]!.position, maxCount: 100 });
        expect(fromThird.filter((e) => e.stream === s).map((e) => (e.data as { n: number }).n)).toEqual([3, 4, 5, 6]);
      });

      it('headPosition is the position of the last appended event', async () => {
        const r = await store.append(stream(), [ev(), ev()]);
        expect(await store.headPosition()).toBe(r.position);
      });

      it('readAll hides system streams', async () => {
        const start = await store.headPosition();
        await store.append(stream(), [ev()]);
        const batch = await store.readAll({ after: start, maxCount: 1000 });
        expect(batch.every((e) => !e.stream.startsWith('$') && !e.type.startsWith('$'))).toBe(true);
      });
    });

    describe('subscribeAll', () => {
      it('catches up from a position, then delivers live appends in order, once each', async () => {
        const s = stream('sub');
        const start = await store.headPosition();
        await store.append(s, [ev('T', { n: 0 }), ev('T', { n: 1 })]);
        const seen: number[] = [];
        let caughtUp = false;
        const sub = store.subscribeAll({
          after: start,
          onEvent: (e) => {
            if (e.stream === s) seen.push((e.data as { n: number }).n);
          },
          onCaughtUp: () => {
            caughtUp = true;
          },
        });
        await waitFor(() => caughtUp);
        expect(seen).toEqual([0, 1]);
        await store.append(s, [ev('T', { n: 2 })]);
        await store.append(s, [ev('T', { n: 3 }), ev('T', { n: 4 })]);
        await waitFor(() => seen.length === 5);
        await sub.stop();
        await store.append(s, [ev('T', { n: 5 })]);
        await new Promise((r) => setTimeout(r, 150));
        expect(seen).toEqual([0, 1, 2, 3, 4]);
      });

      it('starts after the given position', async () => {
        const s = stream('sub');
        await store.append(s, [ev('T', { n: 0 })]);
        const r = await store.append(s, [ev('T', { n: 1 })]);
        await store.append(s, [ev('T', { n: 2 })]);
        const seen: number[] = [];
        const sub = store.subscribeAll({
          after: r.position,
          onEvent: (e) => {
            if (e.stream === s) seen.push((e.data as { n: number }).n);
          },
        });
        await waitFor(() => seen.length === 1);
        await sub.stop();
        expect(seen).toEqual([2]);
      });

      it('a handler error ends the subscription with that error', async () => {
        const s = stream('sub');
        const start = await store.headPosition();
        await store.append(s, [ev()]);
        const sub = store.subscribeAll({
          after: start,
          onEvent: (e) => {
            if (e.stream === s) throw new Error('boom');
          },
        });
        await expect(sub.done).rejects.toThrow('boom');
      });
    });

    describe('checkpoints', () => {
      it('a new consumer has none; a saved one reads back', async () => {
        const c = `consumer-${randomUUID()}`;
        expect(await store.getCheckpoint(c)).toBeNull();
        await store.saveCheckpoint(c, 42n);
        expect(await store.getCheckpoint(c)).toBe(42n);
        await store.saveCheckpoint(c, 50n);
        expect(await store.getCheckpoint(c)).toBe(50n);
      });

      it('with the expected previous value, a second instance that advanced it first makes the save fail', async () => {
        const c = `consumer-${randomUUID()}`;
        await store.saveCheckpoint(c, 10n, { expected: null });
        await store.saveCheckpoint(c, 20n, { expected: 10n });
        await conflictOf(store.saveCheckpoint(c, 30n, { expected: 10n }));
        await conflictOf(store.saveCheckpoint(c, 30n, { expected: null }));
        expect(await store.getCheckpoint(c)).toBe(20n);
      });
    });
  });
}
