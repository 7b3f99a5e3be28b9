/**
 * A real Dovecot (Debian's dovecot-imapd + dovecot-lmtpd) started by the tests, as they start
 * redis-server: `/usr/sbin/dovecot -F -c <tmp>/dovecot.conf` as a child process with its own
 * configuration, passwd-file, Maildir, base_dir, state_dir and log under a temp dir, IMAP without
 * TLS on a free 127.0.0.1 port. Several instances can run at once; none touches /etc/dovecot.
 *
 *   const dovecot = await startDovecot({ users: [{ name: 'seeker@example.com', password: 'pw' }] });
 *   const client = new ImapFlow({ ...dovecot.imapOptions(), logger: false });
 *   const uid = await dovecot.deliver(rawReply);              // LMTP, as an MTA would
 *   await dovecot.changeUidValidity('INBOX');                  // doveadm mailbox update --uid-validity
 *   dovecot.cutNextFetch();                                    // via proxyOptions(): cut mid-FETCH
 *   expect(await dovecot.messages('Sent')).toHaveLength(1);
 *   await dovecot.stop();
 *
 * Needs `apt-get install -y dovecot-imapd dovecot-lmtpd` (the packages' own service is not used).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { paths, renderConfig, renderPasswd, SPECIAL_USE } from './dovecot/config.ts';
import { startCutProxy, type Cut, type CutProxy } from './dovecot/cut-proxy.ts';
import { imapAppend, lmtpDeliver, waitForGreeting } from './dovecot/wire.ts';

export type { Cut, CutProxy } from './dovecot/cut-proxy.ts';
export { SPECIAL_USE };

export const DOVECOT_BIN = '/usr/sbin/dovecot';
export const DOVEADM_BIN = '/usr/bin/doveadm';
const LMTP_BIN = '/usr/lib/dovecot/lmtp';
const INSTALL_HINT = 'apt-get install -y dovecot-imapd dovecot-lmtpd';

export type DovecotUser = { name: string; password: string };

export type DovecotOptions = {
  /** Users and their plain passwords; default one user (DEFAULT_USER). The first is the default user of every helper. */
  users?: DovecotUser[];
  /**
   * Keep Dovecot's failed-login slowness: auth_failure_delay (2 s) and anvil's growing penalty for
   * the IP. Default false: failed logins answer within ~0.5 s and later logins are not slowed.
   */
  slowAuthFailures?: boolean;
  /** Milliseconds to wait for the greeting; default 20 000. */
  startTimeoutMs?: number;
  /** Dovecot settings appended to the generated dovecot.conf (later settings win). */
  extraConfig?: string;
  /** Keep the temp dir after stop() (for a post-mortem). */
  keepDir?: boolean;
};

export type DeliverOptions = {
  user?: string;
  /** Default INBOX. */
  mailbox?: string;
  /** IMAP flags such as \Seen; a message with flags is appended over IMAP (LMTP cannot set flags). */
  flags?: string[];
  /** 'lmtp' (default without flags) or 'append' (an IMAP APPEND from a separate connection). */
  via?: 'lmtp' | 'append';
  /** Envelope sender for LMTP; default the From address, else sender@example.net. */
  envelopeFrom?: string;
};

export type StoredMessage = {
  uid: number;
  flags: string[];
  /** The message as an IMAP client fetches it (CRLF line ends), with the headers Dovecot added on delivery. */
  raw: string;
  /** Unfolded header values by lower-case name (as they are: encoded-words not decoded). */
  headers: Record<string, string[]>;
  /** First value of a header, or undefined. */
  header(name: string): string | undefined;
};

export type MailboxStatus = { messages: number; unseen: number; uidNext: number; uidValidity: number };

export type ImapConnectOptions = { host: string; port: number; secure: false; auth: { user: string; pass: string } };

