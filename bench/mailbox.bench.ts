/**
 * The mailbox reader: one pass over an INBOX of N replies in our threads on a real Dovecot (the
 * tests' harness, IMAP on loopback): headers fetched, each matched, the whole message fetched,
 * parsed, classified and its ReplyReceived recorded on a sealed SQLite store; against raw imapflow
 * fetching the same messages the same way (headers of all, then the whole of each) from the same
 * Dovecot, in the same run. Each side connects and logs in first (not timed). One untimed pass of
 * each side warms both up; then three runs that alternate which side goes first; the run with the
 * median ratio is reported.
 */
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { addContact } from '../src/app/contact-commands.ts';
import { systemClock } from '../src/app/clock.ts';
import type { AppContext } from '../src/app/handle.ts';
import { KnownIndex } from '../src/app/mailbox/known-index.ts';
import type { MailboxCheckpoint, MailboxState, MailboxStatus } from '../src/app/mailbox/ports.ts';
import { syncMailbox } from '../src/app/mailbox/sync.ts';
import { onMeeting, requestMeeting } from '../src/app/meeting-commands.ts';
import { configureWorkspace } from '../src/app/workspace-commands.ts';
import { openSqliteEventStore } from '../src/eventstore/sqlite/store.ts';
import { imapConfigFrom } from '../src/infra/mailbox/config.ts';
import { imapMailbox } from '../src/infra/mailbox/imap.ts';
import { mailParser } from '../src/infra/mailbox/parse-inbound.ts';
import { startDovecot } from '../tests/support/dovecot.ts';
import { reply } from '../tests/support/mailbox/messages.ts';
import { defineBenchmark, medianBy, row, type BenchContext, type Benchmark } from './harness.ts';
import { sealedStore } from './sealed-store.ts';

const NAME = 'mailbox: messages classified and recorded per second';
const MESSAGES = 1000;
const CONTACTS = 50;
const RUNS = 3;

/** The checkpoint in memory: the bench measures reading and recording, not Redis. */
function memoryState(): MailboxState {
  let cp: MailboxCheckpoint | null = null;
  let st: MailboxStatus | null = null;
  return {
    checkpoint: async () => cp,
    saveCheckpoint: async (_w, c) => {
      cp = c;
    },
    status: async () => st,
    saveStatus: async (_w, s) => {
      st = s;
    },
  };
}

/** A workspace whose CONTACTS contacts were each sent a request: the Message-IDs the replies answer. */
async function workspace(ctx: BenchContext) {
  const dir = ctx.tempDir();
  const inner = openSqliteEventStore(join(dir, 'events.db'));
  const store = sealedStore(inner, join(dir, 'keys.db'));
  const app: AppContext = { store, clock: systemClock, workspaceId: 'bench', actor: 'bench' };
  await configureWorkspace(app, { ownerName: 'Sam Seeker', ownerEmail: 'sam@example.com', objective: 'Learn how data teams hire', timezone: 'Europe/London' });
  const sent: { email: string; messageId: string }[] = [];
  for (let i = 0; i < CONTACTS; i++) {
    const email = `person${i}@contact.example`;
    const { id } = await addContact(app, { name: `Person ${i} Example`, email });
    const { id: meeting } = await requestMeeting(app, { contact: id, minutes: 20, channel: 'email' });
    const messageId = `<bench-${i}@example.com>`;
    await onMeeting(app, meeting, () => ({ type: 'RecordOutreachEmailSent', messageId, now: new Date(Date.now() - 86_400_000).toISOString() }));
    sent.push({ email, messageId });
  }
  return { app, store, sent };
}

async function raw(url: string): Promise<number> {
  const c = imapConfigFrom(url);
  const client = new ImapFlow({ host: c.host, port: c.port, secure: false, auth: { user: c.user, pass: c.pass }, logger: false });
  await client.connect();
  const t0 = performance.now();
  await client.mailboxOpen('INBOX', { readOnly: true });
  const uids: number[] = [];
  for await (const m of client.fetch('1:*', { uid: true, headers: true, internalDate: true }, { uid: true })) if (m.headers) uids.push(m.uid);
  let bytes = 0;
  for await (const m of client.fetch(uids.join(','), { uid: true, source: true }, { uid: true })) bytes += m.source?.length ?? 0;
  const s = (performance.now() - t0) / 1000;
  await client.logout();
  if (uids.length !== MESSAGES || bytes === 0) throw new Error(`raw imapflow read ${uids.length} of ${MESSAGES} messages`);
  return MESSAGES / s;
}

async function ours(ctx: BenchContext, url: string): Promise<number> {
  const w = await workspace(ctx);
  const imap = imapMailbox(imapConfigFrom(url));
  await imap.source.open(); // connects and logs in, as raw does before its clock starts
  const deps = {
    store: w.store,
    clock: systemClock,
    workspaceId: 'bench',
    source: imap.source,
    parser: mailParser,
    state: memoryState(),
    index: new KnownIndex('bench'),
  };
  const t0 = performance.now();
  const r = await syncMailbox(deps);
  const s = (performance.now() - t0) / 1000;
  await imap.close();
  await w.store.close();
  if (r.recorded !== MESSAGES) throw new Error(`the reader recorded ${r.recorded} of ${MESSAGES} messages`);
  return MESSAGES / s;
}

export const mailboxBenchmarks: Benchmark[] = [
  defineBenchmark(NAME, async (ctx) => {
    const dovecot = await startDovecot();
    try {
      const w = await workspace(ctx);
      ctx.progress(`delivering ${MESSAGES} replies over LMTP`);
      for (let i = 0; i < MESSAGES; i++) {
        const to = w.sent[i % CONTACTS]!;
        await dovecot.deliver(
          reply({
            from: to.email,
            to: 'sam@example.com',
            inReplyTo: to.messageId,
            subject: `Re: question ${i}`,
            text: `Reply ${i}: happy to talk.\n\n${'A line of text.\n'.repeat(20)}`,
          }),
        );
      }
      await w.store.close();
      // One pass of each side first, not counted: a worker that reads a mailbox all day runs warm, and so does raw.
      ctx.progress('warming up: one untimed pass of each side');
      await ours(ctx, dovecot.imapUrl());
      await raw(dovecot.imapUrl());
      const runs: { ours: number; raw: number }[] = [];
      for (let i = 0; i < RUNS; i++) {
        ctx.settle();
        const first = i % 2 === 0 ? 'ours' : 'raw';
        const a = first === 'ours' ? await ours(ctx, dovecot.imapUrl()) : await raw(dovecot.imapUrl());
        ctx.settle();
        const b = first === 'ours' ? await raw(dovecot.imapUrl()) : await ours(ctx, dovecot.imapUrl());
        const run = first === 'ours' ? { ours: a, raw: b } : { ours: b, raw: a };
        ctx.progress(`run ${i + 1}: ours ${run.ours.toFixed(0)}/s, raw imapflow ${run.raw.toFixed(0)}/s`);
        runs.push(run);
      }
      const m = medianBy(runs, (r) => r.ours / r.raw);
      return [row(NAME, m.ours, 'msgs/s', m.raw, '>= 0.5x raw')];
    } finally {
      await dovecot.stop();
    }
  }),
];
