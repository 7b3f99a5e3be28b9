/**
 * The SMTP server of the email benchmarks, run in a worker thread (see smtp-sink.ts): smtp-server
 * on loopback, with the options of tests/support/smtp-server.ts, that takes every message and
 * notes when its DATA ended (the moment it is accepted) and for whom. It does not parse messages.
 */
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

export type SinkRequest = { type: 'take' } | { type: 'stop' };
/** `at` is process.hrtime in ms: the same clock in every thread of the process. */
/** `connection` numbers the connections in the order they were opened. */
export type Accepted = { to: string; at: number; bytes: number; connection: number };
export type SinkReply = { type: 'ready'; port: number } | { type: 'taken'; accepted: Accepted[]; connections: number } | { type: 'stopped' };

const port = parentPort!;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
let accepted: Accepted[] = [];
let connections = 0;
const connectionOf = new Map<string, number>();

const server = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS', 'AUTH'],
  hideSTARTTLS: true,
  authOptional: true,
  disableReverseLookup: true,
  closeTimeout: 500,
  size: 10 * 1024 * 1024,
  onConnect(session, callback) {
    connections += 1;
    connectionOf.set(session.id, connections);
    callback();
  },
  onClose(session) {
    connectionOf.delete(session.id);
  },
  onData(stream, session, callback) {
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on('end', () => {
      const at = nowMs();
      for (const r of session.envelope.rcptTo) accepted.push({ to: r.address, at, bytes, connection: connectionOf.get(session.id) ?? 0 });
      callback(null, `Message queued as ${accepted.length}`);
    });
  },
});
server.on('error', () => {
  // A client dropping its connection is not the benchmark's concern.
});

server.listen(0, '127.0.0.1', () => {
  port.postMessage({ type: 'ready', port: (server.server.address() as AddressInfo).port } satisfies SinkReply);
});

port.on('message', (m: SinkRequest) => {
  if (m.type === 'take') {
    const taken = accepted;
    accepted = [];
    port.postMessage({ type: 'taken', accepted: taken, connections } satisfies SinkReply);
  } else {
    server.close(() => {
      port.postMessage({ type: 'stopped' } satisfies SinkReply);
      port.close();
    });
  }
});
