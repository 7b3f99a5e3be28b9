// A second process appending to the same SQLite file: prints the id of every acknowledged append.
import { randomUUID } from 'node:crypto';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { WrongExpectedRevisionError } from '../../src/eventstore/port.ts';

const [file, countArg, name] = process.argv.slice(2);
const store = openSqliteEventStore(file!, { busyTimeoutMs: 1 });
const shared = 'shared-stream';
for (let i = 0; i < Number(countArg); i++) {
  const own = { id: randomUUID(), type: 'Written', data: { by: name, i }, metadata: { workspaceId: 'w' } };
  await store.append(`${name}-${i % 10}`, [own]);
  process.stdout.write(`${own.id}\n`);
  // Both processes race on one stream with expected revisions: conflicts are retried by re-reading.
  for (;;) {
    const rev = await store.streamRevision(shared);
    const race = { id: randomUUID(), type: 'Raced', data: { by: name, i }, metadata: { workspaceId: 'w' } };
    try {
      await store.append(shared, [race], { expected: rev === -1 ? 'no_stream' : rev });
      process.stdout.write(`${race.id}\n`);
      break;
    } catch (e) {
      if (!(e instanceof WrongExpectedRevisionError)) throw e;
    }
  }
}
await store.close();
