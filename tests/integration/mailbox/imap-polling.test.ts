/**
 * A server without IDLE (a Dovecot told not to announce it): the mailbox worker falls back to
 * reading every IMAP_POLL_MS, and a reply delivered meanwhile is still recorded once.
 */
import type { Redis } from 'ioredis';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContact } from '../../../src/app/contact-commands.ts';
import { KnownIndex } from '../../../src/app/mailbox/known-index.ts';
import { mailboxPass } from '../../../src/app/mailbox/pass.ts';
import { onMeeting, requestMeeting } from '../../../src/app/meeting-commands.ts';
import { imapConfigFrom } from '../../../src/infra/mailbox/config.ts';
import { imapMailbox } from '../../../src/infra/mailbox/imap.ts';
import { mailParser } from '../../../src/infra/mailbox/parse-inbound.ts';
import { redisMailboxState } from '../../../src/infra/mailbox/redis-state.ts';
import { createRedis, ensureReachable } from '../../../src/infra/redis.ts';
import { silentLogger } from '../../../src/main/logger.ts';
import { startMailboxWorker } from '../../../workers/mailbox.ts';
import { appSandbox } from '../../support/app.ts';
import { startDovecot, type Dovecot } from '../../support/dovecot.ts';
import { reply, uniqueId } from '../../support/mailbox/messages.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../../support/pipeline.ts';

// Dovecot's default capabilities, IDLE left out.
const WITHOUT_IDLE =
  'imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';

let dovecot: Dovecot;
let redis: Redis;
const prefix = testPrefix();

beforeAll(async () => {
  dovecot = await startDovecot({ extraConfig: WITHOUT_IDLE });
  redis = createRedis(REDIS_URL, 'producer');
  await ensureReachable(redis, REDIS_URL);
}, 60_000);

afterAll(async () => {
  await deleteKeys(prefix);
  redis?.disconnect();
  await dovecot?.stop();
}, 60_000);

describe('a server without IDLE', () => {
  it('announces no IDLE, and the worker reads it by polling: a reply delivered after the first pass is recorded once', async () => {
    const probe = new ImapFlow({ ...dovecot.imapOptions(), logger: false });
    await probe.connect();
    expect(probe.capabilities.has('IDLE')).toBe(false);
    await probe.logout();

    const s = await appSandbox();
    const { id: priya } = await addContact(s.ctx, { name: 'Priya Raman', email: 'priya@contoso.example' });
    const { id: meeting } = await requestMeeting(s.ctx, { contact: priya, minutes: 20, channel: 'email' });
    const ourId = uniqueId('example.com');
    await onMeeting(s.ctx, meeting, () => ({ type: 'RecordOutreachEmailSent', messageId: ourId, now: new Date().toISOString() }));
    const imap = imapMailbox(imapConfigFrom(dovecot.imapUrl()));
    const deps = {
      store: s.store,
      clock: s.ctx.clock,
      workspaceId: s.ctx.workspaceId,
      source: imap.source,
      parser: mailParser,
      state: redisMailboxState(redis, prefix),
      index: new KnownIndex(s.ctx.workspaceId),
    };
    let passes = 0;
    const worker = startMailboxWorker({
      pass: () => (passes++, mailboxPass(deps)),
      waitForMail: (ms, signal) => imap.waitForMail(ms, signal),
      pollMs: 300,
      log: silentLogger(),
      close: () => imap.close(),
    });
    try {
      await worker.firstPass;
      await dovecot.deliver(reply({ from: 'priya@contoso.example', to: 'sam@example.com', inReplyTo: ourId, text: 'Yes, Thursday.' }));
      const replies = async () => (await s.store.readStream(`contact-${priya}`)).filter((e) => e.type === 'ReplyReceived').length;
      await expect.poll(replies, { timeout: 20_000 }).toBe(1);
      await expect.poll(() => passes, { timeout: 10_000 }).toBeGreaterThan(2);
      expect(await replies()).toBe(1);
    } finally {
      await worker.stop();
      await s.cleanup();
    }
  });
});
