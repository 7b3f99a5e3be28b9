import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/*
 * A real SMTP server (smtp-server) on a loopback port, standing in for the provider in tests.
 * It keeps what it receives, parsed by mailparser, and can be told to misbehave: reply with a
 * given code to the next N messages, or cut the connection in the middle of DATA.
 * Note: smtp-server waits a fixed 100 ms before greeting each new connection (an "early talker"
 * check with no option to change it), so tests keep one server and one pooled transport per file.
 */

export type ReceivedMail = {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  user?: string | undefined;
  /** When the client said MAIL FROM for it (ms since the epoch): the send began no later than this. */
  mailFromAt: number;
};

export type FaultStage = 'mail' | 'rcpt' | 'data';

export type SmtpStandIn = {
  host: string;
  port: number;
  /** smtp://[user:pass@]127.0.0.1:port, for SMTP_URL or createMailTransport. */
  url: string;
  readonly messages: ReceivedMail[];
  /** Connections opened so far: a pool that works reuses them. */
  readonly connectionCount: number;
  /** Reply `code` to the next `count` messages at `stage` (default: after DATA). */
  failNext(count: number, code: number, opts?: { stage?: FaultStage; message?: string }): void;
  /**
   * Cut the connection in the middle of DATA for the next `count` messages: once `afterBytes` of the
   * message (default: its first bytes, whatever arrived first) are in, before any reply.
   */
  dropNext(count?: number, opts?: { afterBytes?: number }): void;
  /** Each cut made by dropNext: the message bytes received by then, and its Message-ID when those bytes held it. */
  readonly drops: { bytes: number; messageId?: string }[];
  /** Resolves once `count` messages in all have arrived; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Forgets received messages and pending faults. */
  reset(): void;
  stop(): Promise<void>;
};

type Fault = { kind: 'reply'; code: number; stage: FaultStage; message: string } | { kind: 'drop'; afterBytes: number };

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export async function startSmtpServer(opts: { auth?: { user: string; pass: string } } = {}): Promise<SmtpStandIn> {
  const messages: ReceivedMail[] = [];
  /** Per SMTP session, the time of its latest MAIL FROM (a pooled connection sends many messages). */
  const mailFromAt = new Map<string, number>();
  const drops: { bytes: number; messageId?: string }[] = [];
  let faults: Fault[] = [];
  let connectionCount = 0;
  const waiters = new Set<() => void>();
  const sockets = new Map<string, Socket>();
  const socketKey = (address: string, port: number) => `${address.replace(/^::ffff:/, '')}:${port}`;

  const takeFault = (stage: FaultStage): Fault | undefined => {
    const next = faults[0];
    if (!next) return undefined;
    if (next.kind === 'drop' ? stage !== 'data' : next.stage !== stage) return undefined;
    faults = faults.slice(1);
    return next;
  };
  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const server = new SMTPServer({
    logger: false,
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    hideSTARTTLS: true,
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    closeTimeout: 500,
    size: 10 * 1024 * 1024,
    onConnect(_session, callback) {
      connectionCount += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return callback(null, { user: auth.username });
      return callback(smtpError(535, 'Authentication failed'));
    },
    onMailFrom(_address, session, callback) {
      mailFromAt.set(session.id, Date.now());
      const fault = takeFault('mail');
      callback(fault?.kind === 'reply' ? smtpError(fault.code, fault.message) : null);
    },
    onRcptTo(_address, _session, callback) {
      const fault = takeFault('rcpt');
      callback(fault?.kind === 'reply' ? smtpError(fault.code, fault.message) : null);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const fault = takeFault('data');
      if (fault?.kind === 'drop') {
        // Cut the TCP connection once enough of the message is in (the end of a short one at the latest), never replying.
        const received: Buffer[] = [];
        let bytes = 0;
        let cut = false;
        const cutNow = () => {
          if (cut) return;
          cut = true;
          const messageId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(Buffer.concat(received).toString('latin1'))?.[1];
          drops.push({ bytes, ...(messageId ? { messageId } : {}) });
          sockets.get(socketKey(session.remoteAddress, session.remotePort))?.destroy();
        };
        stream.on('data', (chunk: Buffer) => {
          if (cut) return;
          received.push(chunk);
          bytes += chunk.length;
          if (bytes >= fault.afterBytes) cutNow();
        });
        stream.once('end', cutNow);
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (fault?.kind === 'reply') return callback(smtpError(fault.code, fault.message));
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
              user: session.user as string | undefined,
              mailFromAt: mailFromAt.get(session.id) ?? Date.now(),
            });
            callback(null, `Message queued as ${messages.length}`);
            notify();
          },
          (err: Error) => callback(smtpError(451, `stand-in could not parse the message: ${err.message}`)),
        );
      });
    },
  });
  // smtp-server's session knows the peer's address and port; the raw socket is what can be cut.
  server.server.on('connection', (socket: Socket) => {
    if (!socket.remoteAddress || !socket.remotePort) return;
    const key = socketKey(socket.remoteAddress, socket.remotePort);
    sockets.set(key, socket);
    socket.once('close', () => sockets.delete(key));
  });

  const host = '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {
    // A client dropping its connection is a normal event here, not a test failure.
  });
  const port = (server.server.address() as AddressInfo).port;
  const credentials = opts.auth ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@` : '';

  return {
    host,
    port,
    url: `smtp://${credentials}${host}:${port}`,
    messages,
    drops,
    get connectionCount() {
      return connectionCount;
    },
    failNext(count, code, options = {}) {
      const stage = options.stage ?? 'data';
      const message = options.message ?? (code >= 500 ? 'Requested action not taken: mailbox unavailable' : 'Requested action aborted: try again later');
      for (let i = 0; i < count; i++) faults.push({ kind: 'reply', code, stage, message });
    },
    dropNext(count = 1, options = {}) {
      for (let i = 0; i < count; i++) faults.push({ kind: 'drop', afterBytes: Math.max(1, options.afterBytes ?? 1) });
    },
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`stand-in SMTP server: ${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    reset() {
      messages.length = 0;
      drops.length = 0;
      faults = [];
    },
    stop() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets.values()) socket.destroy();
        server.close(() => resolve());
      });
    },
  };
}
