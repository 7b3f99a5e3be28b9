import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { performEmailEffect, type EmailDeps, type EmailEffectData } from '../../src/app/effects/email/run.ts';
import { memoryCounter } from '../support/memory-counter.ts';
import { createEmailSender } from '../../src/infra/mail/email-sender.ts';
import { effectKey } from '../../src/app/effects/effect.ts';
import { optOut } from '../../src/app/contact-commands.ts';
import { derivedId } from '../../src/app/ids.ts';
import { loadTemplates } from '../../src/infra/mail/templates.ts';
import { createMailTransport } from '../../src/infra/mail/transport.ts';
import { startSmtpServer, type SmtpStandIn } from '../support/smtp-server.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours, heldMeeting } from '../support/email-fixtures.ts';
import type { StoredEvent } from '../../src/eventstore/port.ts';

let smtp: SmtpStandIn;
let transport: ReturnType<typeof createMailTransport>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  transport = createMailTransport({ kind: 'smtp', url: smtp.url, pool: { maxConnections: 2 } });
});
afterAll(async () => {
  transport.close();
  await smtp.stop();
});
beforeEach(() => smtp.reset());

async function setup(limit = 50) {
  const s = await appSandbox({ configure: false });
  await configureAllHours(s.ctx, { dailyLimit: limit });
  const deps: EmailDeps = {
    store: s.store,
    clock: s.ctx.clock,
    counter: memoryCounter(),
    sender: createEmailSender({ templates: loadTemplates(), transport, unsubscribe: { publicUrl: 'https://outreach.example', secret: Buffer.alloc(32, 7) } }),
  };
  const thankYouFor = async (meeting: string, contact: string): Promise<EmailEffectData> => {
    const held = (await s.store.readStream(`meeting-${meeting}`)).find((e: StoredEvent) => e.type === 'MeetingHeld')!;
    return { key: effectKey('thank-you', held.id), kind: 'thank-you', sourceEventId: held.id, workspaceId: 'test', contactId: contact, meetingId: meeting };
  };
  return { ...s, deps, thankYouFor };
}

describe('an email effect', () => {
  it('sends once and records its result with an id derived from the effect key', async () => {
    const s = await setup();
    const { contact, meeting } = await heldMeeting(s.ctx, 1);
    const job = await s.thankYouFor(meeting, contact);
    const first = await performEmailEffect(job, s.deps);
    expect(first.outcome).toBe('sent');
    const events = await s.store.readStream(`meeting-${meeting}`);
    expect(events.at(-1)).toMatchObject({ type: 'ThankYouSent', id: derivedId(job.key) });
    expect(await performEmailEffect(job, s.deps)).toEqual({ outcome: 'skipped', reason: 'already done: its result event is stored' });
    expect(smtp.messages).toHaveLength(1);
    await s.cleanup();
  });

  it('is skipped, with the reason, when the contact opted out since it was scheduled', async () => {
    const s = await setup();
    const { contact, meeting } = await heldMeeting(s.ctx, 1);
    await optOut(s.ctx, { contact });
    expect(await performEmailEffect(await s.thankYouFor(meeting, contact), s.deps)).toEqual({
      outcome: 'skipped',
      reason: 'no thank-you: the contact opted out',
    });
    expect(smtp.messages).toHaveLength(0);
    await s.cleanup();
  });

  it('a temporary SMTP refusal (4xx) is thrown for the queue to retry, and nothing is recorded', async () => {
    const s = await setup();
    const { contact, meeting } = await heldMeeting(s.ctx, 1);
    smtp.failNext(1, 451);
    await expect(performEmailEffect(await s.thankYouFor(meeting, contact), s.deps)).rejects.toMatchObject({ responseCode: 451 });
    expect((await s.store.readStream(`meeting-${meeting}`)).some((e) => e.type === 'ThankYouSent')).toBe(false);
    await s.cleanup();
  });

  it('a permanent refusal (5xx) records a bounce and suppresses every later email to that address', async () => {
    const s = await setup();
    const { contact, meeting } = await heldMeeting(s.ctx, 1);
    smtp.failNext(1, 550, { stage: 'rcpt' });
    expect(await performEmailEffect(await s.thankYouFor(meeting, contact), s.deps)).toMatchObject({ outcome: 'bounced', code: 550 });
    const contactEvents = await s.store.readStream(`contact-${contact}`);
    expect(contactEvents.at(-1)).toMatchObject({ type: 'EmailBounced', data: { email: 'person1@contact.example', code: 550 } });
    expect(await performEmailEffect(await s.thankYouFor(meeting, contact), s.deps)).toEqual({
      outcome: 'skipped',
      reason: 'no thank-you: the address person1@contact.example bounced',
    });
    await s.cleanup();
  });

  it('past the daily limit it is deferred to the next business window, not dropped', async () => {
    const s = await setup(1);
    const a = await heldMeeting(s.ctx, 1);
    const b = await heldMeeting(s.ctx, 2);
    expect((await performEmailEffect(await s.thankYouFor(a.meeting, a.contact), s.deps)).outcome).toBe('sent');
    const second = await performEmailEffect(await s.thankYouFor(b.meeting, b.contact), s.deps);
    expect(second.outcome).toBe('deferred');
    if (second.outcome === 'deferred') {
      // Business hours are all day here, so the next window opens at the next local midnight.
      expect(Date.parse(second.until)).toBeGreaterThan(Date.now());
      expect(second.reason).toMatch(/daily limit of 1/);
    }
    await s.cleanup();
  });
});
