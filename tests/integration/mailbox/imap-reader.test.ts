/**
 * The mailbox reader against a real Dovecot: replies, out-of-office answers, delivery reports and
 * requests to stop, delivered as a mail server would, read with imapflow, classified and recorded
 * on the contact once each, across a second pass, a connection cut mid-FETCH and a UIDVALIDITY change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContact, forgetContact } from '../../../src/app/contact-commands.ts';
import { KnownIndex } from '../../../src/app/mailbox/known-index.ts';
import { mailboxPass } from '../../../src/app/mailbox/pass.ts';
import type { MailSource } from '../../../src/app/mailbox/ports.ts';
import { onMeeting, requestMeeting } from '../../../src/app/meeting-commands.ts';
import type { AppContext } from '../../../src/app/handle.ts';
import { imapConfigFrom } from '../../../src/infra/mailbox/config.ts';
import { imapMailbox, type ImapMailbox } from '../../../src/infra/mailbox/imap.ts';
import { mailParser } from '../../../src/infra/mailbox/parse-inbound.ts';
import { redisMailboxState } from '../../../src/infra/mailbox/redis-state.ts';
import { createRedis, ensureReachable } from '../../../src/infra/redis.ts';
import { startMailboxWorker } from '../../../workers/mailbox.ts';
import { silentLogger } from '../../../src/main/logger.ts';
import { appSandbox } from '../../support/app.ts';
import { startDovecot, type Dovecot } from '../../support/dovecot.ts';
import { bounce, outOfOffice, reply, uniqueId } from '../../support/mailbox/messages.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../../support/pipeline.ts';

const USERS = ['forget', 'reply', 'order', 'once', 'auto', 'dsn', 'stop', 'uidvalidity', 'cut', 'idle', 'wrong'];
let dovecot: Dovecot;
let redis: Redis;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dovecot = await startDovecot({ users: USERS.map((name) => ({ name, password: `pw-${name}:x@y` })) });
  redis = createRedis(REDIS_URL, 'producer');
  await ensureReachable(redis, REDIS_URL);
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  redis?.disconnect();
  await dovecot?.stop();
}, 60_000);

const SEEKER = 'sam@example.com';

/** A workspace with Priya asked for a meeting by email (our request's Message-ID known), and a reader on one Dovecot user's INBOX. */
async function setup(user: string, opts: { viaProxy?: boolean } = {}) {
  const s = await appSandbox();
  const prefix = testPrefix();
  const ctx: AppContext = s.ctx;
  const { id: priya } = await addContact(ctx, { name: 'Priya Raman', email: 'priya@contoso.example', org: 'Contoso', role: 'Head of Data' });
  const { id: meeting } = await requestMeeting(ctx, { contact: priya, minutes: 20, channel: 'email' });
  const ourId = uniqueId('example.com');
  await onMeeting(ctx, meeting, () => ({ type: 'RecordOutreachEmailSent', messageId: ourId, now: new Date(Date.now() - 3600_000).toISOString() }));
  const imap = imapMailbox(imapConfigFrom(opts.viaProxy ? dovecot.proxyUrl(user) : dovecot.imapUrl(user)));
  const bodies: number[] = [];
  // Counts what is fetched past the headers: only mail that concerns us.
  const source: MailSource = { ...imap.source, bodies: (uids) => (bodies.push(...uids), imap.source.bodies(uids)) };
  const deps = {
    store: s.store,
    clock: ctx.clock,
    workspaceId: ctx.workspaceId,
    source,
    parser: mailParser,
    state: redisMailboxState(redis, prefix),
    index: new KnownIndex(ctx.workspaceId, [user]),
  };
  cleanups.push(async () => {
    await imap.close();
    await deleteKeys(prefix);
    await s.cleanup();
  });
  const events = async (type?: string) => (await s.store.readAll({ maxCount: 10_000 })).filter((e) => !type || e.type === type);
  return { s, ctx, priya, meeting, ourId, imap, deps, bodies, events, pass: () => mailboxPass(deps), deliver: (raw: string) => dovecot.deliver(raw, { user }) };
}

