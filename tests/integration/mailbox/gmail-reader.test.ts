/**
 * Gmail with the real @googleapis/gmail client against the Gmail stand-in (GOOGLE_API_ROOT_URL):
 * mail goes out by users.messages.send with nodemailer's raw message, a follow-up in its thread;
 * replies are read with history.list from the stored historyId, an expired one (404) falls back to
 * a bounded scan that records nothing twice, and a revoked grant is one MailboxDisconnected.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContact } from '../../../src/app/contact-commands.ts';
import { syncGmail } from '../../../src/app/mailbox/gmail-sync.ts';
import { KnownIndex } from '../../../src/app/mailbox/known-index.ts';
import { readingPass } from '../../../src/app/mailbox/pass.ts';
import { onMeeting, requestMeeting } from '../../../src/app/meeting-commands.ts';
import { googleConfigFrom } from '../../../src/infra/google/config.ts';
import { createGmailClient } from '../../../src/infra/google/gmail-client.ts';
import { buildMail } from '../../../src/infra/mail/message.ts';
import { gmailSource, gmailTransport } from '../../../src/infra/mailbox/gmail.ts';
import { mailParser } from '../../../src/infra/mailbox/parse-inbound.ts';
import { redisMailboxState } from '../../../src/infra/mailbox/redis-state.ts';
import { createRedis, ensureReachable } from '../../../src/infra/redis.ts';
import { appSandbox } from '../../support/app.ts';
import { startGmailStandIn, type GmailStandIn } from '../../support/gmail-standin/index.ts';
import { outOfOffice, reply, uniqueId } from '../../support/mailbox/messages.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../../support/pipeline.ts';

let google: GmailStandIn;
let redis: Redis;
const cleanups: (() => Promise<void>)[] = [];
const SEEKER = 'sam@example.com';

beforeAll(async () => {
  google = await startGmailStandIn({ accountEmail: SEEKER });
  redis = createRedis(REDIS_URL, 'producer');
  await ensureReachable(redis, REDIS_URL);
}, 30_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  redis?.disconnect();
  await google?.stop();
});

const clientFor = (refreshToken = google.issueRefreshToken()) => createGmailClient({ config: googleConfigFrom(google.env()), refreshToken });

const request = (messageId: string, thread?: string) =>
  buildMail({
    from: { name: 'Sam Seeker', email: SEEKER },
    to: { name: 'Priya Raman', email: 'priya@contoso.example' },
    subject: thread ? 'Re: A question about your work' : 'A question about your work',
    text: 'Would you have 20 minutes next week?',
    html: '<p>Would you have 20 minutes next week?</p>',
    messageId,
    ...(thread ? { inReplyTo: thread, references: [thread] } : {}),
  });

async function setup() {
  const s = await appSandbox();
  const prefix = testPrefix();
  const { id: priya } = await addContact(s.ctx, { name: 'Priya Raman', email: 'priya@contoso.example' });
  const { id: meeting } = await requestMeeting(s.ctx, { contact: priya, minutes: 20, channel: 'email' });
  const ourId = uniqueId('example.com');
  await onMeeting(s.ctx, meeting, () => ({ type: 'RecordOutreachEmailSent', messageId: ourId, now: new Date(Date.now() - 3600_000).toISOString() }));
  const deps = {
    store: s.store,
    clock: s.ctx.clock,
    workspaceId: s.ctx.workspaceId,
    parser: mailParser,
    state: redisMailboxState(redis, prefix),
    index: new KnownIndex(s.ctx.workspaceId, [SEEKER]),
  };
  cleanups.push(async () => {
    await deleteKeys(prefix);
    await s.cleanup();
  });
  const events = async (type: string) => (await s.store.readAll({ maxCount: 10_000 })).filter((e) => e.type === type);
  const passWith = (client = clientFor()) => readingPass(deps, 'gmail', () => syncGmail({ ...deps, gmail: gmailSource(client) }));
  return { s, priya, meeting, ourId, deps, events, passWith };
}

describe('Gmail', () => {
  it('sends the raw message nodemailer composed through users.messages.send, and a follow-up into the thread of the message it answers', async () => {
    const transport = gmailTransport(clientFor(), SEEKER);
    const first = uniqueId('example.com');
    await transport.send(request(first));
    await transport.send(request(uniqueId('example.com'), first));
    const [a, b] = google.sent().slice(-2);
    expect(a!.messageId).toBe(first);
    expect(a!.subject).toBe('A question about your work');
    expect(b!.requestedThreadId).toBe(a!.threadId);
    expect(b!.threadId).toBe(a!.threadId);
    expect(b!.inReplyTo).toBe(first);
  });

  it('reads replies with history.list from the stored historyId; an expired one falls back to a bounded scan that records nothing twice', async () => {
    const t = await setup();
    const client = clientFor();
    google.deliverInbound(reply({ from: 'Priya Raman <priya@contoso.example>', to: SEEKER, inReplyTo: t.ourId, text: 'Yes, happy to.' }));
    google.deliverInbound(reply({ from: 'news@shop.example', to: SEEKER, subject: 'Sale', text: 'Buy now.' }));
    expect(await t.passWith(client)).toMatchObject({ ok: true, result: { rescan: true, matched: 1, recorded: 1 } });

    const back = new Date(Date.now() + 9 * 86_400_000);
    google.deliverInbound(outOfOffice({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, back: back.toISOString().slice(0, 10) }));
    expect(await t.passWith(client)).toMatchObject({ ok: true, result: { rescan: false, seen: 1, recorded: 1, kinds: { AutoReplyReceived: 1 } } });
    expect(google.lastCall('history')).toMatchObject({ status: 200 });

    google.expireHistoryBefore(google.historyId() + 1);
    google.deliverInbound(reply({ from: 'priya@contoso.example', to: SEEKER, inReplyTo: t.ourId, subject: 'Re: later', text: 'Thursday at 3?' }));
    expect(await t.passWith(client)).toMatchObject({ ok: true, result: { rescan: true, recorded: 1 } });
    expect((await t.events('ReplyReceived')).map((e) => (e.data as { summary: string }).summary)).toEqual(['Yes, happy to.', 'Thursday at 3?']);
    expect(await t.events('AutoReplyReceived')).toHaveLength(1);
  });

  it('a revoked grant is one MailboxDisconnected and a status that says to connect again', async () => {
    const t = await setup();
    const token = google.issueRefreshToken();
    google.revokeAll();
    const outcome = await t.passWith(clientFor(token));
    expect(outcome).toMatchObject({ ok: false, disconnected: true });
    expect((await t.events('MailboxDisconnected'))[0]!.data).toMatchObject({ provider: 'gmail', reason: 'revoked' });
    expect((await t.deps.state.status(t.s.ctx.workspaceId))!.lastError).toMatch(/outreach google connect --gmail/);
    expect((await t.deps.state.status(t.s.ctx.workspaceId))!.lastError).not.toContain(token);
  });
});