export type Dovecot = {
  host: '127.0.0.1';
  port: number;
  /** The temp dir holding dovecot.conf, passwd, mail/, run/, state/, dovecot.log. */
  dir: string;
  users: DovecotUser[];
  /** The default (first) user. */
  user: DovecotUser;
  /** imap://user:password@127.0.0.1:<port> with user and password URL-encoded. */
  imapUrl(user?: string): string;
  /** ImapFlow constructor options for a user (spread your own on top, e.g. logger: false). */
  imapOptions(user?: string): ImapConnectOptions;
  /** The cutting proxy in front of the IMAP port. */
  proxy: CutProxy;
  /** Like imapUrl, through the proxy. */
  proxyUrl(user?: string): string;
  /** Like imapOptions, through the proxy. */
  proxyOptions(user?: string): ImapConnectOptions;
  /** proxy.cutDuringNextFetch(): the next FETCH / UID FETCH through the proxy is cut mid-answer. */
  cutNextFetch(opts?: { afterBytes?: number }): Promise<Cut>;
  /** Delivers a message as the mail server would; resolves with its UID in the mailbox. */
  deliver(raw: string | Buffer, opts?: DeliverOptions): Promise<number>;
  /** Gives the mailbox a new UIDVALIDITY (messages kept, with their UIDs); returns both values. */
  changeUidValidity(mailbox?: string, user?: string): Promise<{ before: number; after: number }>;
  status(mailbox?: string, user?: string): Promise<MailboxStatus>;
  /** What the folder holds now, in UID order (read with doveadm, not over IMAP: \Recent is not consumed). */
  messages(mailbox?: string, user?: string): Promise<StoredMessage[]>;
  /** Runs doveadm against this instance (`doveadm -c <conf> …`) and returns its stdout. */
  doveadm(args: string[]): Promise<string>;
  /** Dovecot's log so far. */
  log(): string;
  /** Stops Dovecot (SIGTERM, then SIGKILL after 5 s), closes the proxy and removes the temp dir. */
  stop(): Promise<void>;
};

export const DEFAULT_USER: DovecotUser = { name: 'seeker@example.com', password: 'correct horse:battery@staple%' };

