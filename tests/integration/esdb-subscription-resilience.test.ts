import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openEsdbEventStore } from '../../src/eventstore/esdb/store.ts';
import type { EventStore, NewEvent, StoredEvent } from '../../src/eventstore/port.ts';
import { startEsdbStandIn, type EsdbStandIn } from '../support/esdb-standin/index.ts';

const ev = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'Numbered',
  // Big enough that the catch-up does not fit in gRPC's flow-control window, so a drop cuts it mid-way.
  data: { n, padding: 'x'.repeat(300) },
  metadata: { workspaceId: 'resilience', correlationId: 'c', causationId: 'c', actor: 'test', schemaVersion: 1 },
});

const waitFor = async (cond: () => boolean, what: string, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('esdb subscription resilience (stand-in drops the subscription mid-catch-up and while live)', () => {
  let standIn: EsdbStandIn;
  let store: EventStore;

  beforeAll(async () => {
    standIn = await startEsdbStandIn({ batchAppend: true });
    store = openEsdbEventStore(standIn.connectionString, { resubscribeMinMs: 20 });
  });
  afterAll(async () => {
    await store?.close();
    await standIn?.stop();
  });

  it('resumes after each drop and hands every event to the handler exactly once, then restarts from its checkpoint', async () => {
    const consumer = `resilience-${randomUUID()}`;
    const stream = `numbers-${randomUUID()}`;
    const catchUp = 3000;
    for (let i = 0; i < catchUp; i += 250) {
      await store.append(
        stream,
        Array.from({ length: 250 }, (_, k) => ev(i + k)),
      );
    }

    const handled: StoredEvent[] = [];
    const errors: unknown[] = [];
    let caughtUp = false;
    let dropsMidCatchUp = 0;
    let dropsLive = 0;
    let checkpoint = await store.getCheckpoint(consumer);
    expect(checkpoint).toBeNull();

    const start = (after: bigint | null) =>
      store.subscribeAll({
        after,
        onEvent: async (e) => {
          if (e.stream !== stream) return;
          handled.push(e);
          // A checkpointed consumer: the position of the last handled event, saved every 100 events
          // with the value read before, as the reactor and projector do.
          if (handled.length % 100 === 0) {
            await store.saveCheckpoint(consumer, e.position, { expected: checkpoint });
            checkpoint = e.position;
          }
          if (handled.length === 700) dropsMidCatchUp += standIn.dropSubscriptions();
          if (handled.length === catchUp + 40) dropsLive += standIn.dropSubscriptions();
        },
        onCaughtUp: () => {
          caughtUp = true;
        },
        onError: (error) => errors.push(error),
      });

    const sub = start(checkpoint);
    await waitFor(() => caughtUp, 'catch-up');
    expect(handled).toHaveLength(catchUp);
    expect(dropsMidCatchUp).toBe(1);

    // Live: appends keep coming while the subscription is dropped again (at the 40th live event).
    for (let i = 0; i < 4; i++)
      await store.append(
        stream,
        Array.from({ length: 50 }, (_, k) => ev(catchUp + i * 50 + k)),
      );
    await waitFor(() => handled.length >= catchUp + 200, 'live events');
    await new Promise((r) => setTimeout(r, 100));
    await sub.stop();
    expect(dropsLive).toBe(1);

    // Every event once, in order: no gap, no repeat.
    const numbers = handled.map((e) => (e.data as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: catchUp + 200 }, (_, n) => n));
    expect(new Set(handled.map((e) => e.id)).size).toBe(handled.length);

    // The drops were real: each one surfaced as a recovered error and a resubscription from the last
    // handled position, one in the middle of the catch-up and one after it.
    expect(errors.length).toBeGreaterThanOrEqual(2);
    const positions = handled.map((e) => e.position);
    const resumes = standIn.subscriptionStarts.slice(-3);
    expect(resumes).toHaveLength(3);
    const [first, midCatchUp, live] = resumes as [unknown, bigint, bigint];
    expect(first).toBe('start');
    // Each resubscription starts at the last handled event (events already on the wire when the drop
    // came are still handed over first): the first in the middle of the catch-up, the second live.
    const resumedAt = (p: bigint) => positions.indexOf(p);
    expect(resumedAt(midCatchUp)).toBeGreaterThanOrEqual(699);
    expect(resumedAt(midCatchUp)).toBeLessThan(catchUp - 1);
    expect(resumedAt(live)).toBeGreaterThanOrEqual(catchUp + 39);
    expect(resumedAt(live)).toBeLessThan(catchUp + 199);

    // A restart resumes from the saved checkpoint and repeats nothing past it.
    await store.saveCheckpoint(consumer, handled.at(-1)!.position, { expected: checkpoint });
    checkpoint = handled.at(-1)!.position;
    await store.append(stream, [ev(catchUp + 200), ev(catchUp + 201)]);
    const after: number[] = [];
    const restarted = store.subscribeAll({
      after: await store.getCheckpoint(consumer),
      onEvent: (e) => {
        if (e.stream === stream) after.push((e.data as { n: number }).n);
      },
    });
    await waitFor(() => after.length >= 2, 'events after the checkpoint');
    await new Promise((r) => setTimeout(r, 50));
    await restarted.stop();
    expect(after).toEqual([catchUp + 200, catchUp + 201]);
  });
});
