/**
 * The Dovecot harness (tests/support/dovecot.ts) driven by the real imapflow client: what the
 * mailbox reader will meet — login, \Sent by special-use, IDLE woken by a delivery, a changed
 * UIDVALIDITY, a connection cut mid-FETCH, a wrong password — on a real server.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../support/dovecot.ts';

const quiet = { logger: false as const };
let dovecot: Dovecot;
const clients: ImapFlow[] = [];

/** A client that the afterAll closes whatever the test did with it. */
const client = (opts: ImapFlowOptions) => {
  const c = new ImapFlow({ ...opts, ...quiet });
  // A dropped connection is the point of some tests: keep it from becoming an unhandled 'error'.
  c.on('error', () => {});
  clients.push(c);
  return c;
};

const message = (subject: string, body = 'Hello.\r\n', extra = '') =>
  `From: Ann Example <ann@example.org>\r\nTo: seeker@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W+/g, '-')}-${Date.now()}@example.org>\r\nDate: Mon, 05 Jan 2026 10:00:00 +0000\r\n${extra}\r\n${body}`;

const waitFor = <T>(emitter: ImapFlow, event: string, timeoutMs: number, where: (v: T) => boolean = () => true) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    const on = (v: T) => {
      if (!where(v)) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(v);
    };
    emitter.on(event, on);
  });

beforeAll(async () => {
  dovecot = await startDovecot({
    users: [
      { name: 'seeker@example.com', password: 'correct horse:battery@staple%' },
      { name: 'other', password: 'other-pw' },
    ],
  });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await dovecot?.stop();
}, 60_000);