/** Whether Dovecot's binaries (server, doveadm, LMTP) are installed. */
export function dovecotAvailable(): boolean {
  try {
    for (const bin of [DOVECOT_BIN, DOVEADM_BIN, LMTP_BIN]) accessSync(bin, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every Dovecot started here and not stopped yet, with the temp dir to remove (undefined: keepDir). */
const running = new Map<ChildProcess, string | undefined>();
let exitHookInstalled = false;
const installExitHook = () => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test process that ends without stop() still takes its Dovecots (and their temp dirs) with it.
  process.once('exit', () => {
    for (const [child, dir] of running) {
      child.kill('SIGTERM');
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const uidOf = (name: string): { uid: number; gid: number } | undefined => {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === name);
  if (!line) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
};

const groupName = (gid: number): string | undefined =>
  readFileSync('/etc/group', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => Number(f[2]) === gid && f[0])?.[0];

function parseHeaders(raw: string): Record<string, string[]> {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string[]> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const values = headers[name] ?? [];
    values.push(line.slice(i + 1).trim());
    headers[name] = values;
  }
  return headers;
}

const fromAddress = (raw: string | Buffer): string | undefined => {
  const text = (Buffer.isBuffer(raw) ? raw.toString('latin1') : raw).split(/\r?\n\r?\n/)[0] ?? '';
  const from = parseHeaders(text)['from']?.[0];
  if (!from) return undefined;
  return /<([^>]+)>/.exec(from)?.[1] ?? /[^\s<>"]+@[^\s<>"]+/.exec(from)?.[0];
};

export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  if (!dovecotAvailable()) {
    throw new Error(
      `Dovecot is not installed (${DOVECOT_BIN}, ${DOVEADM_BIN} and ${LMTP_BIN} are needed): run \`${INSTALL_HINT}\` (as root). The tests start their own instance; the packaged service need not run.`,
    );
  }
  const users = options.users?.length ? options.users.map((u) => ({ ...u })) : [{ ...DEFAULT_USER }];
  for (const u of users) {
    if (!/^[^\s:+/%]+$/.test(u.name))
      throw new Error(`user name ${JSON.stringify(u.name)}: no spaces, ':', '+', '/' or '%' (passwd-file, LMTP detail and home path rules)`);
  }
  const byName = (name?: string): DovecotUser => {
    if (name === undefined) return users[0]!;
    const u = users.find((x) => x.name === name);
    if (!u) throw new Error(`no Dovecot user ${name} (users: ${users.map((x) => x.name).join(', ')})`);
    return u;
  };

  const asRoot = process.getuid?.() === 0;
  // As root the master drops privileges: Debian's dovecot/dovenull users run its internals and
  // logins, and the mail files belong to nobody (Dovecot refuses mail access as uid 0).
  const me = userInfo();
  const internalUser = asRoot ? 'dovecot' : me.username;
  const loginUser = asRoot ? 'dovenull' : me.username;
  const mailOwner = asRoot ? uidOf('nobody') : { uid: me.uid, gid: me.gid };
  if (asRoot && (!uidOf('dovecot') || !uidOf('dovenull') || !mailOwner)) {
    throw new Error(`the users dovecot, dovenull and nobody must exist (the dovecot-core package creates the first two): run \`${INSTALL_HINT}\``);
  }

  const internalGroup = groupName(uidOf(internalUser)?.gid ?? me.gid);
  if (!internalGroup) throw new Error(`no group name for ${internalUser}'s primary group in /etc/group`);

  // Unix socket paths are limited to ~108 bytes: keep the temp dir short.
  const base = tmpdir().length > 40 ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, 'outreach-dovecot-'));
  const p = paths(dir);
  chmodSync(dir, 0o755);
  mkdirSync(p.mail);
  mkdirSync(p.stateDir);
  if (asRoot) chownSync(p.mail, mailOwner!.uid, mailOwner!.gid);
  writeFileSync(p.passwd, renderPasswd(users), { mode: 0o600 });
  // Dovecot's auth process reads it as default_internal_user.
  if (asRoot) chownSync(p.passwd, uidOf(internalUser)!.uid, uidOf(internalUser)!.gid);

  const proc = {
    child: undefined as ChildProcess | undefined,
    exited: undefined as Promise<void> | undefined,
    exit: undefined as string | undefined,
    output: '',
  };
  let port = 0;
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  installExitHook();

  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    writeFileSync(
      p.config,
      renderConfig({
        dir,
        imapPort: port,
        instanceName: `outreach-${dir.slice(-6)}`,
        asRoot,
        internalUser,
        internalGroup,
        loginUser,
        mailUid: mailOwner!.uid,
        mailGid: mailOwner!.gid,
        slowAuthFailures: options.slowAuthFailures ?? false,
        lmtp: true,
      }) + (options.extraConfig ? `\n# extraConfig\n${options.extraConfig}\n` : ''),
    );
    proc.exit = undefined;
    proc.output = '';
    const child = spawn(DOVECOT_BIN, ['-F', '-c', p.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.child = child;
    running.set(child, options.keepDir ? undefined : dir);
    child.stdout!.on('data', (d: Buffer) => (proc.output += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (proc.output += d.toString('utf8')));
    proc.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        proc.exit = `exited with ${signal ?? `code ${code}`}`;
        resolve();
      });
      child.once('error', (e) => {
        running.delete(child);
        proc.exit = `could not be started: ${e.message}`;
        resolve();
      });
    });
    try {
      await waitForGreeting('127.0.0.1', port, startTimeoutMs, () => (proc.exit ? new Error(`dovecot ${proc.exit}`) : undefined));
      break;
    } catch (e) {
      const log = existsSync(p.log) ? readFileSync(p.log, 'utf8') : '';
      child.kill('SIGKILL');
      await proc.exited;
      // Another process took the port between freePort() and Dovecot's bind: try another one.
      if (attempt < 3 && /Address already in use/.test(log + proc.output)) continue;
      if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
      throw new Error(`Dovecot did not start: ${(e as Error).message}\n${proc.output}${log.split('\n').slice(-20).join('\n')}`);
    }
  }

  const proxy = await startCutProxy({ host: '127.0.0.1', port });

  const doveadm = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(DOVEADM_BIN, ['-c', p.config, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`doveadm ${args.join(' ')} failed (${code}): ${err.trim() || out.trim()}`))));
    });

  const status = async (mailbox = 'INBOX', user?: string): Promise<MailboxStatus> => {
    const out = await doveadm(['-f', 'json', 'mailbox', 'status', '-u', byName(user).name, 'messages unseen uidnext uidvalidity', mailbox]);
    const row = (JSON.parse(out) as Record<string, string>[])[0];
    if (!row) throw new Error(`no status for ${mailbox}`);
    return { messages: Number(row['messages']), unseen: Number(row['unseen']), uidNext: Number(row['uidnext']), uidValidity: Number(row['uidvalidity']) };
  };

  const url = (host: string, portNo: number, user?: string) => {
    const u = byName(user);
    return `imap://${encodeURIComponent(u.name)}:${encodeURIComponent(u.password)}@${host}:${portNo}`;
  };
  const connectOptions = (host: string, portNo: number, user?: string): ImapConnectOptions => {
    const u = byName(user);
    return { host, port: portNo, secure: false, auth: { user: u.name, pass: u.password } };
  };

  let stopped: Promise<void> | undefined;
  const dovecot: Dovecot = {
    host: '127.0.0.1',
    port,
    dir,
    users,
    user: users[0]!,
    imapUrl: (user) => url('127.0.0.1', port, user),
    imapOptions: (user) => connectOptions('127.0.0.1', port, user),
    proxy,
    proxyUrl: (user) => url(proxy.host, proxy.port, user),
    proxyOptions: (user) => connectOptions(proxy.host, proxy.port, user),
    cutNextFetch: (opts) => proxy.cutDuringNextFetch(opts),

    async deliver(raw, opts = {}) {
      const u = byName(opts.user);
      const mailbox = opts.mailbox ?? 'INBOX';
      const via = opts.via ?? (opts.flags?.length ? 'append' : 'lmtp');
      if (via === 'lmtp' && opts.flags?.length) throw new Error('LMTP cannot set flags: use via "append" (the default when flags are given)');
      if (via === 'append') return (await imapAppend({ host: '127.0.0.1', port }, { user: u.name, password: u.password }, mailbox, raw, opts.flags ?? [])).uid;

      // LMTP: user+Folder@domain is filed into Folder (lmtp_save_to_detail_mailbox).
      if (mailbox !== 'INBOX' && !/^[A-Za-z0-9._/-]+$/.test(mailbox))
        throw new Error(`mailbox ${JSON.stringify(mailbox)} cannot be an LMTP address detail: use via "append"`);
      const at = u.name.indexOf('@');
      const to = mailbox === 'INBOX' ? u.name : at < 0 ? `${u.name}+${mailbox}` : `${u.name.slice(0, at)}+${mailbox}${u.name.slice(at)}`;
      const id = await lmtpDeliver(p.lmtpSocket, { from: opts.envelopeFrom ?? fromAddress(raw) ?? 'sender@example.net', to }, raw);
      // Dovecot writes the same id into the Received header it adds: find the UID by it.
      const found = await doveadm(['search', '-u', u.name, 'mailbox', mailbox, 'header', 'Received', `id ${id}`]);
      const uids = found
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => Number(l.trim().split(/\s+/)[1]));
      if (uids.length !== 1 || !Number.isInteger(uids[0]))
        throw new Error(`delivered (LMTP id ${id}) but found ${uids.length} messages with that id in ${mailbox}`);
      return uids[0]!;
    },

    async changeUidValidity(mailbox = 'INBOX', user) {
      const { uidValidity: before } = await status(mailbox, user);
      // As after a server rebuild or restore: a new, larger value (Dovecot's own are Unix times).
      const after = Math.max(before + 1, Math.floor(Date.now() / 1000)) % 2 ** 32 || 1;
      await doveadm(['mailbox', 'update', '-u', byName(user).name, '--uid-validity', String(after), mailbox]);
      const now = (await status(mailbox, user)).uidValidity;
      if (now !== after) throw new Error(`UIDVALIDITY of ${mailbox} is ${now} after setting ${after}`);
      return { before, after };
    },

    status,

    async messages(mailbox = 'INBOX', user) {
      const out = await doveadm(['-f', 'json', 'fetch', '-u', byName(user).name, 'uid flags text', 'mailbox', mailbox, 'all']);
      const rows = JSON.parse(out || '[]') as { uid: string; flags: string; text: string }[];
      return rows
        .map((r) => {
          const raw = r.text.replace(/\r?\n/g, '\r\n');
          const headers = parseHeaders(raw);
          return {
            uid: Number(r.uid),
            flags: r.flags.split(/\s+/).filter((f) => f && f !== '\\Recent'),
            raw,
            headers,
            header: (name: string) => headers[name.toLowerCase()]?.[0],
          };
        })
        .sort((a, b) => a.uid - b.uid);
    },

    doveadm,
    log: () => (existsSync(p.log) ? readFileSync(p.log, 'utf8') : ''),

    stop() {
      stopped ??= (async () => {
        await proxy.close();
        const child = proc.child!;
        if (!proc.exit) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await proc.exited;
          clearTimeout(killer);
        }
        if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  return dovecot;
}

/** A random-enough Message-ID domain part for test messages. */
export const messageId = (domain = 'example.org') => `<${randomBytes(9).toString('base64url')}@${domain}>`;
