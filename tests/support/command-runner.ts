// A separate process racing meeting commands on a shared SQLite file (used by
// tests/faults/concurrent-commands.test.ts): argv = file, workspaceId, connections, JSON commands.
// Opens `connections` store connections (one AppContext each), says "ready" on stderr, waits for a
// line on stdin, runs every command at once (command i on connection i % connections) and prints
// one JSON result per line.
import { once } from 'node:events';
import { openSqliteEventStore } from '../../src/eventstore/sqlite/store.ts';
import { systemClock } from '../../src/app/clock.ts';
import type { AppContext } from '../../src/app/handle.ts';
import { runRaced, type RacedCommand } from './contended-commands.ts';

const [file, workspaceId, connections, json] = process.argv.slice(2);
const commands = JSON.parse(json!) as RacedCommand[];
const stores = Array.from({ length: Number(connections) }, () => openSqliteEventStore(file!));
const contexts: AppContext[] = stores.map((store, i) => ({ store, clock: systemClock, workspaceId: workspaceId!, actor: `runner:${process.pid}:${i}` }));

process.stderr.write('ready\n');
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
process.stdin.pause();
const results = await Promise.all(commands.map((c, i) => runRaced(contexts[i % contexts.length]!, c)));
for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
for (const s of stores) await s.close();