describe('Dovecot harness', () => {
  it('lets imapflow log in with the parts of imapUrl() and finds \\Sent (and the other special-use folders) by special-use', async () => {
    const url = new URL(dovecot.imapUrl());
    expect(url.protocol).toBe('imap:');
    expect(url.hostname).toBe('127.0.0.1');
    const c = client({
      host: url.hostname,
      port: Number(url.port),
      secure: false,
      auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    });
    await c.connect();
    expect(c.authenticated).toBeTruthy();
    const list = await c.list();
    const byUse = Object.fromEntries(list.filter((m) => m.specialUse).map((m) => [m.specialUse, m.path]));
    expect(byUse).toMatchObject({ '\\Inbox': 'INBOX', '\\Sent': 'Sent', '\\Drafts': 'Drafts', '\\Trash': 'Trash', '\\Junk': 'Junk' });
    expect(list.find((m) => m.path === 'Sent')?.subscribed).toBe(true);
    await c.logout();
  });

  it('a wrong password is an authentication failure: imapflow rejects connect() with authenticationFailed and AUTHENTICATIONFAILED', async () => {
    const c = client({ ...dovecot.imapOptions(), auth: { user: dovecot.user.name, pass: 'not the password' } });
    const err = await c.connect().then(
      () => undefined,
      (e: unknown) => e as Record<string, unknown>,
    );
    expect(err).toBeDefined();
    expect(err).toMatchObject({
      message: 'Command failed',
      authenticationFailed: true,
      serverResponseCode: 'AUTHENTICATIONFAILED',
      responseStatus: 'NO',
      responseText: 'Authentication failed.',
    });
    expect(c.usable).toBe(false);
  });

  it('deliver() over LMTP wakes a client in IDLE on INBOX, and returns the UID the client then fetches', async () => {
    const c = client(dovecot.imapOptions());
    await c.connect();
    const box = await c.mailboxOpen('INBOX');
    const before = box.exists;
    const idling = c.idle();
    await expect.poll(() => c.idling, { timeout: 5000 }).toBe(true);

    const woke = waitFor<{ count: number; prevCount: number }>(c, 'exists', 15_000);
    const uid = await dovecot.deliver(message('Re: Coffee next week?'));
    const exists = await woke;
    expect(exists.count).toBe(before + 1);

    // The 'exists' came while idling; any command ends the IDLE first.
    const fetched = await c.fetchOne(String(exists.count), { uid: true, envelope: true, flags: true });
    expect(fetched && fetched.uid).toBe(uid);
    expect(fetched && fetched.envelope?.subject).toBe('Re: Coffee next week?');
    expect(fetched && [...(fetched.flags ?? [])]).not.toContain('\\Seen');
    await idling;
    await c.logout();
  });

  it('deliver() files into another folder, and with flags (an IMAP APPEND) keeps them; messages() reads a folder back', async () => {
    const sentBefore = (await dovecot.messages('Sent')).length;
    const uid = await dovecot.deliver(message('Copy for Sent'), { mailbox: 'Sent' });
    const flagged = await dovecot.deliver(message('Read already'), { flags: ['\\Seen'] });
    const sent = await dovecot.messages('Sent');
    expect(sent).toHaveLength(sentBefore + 1);
    expect(sent.at(-1)).toMatchObject({ uid });
    expect(sent.at(-1)!.header('subject')).toBe('Copy for Sent');
    expect(sent.at(-1)!.raw).toMatch(/\r\n\r\nHello\.\r\n$/);
    const inbox = await dovecot.messages('INBOX');
    expect(inbox.find((m) => m.uid === flagged)?.flags).toEqual(['\\Seen']);

    // What a client appends to Sent shows up exactly once.
    const c = client(dovecot.imapOptions());
    await c.connect();
    const appended = await c.append('Sent', message('Appended by the client'), ['\\Seen']);
    await c.logout();
    const after = await dovecot.messages('Sent');
    expect(after.filter((m) => m.header('subject') === 'Appended by the client')).toHaveLength(1);
    expect(after.at(-1)!.uid).toBe(appended && appended.uid);
  });

  it('changeUidValidity(): the value changes, the messages stay, a selected client is disconnected and a new session sees the new value', async () => {
    await dovecot.deliver(message('Kept across the change'));
    const held = await dovecot.messages('INBOX');

    const c = client(dovecot.imapOptions());
    await c.connect();
    const box = await c.mailboxOpen('INBOX');
    const closed = waitFor<void>(c, 'close', 15_000);

    const { before, after } = await dovecot.changeUidValidity('INBOX');
    expect(BigInt(before)).toBe(box.uidValidity);
    expect(after).not.toBe(before);

    // Dovecot notices the index reset on the next command and says BYE ("IMAP session state is
    // inconsistent, please relogin."): the selected session cannot go on with old UIDs.
    await c.noop().catch(() => {});
    await closed;
    expect(c.usable).toBe(false);
    await expect(c.status('INBOX', { messages: true })).rejects.toMatchObject({ code: 'NoConnection' });
    await expect.poll(() => dovecot.log(), { timeout: 5000 }).toMatch(/view is now inconsistent/);
    await expect.poll(() => dovecot.log(), { timeout: 5000 }).toMatch(/IMAP session state is inconsistent, please relogin/);

    const again = client(dovecot.imapOptions());
    await again.connect();
    const reopened = await again.mailboxOpen('INBOX');
    expect(reopened.uidValidity).toBe(BigInt(after));
    const status = await again.status('INBOX', { uidValidity: true, messages: true });
    expect(status && status.uidValidity).toBe(BigInt(after));
    const uids: number[] = [];
    for await (const m of again.fetch('1:*', { uid: true })) uids.push(m.uid);
    expect(uids).toEqual(held.map((m) => m.uid));
    await again.logout();
    expect((await dovecot.status('INBOX')).uidValidity).toBe(after);
  });

  it('a connection cut in the middle of a FETCH answer makes imapflow fail the fetch with NoConnection and close', async () => {
    for (let i = 0; i < 3; i++) await dovecot.deliver(message(`Big ${i}`, `${'x'.repeat(76)}\r\n`.repeat(100)));
    const c = client(dovecot.proxyOptions());
    await c.connect();
    await c.mailboxOpen('INBOX');
    const closed = waitFor<void>(c, 'close', 15_000);
    // 200 bytes: inside the first message's literal, so no message is complete.
    const cut = dovecot.cutNextFetch({ afterBytes: 200 });
    const got: number[] = [];
    const err = await (async () => {
      for await (const m of c.fetch('1:*', { uid: true, source: true })) got.push(m.uid);
    })().then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(await cut).toMatchObject({ forwarded: 200, command: expect.stringMatching(/FETCH 1:\* /) });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ message: 'Connection not available', code: 'NoConnection' });
    expect(got).toEqual([]);
    await closed;
    expect(c.usable).toBe(false);
  });

  it('with the default cut point, whole messages before the cut still arrive, then the fetch fails', async () => {
    const c = client(dovecot.proxyOptions());
    await c.connect();
    await c.mailboxOpen('INBOX');
    const total = (await dovecot.status('INBOX')).messages;
    const cut = dovecot.cutNextFetch();
    const got: number[] = [];
    const err = await (async () => {
      for await (const m of c.fetch('1:*', { uid: true, source: true })) got.push(m.uid);
    })().then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect((await cut).forwarded).toBeGreaterThan(0);
    expect(err).toMatchObject({ code: 'NoConnection' });
    expect(got.length).toBeLessThan(total);
  });

  it('cutAfterBytes(n) cuts whatever is flowing: here the LOGIN answer', async () => {
    const cut = dovecot.proxy.cutAfterBytes(10);
    const c = client(dovecot.proxyOptions());
    const err = await c.connect().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(await cut).toMatchObject({ forwarded: 10 });
    expect(err).toBeInstanceOf(Error);
  });

  it('two instances run at once, each with its own port, users and mail', async () => {
    const second = await startDovecot({ users: [{ name: 'second', password: 'pw2' }] });
    try {
      expect(second.port).not.toBe(dovecot.port);
      expect(second.dir).not.toBe(dovecot.dir);
      await second.deliver(message('Only in the second'));
      const a = client(second.imapOptions());
      await a.connect();
      const status = await a.status('INBOX', { messages: true });
      expect(status && status.messages).toBe(1);
      await a.logout();
      // The first instance neither knows the second's user nor got its message.
      const wrong = client({ ...dovecot.imapOptions(), auth: { user: 'second', pass: 'pw2' } });
      await expect(wrong.connect()).rejects.toMatchObject({ authenticationFailed: true });
      const inFirst = await dovecot.messages('INBOX');
      expect(inFirst.some((m) => m.header('subject') === 'Only in the second')).toBe(false);
      // A second user of the first instance has a mailbox of their own.
      await dovecot.deliver(message('For the other user'), { user: 'other' });
      expect((await dovecot.messages('INBOX', 'other')).map((m) => m.header('subject'))).toEqual(['For the other user']);
    } finally {
      await second.stop();
    }
    expect(dovecot.log()).toMatch(/starting up/);
  });
});
