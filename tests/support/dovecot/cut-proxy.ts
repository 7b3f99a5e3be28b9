/**
 * A TCP proxy on 127.0.0.1 in front of a server, able to cut a connection at a chosen point of the
 * server's answer: after n more bytes, or in the middle of the response to the next FETCH command
 * (some of the untagged FETCH data goes through, the tagged completion never does). A cut destroys
 * both sides at once, so the client sees the socket close (or reset) mid-response.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type Cut = {
  /** Which connection (1 = the first the proxy accepted). */
  connection: number;
  /** Server-to-client bytes forwarded on that connection after the arming point before the cut. */
  forwarded: number;
  /** The client command the cut answered, for a FETCH cut (e.g. "A5 UID FETCH 1:* (...)"). */
  command?: string;
};

export type CutProxy = {
  host: string;
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /**
   * Cuts the first connection on which n more server-to-client bytes flow (counted from this call):
   * exactly n are forwarded, then both sides are destroyed.
   */
  cutAfterBytes(n: number): Promise<Cut>;
  /**
   * Cuts the connection that next sends a FETCH or UID FETCH command, in the middle of the server's
   * answer: `afterBytes` of it (default: half of what precedes the tagged completion in the first
   * chunk) reach the client, the rest (and the tagged OK) never does.
   */
  cutDuringNextFetch(opts?: { afterBytes?: number }): Promise<Cut>;
  /** Destroys every open connection now. */
  cutAll(): void;
  /** Forgets armed cuts that have not happened. */
  disarm(): void;
  close(): Promise<void>;
};

type Conn = {
  id: number;
  client: Socket;
  server: Socket;
  /** A FETCH command seen and not answered yet, with its tag. */
  fetch?: { tag: string; command: string; forwarded: number };
  clientTail: string;
};

type Armed =
  | { kind: 'bytes'; remaining: number; forwarded: Map<number, number>; resolve: (c: Cut) => void }
  | { kind: 'fetch'; afterBytes?: number; resolve: (c: Cut) => void; conn?: number };

const FETCH = /(?:^|\r\n)(\S+) (?:UID )?FETCH [^\r\n]*/i;

export async function startCutProxy(target: { host: string; port: number }): Promise<CutProxy> {
  const conns = new Set<Conn>();
  let accepted = 0;
  let armed: Armed[] = [];

  const destroy = (c: Conn) => {
    c.client.destroy();
    c.server.destroy();
    conns.delete(c);
  };

  /** Decides how much of a server chunk reaches the client; returns the cut, if this chunk ends in one. */
  const onServerData = (c: Conn, chunk: Buffer): { pass: Buffer; cut?: Cut } => {
    for (const a of armed) {
      if (a.kind === 'fetch' && a.conn === c.id && c.fetch) {
        const text = chunk.toString('latin1');
        const tagAt = text.startsWith(`${c.fetch.tag} `) ? 0 : text.indexOf(`\r\n${c.fetch.tag} `);
        const before = tagAt < 0 ? chunk.length : tagAt === 0 ? 0 : tagAt + 2;
        const n = Math.max(0, Math.min(a.afterBytes ?? Math.max(1, Math.floor(before / 2)), Math.max(0, before - 1)));
        armed = armed.filter((x) => x !== a);
        const cut = { connection: c.id, forwarded: c.fetch.forwarded + n, command: c.fetch.command };
        a.resolve(cut);
        return { pass: chunk.subarray(0, n), cut };
      }
      if (a.kind === 'bytes') {
        const sent = a.forwarded.get(c.id) ?? 0;
        const room = a.remaining - sent;
        if (chunk.length >= room) {
          armed = armed.filter((x) => x !== a);
          const cut = { connection: c.id, forwarded: a.remaining };
          a.resolve(cut);
          return { pass: chunk.subarray(0, room), cut };
        }
        a.forwarded.set(c.id, sent + chunk.length);
      }
    }
    return { pass: chunk };
  };

  const onClientData = (c: Conn, chunk: Buffer) => {
    c.clientTail = (c.clientTail + chunk.toString('latin1')).slice(-4096);
    const m = FETCH.exec(c.clientTail);
    if (!m) return;
    c.clientTail = c.clientTail.slice(m.index + m[0].length);
    const waiting = armed.find((a): a is Extract<Armed, { kind: 'fetch' }> => a.kind === 'fetch' && a.conn === undefined);
    if (!waiting) return;
    waiting.conn = c.id;
    c.fetch = { tag: m[1]!, command: m[0].replace(/^\r\n/, ''), forwarded: 0 };
  };

  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect({ host: target.host, port: target.port });
    const c: Conn = { id: accepted, client, server: upstream, clientTail: '' };
    conns.add(c);
    client.on('data', (d: Buffer) => {
      onClientData(c, d);
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      const { pass, cut } = onServerData(c, d);
      if (!cut) {
        client.write(pass);
        return;
      }
      // Let the partial answer reach the client, then drop both sides together.
      if (pass.length) client.write(pass, () => destroy(c));
      else destroy(c);
    });
    const end = () => destroy(c);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return conns.size;
    },
    cutAfterBytes: (n: number) => new Promise<Cut>((resolve) => armed.push({ kind: 'bytes', remaining: n, forwarded: new Map(), resolve })),
    cutDuringNextFetch: (opts = {}) =>
      new Promise<Cut>((resolve) => armed.push({ kind: 'fetch', ...(opts.afterBytes === undefined ? {} : { afterBytes: opts.afterBytes }), resolve })),
    cutAll: () => {
      for (const c of [...conns]) destroy(c);
    },
    disarm: () => {
      armed = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        armed = [];
        for (const c of [...conns]) destroy(c);
        server.close(() => resolve());
      }),
  };
}
