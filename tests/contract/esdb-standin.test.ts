import { openEsdbEventStore } from '../../src/eventstore/esdb/store.ts';
import { startEsdbStandIn } from '../support/esdb-standin/index.ts';
import { eventStoreContract } from './eventstore.contract.ts';

// The real @eventstore/db-client against the wire-level stand-in, on both append routes the client
// knows: classic Streams.Append (servers that do not announce BatchAppend) and Streams.BatchAppend
// (what EventStoreDB 21.10+ and KurrentDB announce, and so what production uses).
for (const batchAppend of [false, true]) {
  eventStoreContract(`esdb (stand-in, ${batchAppend ? 'BatchAppend' : 'classic Append'})`, async () => {
    const standIn = await startEsdbStandIn({ batchAppend });
    return { store: openEsdbEventStore(standIn.connectionString), cleanup: () => standIn.stop() };
  });
}