describe('the mailbox reader on a real IMAP server', () => {
  it('a reply in our thread is recorded on the contact with its excerpt; mail that is not ours is not fetched past its headers', async () => {
    const t = await setup('reply');
    const newsletter = reply({ from: 'news@shop.example', to: SEEKER, subject: 'Our winter sale', text: 'Everything must go.' });
    await t.deliver(newsletter);
    await t.deliver(
      reply({
        from: 'Priya Raman <priya@contoso.example>',
        to: SEEKER,
        inReplyTo: t.ourId,
        text: 'Happy to talk on Thursday at 3.\n\nOn Mon, 7 Dec 2026 at 09:00, Sam Seeker <sam@example.com> wrote:\n> old',
      }),
    );
    const outcome = await t.pass();
    expect(outcome).toMatchObject({ ok: true, result: { seen: 2, matched: 1, recorded: 1, kinds: { ReplyReceived: 1 } } });
    const [replied] = await t.events('ReplyReceived');
    expect(replied).toMatchObject({
      stream: `contact-${t.priya}`,
      data: { summary: 'Happy to talk on Thursday at 3.', source: 'mailbox', meetingId: t.meeting },
    });
    expect(t.bodies).toHaveLength(1);
    expect(await t.deps.state.status(t.ctx.workspaceId)).toMatchObject({ provider: 'imap', matched: 1, recorded: 1 });
    expect(await t.events('MailboxConnected')).toHaveLength(1);
  });

  it("one person's messages are recorded in the order they came, while different people's are recorded together", async () => {
    const t = await setup('order');
    const { id: omar } = await addContact(t.ctx, { name: 'Omar Haddad', email: 'omar@fabrikam.example' });
    const { id: omarMeeting } = await requestMeeting(t.ctx, { contact: omar, minutes: 20, channel: 'email' });
    const omarId = uniqueId('example.com');
    await onMeeting(t.ctx, omarMeeting, () => ({ type: 'RecordOutreachEmailSent', messageId: omarId, now: new Date(Date.now() - 3600_000).toISOString() }));
    const words = ['first', 'second', 'third', 'fourth'];
    for (const w of words) {
      await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, subject: `Re: ${w}`, text: `Priya's ${w} answer.` }));
      await t.deliver(reply({ from: 'omar@fabrikam.example', to: SEEKER, inReplyTo: omarId, subject: `Re: ${w}`, text: `Omar's ${w} answer.` }));
    }
    expect(await t.pass()).toMatchObject({ ok: true, result: { matched: 8, recorded: 8, kinds: { ReplyReceived: 8 } } });
    const said = async (contact: string) =>
      (await t.s.store.readStream(`contact-${contact}`)).filter((e) => e.type === 'ReplyReceived').map((e) => (e.data as { summary: string }).summary);
    expect(await said(t.priya)).toEqual(words.map((w) => `Priya's ${w} answer.`));
    expect(await said(omar)).toEqual(words.map((w) => `Omar's ${w} answer.`));
  });

  it('each message is recorded once: a second pass reads nothing new, and a lost checkpoint re-reads without recording twice', async () => {
    const t = await setup('once');
    await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, text: 'Yes, let us talk.' }));
    expect(await t.pass()).toMatchObject({ ok: true, result: { recorded: 1 } });
    expect(await t.pass()).toMatchObject({ ok: true, result: { seen: 0, recorded: 0 } });
    const fresh = { ...t.deps, state: redisMailboxState(redis, testPrefix()), index: new KnownIndex(t.ctx.workspaceId, ['once']) };
    expect(await mailboxPass(fresh)).toMatchObject({ ok: true, result: { rescan: true, matched: 1, recorded: 0 } });
    expect(await t.events('ReplyReceived')).toHaveLength(1);
  });

  it('an out-of-office answer is not a reply: AutoReplyReceived with the day the person is back', async () => {
    const t = await setup('auto');
    const back = new Date(Date.now() + 10 * 86_400_000);
    const words = `${back.getUTCDate()} ${back.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${back.getUTCFullYear()}`;
    await t.deliver(outOfOffice({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, back: words }));
    expect(await t.pass()).toMatchObject({ ok: true, result: { recorded: 1, kinds: { AutoReplyReceived: 1 } } });
    expect(await t.events('ReplyReceived')).toHaveLength(0);
    const [auto] = await t.events('AutoReplyReceived');
    expect(auto!.data).toMatchObject({ meetingId: t.meeting, returnsOn: back.toISOString().slice(0, 10), signal: 'Auto-Submitted: auto-replied' });
  });

  it('a delivery report of a permanent failure suppresses the address; a delay is noted and suppresses nothing', async () => {
    const t = await setup('dsn');
    await t.deliver(bounce({ to: SEEKER, recipient: 'priya@contoso.example', originalMessageId: t.ourId, action: 'delayed' }));
    await t.deliver(bounce({ to: SEEKER, recipient: 'priya@contoso.example', originalMessageId: t.ourId }));
    expect(await t.pass()).toMatchObject({ ok: true, result: { recorded: 2, kinds: { EmailDelayed: 1, EmailBounced: 1 } } });
    const [bounced] = await t.events('EmailBounced');
    expect(bounced!.data).toMatchObject({ effect: 'delivery-report', email: 'priya@contoso.example', code: 550, meetingId: t.meeting });
    expect((bounced!.data as { reason: string }).reason).toMatch(/^5\.1\.1 /);
    expect((await t.events('EmailDelayed'))[0]!.data).toMatchObject({ status: '4.4.1' });
  });

  it('a reply that asks to stop opts the contact out', async () => {
    const t = await setup('stop');
    await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, text: 'Please remove me from your list.' }));
    expect(await t.pass()).toMatchObject({ ok: true, result: { kinds: { ContactOptedOut: 1 } } });
    expect((await t.events('ContactOptedOut'))[0]!.data).toMatchObject({ source: 'reply' });
  });

  it('a changed UIDVALIDITY re-reads the INBOX: what was recorded is not recorded again, what is new is', async () => {
    const t = await setup('uidvalidity');
    await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, text: 'First answer.' }));
    expect(await t.pass()).toMatchObject({ ok: true, result: { recorded: 1 } });
    const before = (await t.deps.state.checkpoint(t.ctx.workspaceId))!;
    await dovecot.changeUidValidity('INBOX', 'uidvalidity');
    await t.deliver(reply({ from: 'Bob <bob@elsewhere.example>', to: SEEKER, text: 'Not ours.' }));
    await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, subject: 'Re: again', text: 'Second answer: Thursday works.' }));
    // The session that read before is told to log in again; the pass after that reconnects.
    let outcome = await t.pass();
    if (!outcome.ok) outcome = await t.pass();
    expect(outcome).toMatchObject({ ok: true, result: { rescan: true, seen: 3, matched: 2, recorded: 1 } });
    expect((await t.deps.state.checkpoint(t.ctx.workspaceId))!.uidValidity).not.toBe(before.uidValidity);
    expect((await t.events('ReplyReceived')).map((e) => (e.data as { summary: string }).summary)).toEqual(['First answer.', 'Second answer: Thursday works.']);
  });

  it('a connection cut in the middle of a FETCH fails the pass; the next one reads on and records each message once', async () => {
    const t = await setup('cut', { viaProxy: true });
    for (let i = 0; i < 5; i++) {
      await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, subject: `Re: ${i}`, text: `Answer ${i}. ${'x'.repeat(2000)}` }));
    }
    const cut = dovecot.cutNextFetch({ afterBytes: 3000 });
    const failed = await t.pass();
    expect(await cut).toMatchObject({ forwarded: 3000 });
    expect(failed).toMatchObject({ ok: false, disconnected: false });
    expect((await t.deps.state.status(t.ctx.workspaceId))!.lastError).toMatch(/dropped|connection/i);
    expect(await t.pass()).toMatchObject({ ok: true });
    expect(await t.events('ReplyReceived')).toHaveLength(5);
    expect((await t.deps.state.status(t.ctx.workspaceId))!.lastError).toBeUndefined();
  });

  it('a worker in IDLE wakes up when a reply is delivered, long before its poll interval', async () => {
    const t = await setup('idle');
    const worker = startMailboxWorker({
      pass: () => mailboxPass(t.deps),
      waitForMail: (ms, signal) => t.imap.waitForMail(ms, signal),
      pollMs: 3_600_000,
      log: silentLogger(),
      close: () => t.imap.close(),
    });
    try {
      await worker.firstPass;
      await expect.poll(() => t.imap.idling, { timeout: 5000 }).toBe(true);
      await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, text: 'Just saw this, yes!' }));
      await expect.poll(async () => (await t.events('ReplyReceived')).length, { timeout: 20_000 }).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('forgetting the contact erases the excerpt read from the mailbox (sealed under their key); later mail from them records nothing', async () => {
    const t = await setup('forget');
    await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, text: 'My mobile is 07700 900123, call me.' }));
    expect(await t.pass()).toMatchObject({ ok: true, result: { recorded: 1 } });
    await forgetContact(t.ctx, { contact: t.priya });
    const [replied] = await t.events('ReplyReceived');
    expect(JSON.stringify(replied!.data)).not.toContain('07700');
    const raw = readFileSync(join(t.s.dir, 'events.db'));
    expect(raw.includes(Buffer.from('07700 900123'))).toBe(false);
    await t.deliver(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, subject: 'Re: again', text: 'Me again.' }));
    expect(await t.pass()).toMatchObject({ ok: true, result: { recorded: 0 } });
  });

  it('a wrong password is one clear message and one MailboxDisconnected, and the worker stops instead of retrying', async () => {
    const t = await setup('wrong');
    const imap = imapMailbox(imapConfigFrom(dovecot.imapUrl('wrong').replace(/:[^:@/]*@/, ':not-the-password@')));
    const deps = { ...t.deps, source: imap.source };
    const worker = startMailboxWorker({
      pass: () => mailboxPass(deps),
      waitForMail: (ms, s) => imap.waitForMail(ms, s),
      pollMs: 200,
      log: silentLogger(),
      close: () => imap.close(),
    });
    await worker.done;
    const [disconnected, ...more] = await t.events('MailboxDisconnected');
    expect(more).toHaveLength(0);
    expect(disconnected!.data).toMatchObject({ provider: 'imap', reason: 'auth-failed' });
    const status = (await deps.state.status(t.ctx.workspaceId))!;
    expect(status).toMatchObject({ disconnected: true });
    expect(status.lastError).toMatch(/refused the user and password in IMAP_URL .*restart the worker/);
    expect(status.lastError).not.toContain('not-the-password');
    expect(dovecot.log().match(/auth failed|Authentication failed|password mismatch/gi)?.length ?? 0).toBeLessThanOrEqual(2);
  });
});
