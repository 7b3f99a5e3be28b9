import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours, heldMeeting } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testPrefix, testRuntime, workUntilIdle } from '../support/pipeline.ts';
import { faultScale, reportScenario } from '../support/faults.ts';
import { snapshot } from '../../src/infra/queue/idle.ts';

/*
 * A batch of thank-yous through the real pipeline (reactor → BullMQ → email worker → nodemailer's
 * pool → a real SMTP server) while the server, in a burst, answers 421 (closing the connection) and
 * 451 at MAIL, RCPT and after DATA, and cuts connections in the middle of DATA, then recovers. Every
 * fault is temporary: each thank-you must go exactly once, no EmailBounced or EmailFailed, retries
 * with backoff only. The workspace's daily limit is exactly the batch: failed attempts are not sends.
 */

const N = faultScale(60, 300);
/** Rounds of the five faults below: quick 8 (40 faults for 60 mails), full 30 (150 for 300). */
const ROUNDS = faultScale(8, 30);

let smtp: SmtpStandIn;
const prefixes: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.stop();
  for (const p of prefixes) await deleteKeys(p);
});

describe('fault: SMTP 421 / 451 / connection cut mid-DATA in a burst', () => {
  it(
    'sends every thank-you exactly once, bounces and fails none',
    async () => {
      smtp.reset();
      const s = await appSandbox({ configure: false });
      await configureAllHours(s.ctx, { dailyLimit: N });
      const prefix = testPrefix();
      prefixes.push(prefix);
      const rt = await testRuntime(s.store, s.dir, pipelineEnv(prefix, s.dir, smtp.url));
      const started = Date.now();
      try {
        const held: { contact: string; meeting: string }[] = [];
        for (let n = 0; n < N; n++) held.push(await heldMeeting(s.ctx, n));

        // The burst, armed before the worker starts: the first attempts meet it, later ones find the server well.
        for (let i = 0; i < ROUNDS; i++) {
          smtp.failNext(1, 421, { stage: 'data', message: 'Service not available, closing transmission channel' });
          smtp.failNext(1, 451, { stage: 'data', message: 'Requested action aborted: local error in processing' });
          smtp.dropNext(1, { afterBytes: 200 });
          smtp.failNext(1, 421, { stage: 'mail', message: 'Service not available, closing transmission channel' });
          smtp.failNext(1, 451, { stage: 'rcpt', message: 'Requested action aborted: local error in processing' });
        }

        const thankYous = async () =>
          Promise.all(held.map(async (h) => (await s.store.readStream(`meeting-${h.meeting}`)).filter((e) => e.type === 'ThankYouSent')));
        // The worker stops when nothing is due *now*; a retry backing off can be due a moment later.
        const until = Date.now() + faultScale(45_000, 150_000);
        for (;;) {
          await workUntilIdle(rt);
          const sent = await thankYous();
          // Keep-in-touch notes wait six weeks: only thank-yous still queued count.
          const queued = await rt.queues.email.getJobs(['waiting', 'prioritized', 'active', 'delayed']);
          const pending = queued.filter((j) => j?.name === 'thank-you').length;
          if ((sent.every((t) => t.length > 0) && pending === 0) || Date.now() > until) break;
        }

        const sent = await thankYous();
        const contactEvents = (await Promise.all(held.map((h) => s.store.readStream(`contact-${h.contact}`)))).flat();
        const bounced = contactEvents.filter((e) => e.type === 'EmailBounced').length;
        const failures = contactEvents.filter((e) => e.type === 'EmailFailed');
        const failed = failures.length;
        // Why the retries ran out, when they did: the first step in telling load from a fault.
        const why = failures.slice(0, 5).map((e) => `${(e.data as { attempts: number }).attempts}× ${(e.data as { reason: string }).reason}`);
        const accepted = new Map<string, number>();
        for (const m of smtp.messages) accepted.set(m.parsed.messageId ?? '', (accepted.get(m.parsed.messageId ?? '') ?? 0) + 1);
        const done = sent.filter((t) => t.length === 1).length;
        const lost = sent.filter((t) => t.length === 0).length;
        const twice = [...accepted.values()].filter((n) => n > 1).length;
        // Each cut came after some of the message's bytes and before its end (the same message, later accepted, is longer).
        const midData = smtp.drops.filter((d) => {
          const later = smtp.messages.find((m) => m.parsed.messageId === d.messageId);
          return d.bytes > 0 && (!later || d.bytes < later.raw.length);
        }).length;
        const email = await snapshot(rt.queues.email);

        reportScenario({
          name: 'smtp-421-451-drop-mid-data',
          due: N,
          done,
          lost,
          twice,
          note: `${ROUNDS * 5} faults (${smtp.drops.length} cuts mid-DATA, ${midData} before the message's end), ${smtp.messages.length} accepted, ${smtp.connectionCount} connections, ${bounced} bounced, ${failed} failed${why.length ? ` [${why.join('; ')}]` : ''}, ${Date.now() - started} ms`,
        });
        expect(lost).toBe(0);
        expect(done).toBe(N);
        // No window here (no process dies): a message the server accepted is never sent again.
        expect(twice).toBe(0);
        expect(bounced).toBe(0);
        expect(failed).toBe(0);
        expect(smtp.messages).toHaveLength(N);
        // Every Message-ID in the log is the one the server accepted.
        for (const t of sent) expect(accepted.get((t[0]!.data as { messageId: string }).messageId)).toBe(1);
        // The burst happened: every cut was armed and taken, mid-message.
        expect(smtp.drops).toHaveLength(ROUNDS);
        expect(midData).toBe(ROUNDS);
        expect(email.counts['failed'] ?? 0).toBe(0);
      } finally {
        await rt.close();
        await s.cleanup();
      }
    },
    faultScale(60_000, 200_000),
  );
});
