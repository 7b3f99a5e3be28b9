// tests/support/sqlite-writer.ts behind a start barrier: loads what the writer needs, says "ready" on
// stderr, and runs the writer (same arguments) once a line arrives on stdin, so that two of them
// really append at the same time instead of one finishing while the other is still starting up.
import { once } from 'node:events';
import '../../src/eventstore/sqlite/store.ts';

process.stderr.write('ready\n');
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
process.stdin.pause();
await import('./sqlite-writer.ts');
