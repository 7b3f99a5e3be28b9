import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours, heldMeeting } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testPrefix, testRuntime, workUntilIdle } from '../support/pipeline.ts';

/*
 * The retry budget through the real pipeline (reactor → BullMQ → email worker → nodemailer → SMTP):
 * only refusals spend the job's attempts (here 2); a 4xx or a server that cannot be reached waits
 * with backoff, bounded by the time since the first failure (OUTREACH_RETRY_WINDOW_MS).
 */

let smtp: SmtpStandIn;
const prefixes: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.stop();
  for (const p of prefixes) await deleteKeys(p);
});

async function pipeline(smtpUrl: string, extraEnv: Record<string, string>) {
  const s = await appSandbox({ configure: false });
  await configureAllHours(s.ctx);
  const prefix = testPrefix();
  prefixes.push(prefix);
  const rt = await testRuntime(s.store, s.dir, pipelineEnv(prefix, s.dir, smtpUrl, { OUTREACH_JOB_ATTEMPTS: '2', ...extraEnv }));
  const { contact, meeting } = await heldMeeting(s.ctx, 1);
  const events = async () => [...(await s.store.readStream(`meeting-${meeting}`)), ...(await s.store.readStream(`contact-${contact}`))];
  /** Works until the thank-you went or failed (the worker stops when nothing is due now; a retry backing off is due a moment later). */
  const settle = async () => {
    for (let round = 0; round < 200; round++) {
      await workUntilIdle(rt);
      if ((await events()).some((e) => e.type === 'ThankYouSent' || e.type === 'EmailFailed')) return;
    }
  };
  return {
    events,
    settle,
    close: async () => {
      await rt.close();
      await s.cleanup();
    },
  };
}

/** A loopback port nothing listens on: every connection is refused, so no attempt reaches a server. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('retry budget: attempts that are refused, not attempts made', () => {
  it('given two attempts, when the server answers 451 five times in a row, then the thank-you still goes, once', async () => {
    smtp.reset();
    smtp.failNext(5, 451);
    const p = await pipeline(smtp.url, {});
    try {
      await p.settle();
      const types = (await p.events()).map((e) => e.type);
      expect(types.filter((t) => t === 'ThankYouSent')).toHaveLength(1);
      expect(types).not.toContain('EmailFailed');
      expect(smtp.messages).toHaveLength(1);
    } finally {
      await p.close();
    }
  });

  it('given two attempts, when the server refuses the sender twice (550 at MAIL), then the attempts are spent and EmailFailed says so', async () => {
    smtp.reset();
    smtp.failNext(2, 550, { stage: 'mail', message: 'sender not allowed' });
    const p = await pipeline(smtp.url, {});
    try {
      await p.settle();
      const failed = (await p.events()).filter((e) => e.type === 'EmailFailed');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.data).toMatchObject({ attempts: 2, reason: expect.stringContaining('2 attempts refused') });
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await p.close();
    }
  });

  it('given two attempts, when the server cannot be reached at all, then it retries past two without spending them and gives up at the window', async () => {
    const p = await pipeline(`smtp://127.0.0.1:${await closedPort()}`, { OUTREACH_RETRY_WINDOW_MS: '1500' });
    try {
      await p.settle();
      const failed = (await p.events()).filter((e) => e.type === 'EmailFailed');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.data).toMatchObject({ attempts: 1, reason: expect.stringMatching(/ECONNREFUSED|ECONNECTION|connect/i) });
      expect((failed[0]!.data as { reason: string }).reason).toContain('after the first failure');
    } finally {
      await p.close();
    }
  });
});
