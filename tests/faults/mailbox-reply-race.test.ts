import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContact } from '../../src/app/contact-commands.ts';
import { requestMeeting } from '../../src/app/meeting-commands.ts';
import { emailWiringFrom } from '../../src/main/email.ts';
import { silentLogger } from '../../src/main/logger.ts';
import { mailboxWiringFrom, mailboxWorker } from '../../src/main/mailbox.ts';
import { emailWorker, reactorWorker } from '../../src/main/workers.ts';
import { appSandbox } from '../support/app.ts';
import { startDovecot, type Dovecot } from '../support/dovecot.ts';
import { configureAllHours } from '../support/email-fixtures.ts';
import { faultScale, reportScenario } from '../support/faults.ts';
import { reply } from '../support/mailbox/messages.ts';
import { deleteKeys, pipelineEnv, testPrefix, testRuntime } from '../support/pipeline.ts';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';

/*
 * Replies land in the seeker's mailbox (a real Dovecot, delivered over LMTP) while the nudges of the
 * same requests fall due: the reactor, the email worker (real SMTP) and the mailbox worker (IDLE on
 * INBOX) run in this process. Each reply must be recorded (`lost` counts those that were not), and
 * no nudge may begin to go (its MAIL FROM) more than one poll interval after the reply was in the mailbox (`twice`).
 */

const N = faultScale(12, 60);
const NUDGE_AFTER_S = 4;
const POLL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let smtp: SmtpStandIn;
let dovecot: Dovecot;
const prefixes: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
  dovecot = await startDovecot();
}, 60_000);
afterAll(async () => {
  await smtp?.stop();
  await dovecot?.stop();
  for (const p of prefixes) await deleteKeys(p);
}, 60_000);

describe('fault: replies land while nudges fall due', () => {
  it(
    'records every reply, and sends no nudge more than one poll interval after its reply arrived',
    async () => {
      const s = await appSandbox({ configure: false });
      await configureAllHours(s.ctx, { nudgeAfter: `PT${NUDGE_AFTER_S}S`, dailyLimit: 10 * N });
      const prefix = testPrefix();
      prefixes.push(prefix);
      const env = pipelineEnv(prefix, s.dir, smtp.url, { IMAP_URL: dovecot.imapUrl(), IMAP_POLL_MS: String(POLL_MS) });
      const rt = await testRuntime(s.store, s.dir, env);
      const log = silentLogger();
      const wiring = emailWiringFrom(rt.config, rt.env, log);
      const reactor = await reactorWorker(rt, log);
      const email = emailWorker(rt, { wiring, log });
      const mailbox = mailboxWorker(rt, mailboxWiringFrom(rt.env, rt.config)!, log);
      const meetings: { contact: string; meeting: string; replies: boolean }[] = [];
      const delivered = new Map<string, number>();
      let lmtp: Promise<unknown> = Promise.resolve();
      try {
        for (let n = 0; n < N; n++) {
          const { id: contact } = await addContact(s.ctx, { name: `Person ${n} Example`, email: `person${n}@contact.example`, timezone: 'Europe/London' });
          const { id: meeting } = await requestMeeting(s.ctx, { contact, minutes: 20, channel: 'email' });
          meetings.push({ contact, meeting, replies: n % 3 !== 0 });
        }
        // Each reply at a random moment around its nudge's due time: some before, some just after.
        const deliveries = meetings
          .filter((m) => m.replies)
          .map(async (m) => {
            let sent: { messageId: string; sentAt: string } | undefined;
            while (!sent) {
              sent = (await s.store.readStream(`meeting-${m.meeting}`)).find((e) => e.type === 'OutreachEmailSent')?.data as typeof sent;
              if (!sent) await sleep(100);
            }
            const at = Date.parse(sent.sentAt) + (NUDGE_AFTER_S - 2 + Math.random() * 4) * 1000;
            await sleep(Math.max(0, at - Date.now()));
            // One delivery at a time, as one mail server hands them over (the harness finds each by its LMTP id).
            const raw = reply({ from: `person${meetings.indexOf(m)}@contact.example`, to: 'sam@seeker.example', inReplyTo: sent.messageId, text: 'Happy to.' });
            // The reply counts as in the mailbox from the moment its delivery starts (the strict reading).
            const turn = lmtp.then(() => {
              const at = Date.now();
              return dovecot.deliver(raw).then(() => at);
            });
            lmtp = turn.catch(() => 0);
            delivered.set(m.meeting, await turn);
          });
        await Promise.all(deliveries);
        // Every nudge still due has had its time, and a poll interval more.
        await sleep((NUDGE_AFTER_S + 3) * 1000 + POLL_MS);
      } finally {
        await mailbox.stop();
        await reactor.stop();
        await email.close();
        await wiring.transport.close();
        await rt.close();
      }
      const replied = meetings.filter((m) => m.replies);
      const recorded = await Promise.all(replied.map(async (m) => (await s.store.readStream(`contact-${m.contact}`)).some((e) => e.type === 'ReplyReceived')));
      const lateNudges = await Promise.all(
        replied.map(async (m) => {
          const nudge = (await s.store.readStream(`meeting-${m.meeting}`)).find((e) => e.type === 'NudgeSent');
          if (nudge === undefined) return false;
          // Its send began at MAIL FROM at the latest (sentAt comes after the server's answer, which a loaded machine delays).
          const { messageId } = nudge.data as { messageId: string };
          const sent = smtp.messages.find((msg) => msg.parsed.messageId === messageId);
          if (!sent) throw new Error(`NudgeSent ${messageId} was never received by the SMTP server`);
          const began = sent.mailFromAt;
          return began > delivered.get(m.meeting)! + POLL_MS;
        }),
      );
      const silent = await Promise.all(
        meetings.filter((m) => !m.replies).map(async (m) => (await s.store.readStream(`meeting-${m.meeting}`)).some((e) => e.type === 'NudgeSent')),
      );
      const done = recorded.filter(Boolean).length;
      const r = reportScenario({
        name: 'mailbox-reply-race',
        due: replied.length,
        done,
        lost: replied.length - done,
        twice: lateNudges.filter(Boolean).length,
        note: `${silent.filter(Boolean).length}/${silent.length} unanswered requests nudged; poll ${POLL_MS} ms`,
      });
      expect(r.lost).toBe(0);
      expect(r.twice).toBe(0);
      // The people who did not answer still get their one nudge.
      expect(silent.every(Boolean)).toBe(true);
      await s.cleanup();
    },
    faultScale(90_000, 240_000),
  );
});
