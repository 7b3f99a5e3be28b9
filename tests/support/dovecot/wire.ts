/**
 * The two small protocol clients the harness delivers with: LMTP (RFC 2033, as an MTA hands mail to
 * Dovecot) and a bare IMAP APPEND (for a message that must arrive with flags). Neither is a general
 * client: one transaction per connection, errors thrown with the server's line.
 */
import { connect, type Socket } from 'node:net';

/** Reads CRLF-terminated lines from a socket, one `next()` at a time. */
class LineReader {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiting: { resolve: (l: string) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket, what: string) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (let i = this.buffer.indexOf('\r\n'); i >= 0; i = this.buffer.indexOf('\r\n')) {
        this.lines.push(this.buffer.slice(0, i));
        this.buffer = this.buffer.slice(i + 2);
      }
      this.flush();
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      this.flush();
    };
    socket.on('error', (e) => fail(new Error(`${what}: ${e.message}`)));
    socket.on('close', () => fail(new Error(`${what}: connection closed by the server`)));
  }

  private flush() {
    if (!this.waiting) return;
    const w = this.waiting;
    if (this.lines.length) {
      this.waiting = undefined;
      w.resolve(this.lines.shift()!);
    } else if (this.failure) {
      this.waiting = undefined;
      w.reject(this.failure);
    }
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.flush();
    });
  }
}

const open = (target: { path: string } | { port: number; host: string }, timeoutMs: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(target as never);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });

/** CRLF line ends, whatever the caller wrote. */
export const crlf = (raw: string | Buffer): Buffer => {
  const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : Buffer.from(raw, 'utf8').toString('latin1');
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
};

/**
 * One LMTP transaction over Dovecot's unix socket. Returns the id Dovecot gives the delivery in its
 * 250 reply ("250 2.0.0 <rcpt> <id> Saved"), which it also writes into the Received header it adds.
 */
export async function lmtpDeliver(socketPath: string, envelope: { from: string; to: string }, raw: string | Buffer, timeoutMs = 15_000): Promise<string> {
  const socket = await open({ path: socketPath }, timeoutMs);
  const lines = new LineReader(socket, 'LMTP');
  const reply = async (expect: number, step: string): Promise<string> => {
    let line = await lines.next();
    while (/^\d{3}-/.test(line)) line = await lines.next();
    if (!line.startsWith(String(expect))) throw new Error(`LMTP ${step} refused: ${line}`);
    return line;
  };
  try {
    await reply(220, 'greeting');
    socket.write('LHLO outreach-test-harness\r\n');
    await reply(250, 'LHLO');
    socket.write(`MAIL FROM:<${envelope.from}> BODY=8BITMIME\r\n`);
    await reply(250, 'MAIL FROM');
    socket.write(`RCPT TO:<${envelope.to}>\r\n`);
    await reply(250, 'RCPT TO');
    socket.write('DATA\r\n');
    await reply(354, 'DATA');
    let body = crlf(raw).toString('latin1');
    if (!body.endsWith('\r\n')) body += '\r\n';
    // Dot-stuffing (RFC 5321 4.5.2).
    body = body.replace(/(^|\r\n)\./g, '$1..');
    socket.write(Buffer.from(`${body}.\r\n`, 'latin1'));
    const saved = await reply(250, 'message');
    socket.write('QUIT\r\n');
    const m = /^250 \S+ <[^>]*> (\S+)/.exec(saved);
    if (!m) throw new Error(`LMTP: unexpected reply to the message: ${saved}`);
    return m[1]!;
  } finally {
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

const literal = (s: string | Buffer) => {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from(`{${b.length}+}\r\n`), b]);
};

/**
 * IMAP APPEND from its own connection (LOGIN, APPEND with LITERAL+, LOGOUT). Returns the UID from
 * Dovecot's APPENDUID response code (RFC 4315).
 */
export async function imapAppend(
  server: { host: string; port: number },
  auth: { user: string; password: string },
  mailbox: string,
  raw: string | Buffer,
  flags: string[] = [],
  timeoutMs = 15_000,
): Promise<{ uid: number; uidValidity: number }> {
  const socket = await open(server, timeoutMs);
  const lines = new LineReader(socket, 'IMAP APPEND');
  const tagged = async (tag: string, step: string) => {
    for (;;) {
      const line = await lines.next();
      if (line.startsWith(`${tag} `)) {
        if (!line.startsWith(`${tag} OK`)) throw new Error(`IMAP ${step} refused: ${line}`);
        return line;
      }
    }
  };
  try {
    const greeting = await lines.next();
    if (!greeting.startsWith('* OK')) throw new Error(`IMAP greeting: ${greeting}`);
    socket.write(Buffer.concat([Buffer.from('a1 LOGIN '), literal(auth.user), Buffer.from(' '), literal(auth.password), Buffer.from('\r\n')]));
    await tagged('a1', 'LOGIN');
    const flagList = flags.length ? ` (${flags.join(' ')})` : '';
    socket.write(Buffer.concat([Buffer.from('a2 APPEND '), literal(mailbox), Buffer.from(`${flagList} `), literal(crlf(raw)), Buffer.from('\r\n')]));
    const done = await tagged('a2', 'APPEND');
    const m = /\[APPENDUID (\d+) (\d+)\]/i.exec(done);
    if (!m) throw new Error(`IMAP APPEND: no APPENDUID in ${done}`);
    socket.write('a3 LOGOUT\r\n');
    return { uidValidity: Number(m[1]), uid: Number(m[2]) };
  } finally {
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

/** Resolves once something on host:port sends an IMAP greeting; rejects after timeoutMs. */
export async function waitForGreeting(host: string, port: number, timeoutMs: number, aborted: () => Error | undefined): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const stop = aborted();
    if (stop) throw stop;
    try {
      const socket = await open({ host, port }, 2000);
      const lines = new LineReader(socket, 'IMAP greeting');
      try {
        const line = await lines.next();
        if (line.startsWith('* OK')) return line;
        last = line;
      } finally {
        socket.destroy();
      }
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > until) throw new Error(`Dovecot gave no IMAP greeting on ${host}:${port} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
