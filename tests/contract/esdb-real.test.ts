import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connect, type EsdbConnection } from '../../src/eventstore/esdb/client.ts';
import { openEsdbEventStore } from '../../src/eventstore/esdb/store.ts';
import { eventStoreContract } from './eventstore.contract.ts';

/**
 * The contract suite against a real EventStoreDB/KurrentDB. It runs only when ESDB_CONNECTION_STRING
 * is set (`ESDB_CONNECTION_STRING='esdb://localhost:2113?tls=false' npm run test:esdb`; `docker compose
 * up kurrentdb` gives one); otherwise every test here is reported as skipped. CI has no such server and
 * runs the same suite against the wire-level stand-in (esdb-standin.test.ts) instead.
 */
const connectionString = process.env.ESDB_CONNECTION_STRING;

describe.skipIf(!connectionString)('real EventStoreDB/KurrentDB (skipped: ESDB_CONNECTION_STRING is not set)', () => {
  eventStoreContract('esdb (real server)', async () => ({ store: openEsdbEventStore(connectionString!) }));

  // What the adapter and the stand-in assume about the server, checked where a real one is at hand.
  describe('server facts the adapter relies on', () => {
    let conn: EsdbConnection;
    beforeAll(() => {
      conn = connect(connectionString!);
    });
    afterAll(async () => {
      await conn?.dispose();
    });

    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ id: randomUUID(), type: 'Fact', data: { i }, metadata: {} }));

    it('gives each event of one append its own position, with commit equal to prepare', async () => {
      const stream = `facts-${randomUUID()}`;
      await conn.append(stream, events(3), 'no_stream');
      const read = (await conn.readStream(stream, { backwards: false, from: 'start', maxCount: 10 }))!;
      const positions = read.map((r) => r.position!);
      for (const p of positions) expect(p.commit).toBe(p.prepare);
      expect(new Set(positions.map((p) => p.commit)).size).toBe(3);
    });

    it('reads $all from a position inclusively and subscribes after it exclusively', async () => {
      const stream = `facts-${randomUUID()}`;
      await conn.append(stream, events(3), 'no_stream');
      const read = (await conn.readStream(stream, { backwards: false, from: 'start', maxCount: 10 }))!;
      const second = read[1]!.position!;
      const fromSecond = await conn.readAll({ backwards: false, from: second, maxCount: 1 });
      expect(fromSecond[0]!.id).toBe(read[1]!.id);
      const sub = conn.subscribeAll({ from: second });
      const seen: string[] = [];
      for await (const r of sub) {
        if (r.stream === stream) seen.push(r.id);
        if (seen.length === 1) break;
      }
      await sub.close();
      expect(seen).toEqual([read[2]!.id]);
    });

    it('answers a retried append of stored ids as a success without writing', async () => {
      const stream = `facts-${randomUUID()}`;
      const batch = events(2);
      await conn.append(stream, batch, 'no_stream');
      const again = await conn.append(stream, batch, 'no_stream');
      expect(again.nextRevision).toBe(1n);
      expect(await conn.readStream(stream, { backwards: false, from: 'start', maxCount: 10 })).toHaveLength(2);
    });
  });
});
