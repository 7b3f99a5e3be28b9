import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { startSmtpServer, type SmtpStandIn, type ReceivedMail } from '../support/smtp-server.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours, heldMeeting, preparedContact } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, REDIS_URL, testPrefix, testRuntime, workUntilIdle } from '../support/pipeline.ts';
import { runWorkers } from '../../src/main/workers.ts';
import { Redis } from 'ioredis';
import { bookMeeting, holdMeeting, requestMeeting, rescheduleMeeting } from '../../src/app/meeting-commands.ts';
import { replayReactor } from '../../src/app/reactor/runner.ts';
import { derivedId } from '../../src/app/ids.ts';
import { snapshot } from '../../src/infra/queue/idle.ts';

let smtp: SmtpStandIn;
const prefixes: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.stop();
  for (const p of prefixes) await deleteKeys(p);
});

async function pipeline(extraEnv: Record<string, string> = {}, workspace: Record<string, unknown> = {}) {
  const s = await appSandbox({ configure: false });
  await configureAllHours(s.ctx, workspace);
  const prefix = testPrefix();
  prefixes.push(prefix);
  const env = pipelineEnv(prefix, s.dir, smtp.url, extraEnv);
  const rt = await testRuntime(s.store, s.dir, env);
  return {
    ...s,
    prefix,
    env,
    rt,
    close: async () => {
      await rt.close();
      await s.cleanup();
    },
  };
}

const header = (m: ReceivedMail, name: string) => String(m.parsed.headers.get(name.toLowerCase()) ?? '');
const to = (m: ReceivedMail) => m.envelope.to.join(',');

describe('the email side, end to end (reactor → BullMQ → worker → SMTP)', () => {
  it('sends each email the method needs, with its script, headers and threading', async () => {
    smtp.reset();
    const p = await pipeline();
    const referrer = await preparedContact(p.ctx, 'Grace Okafor', 'grace@bank.example');
    const contact = await preparedContact(p.ctx, 'Marcus Hale', 'marcus@northwind.example', { referredBy: referrer });
    const { id: meeting } = await requestMeeting(p.ctx, { contact, minutes: 20, referral: referrer });
    await workUntilIdle(p.rt);
    const request = smtp.messages.find((m) => to(m) === 'marcus@northwind.example')!;
    expect(request.parsed.subject).toBeTruthy();
    expect(request.parsed.text).toContain('20 minutes');
    expect(request.parsed.text).toContain('My name is Sam Seeker. I am hoping to learn how analytics teams hire career changers.');
    expect(request.parsed.text).toContain('Grace Okafor');
    const raw = request.raw.toString('utf8').replace(/\r\n[ \t]+/g, ' ');
    expect(raw).toMatch(/^List-Unsubscribe: <https:\/\/outreach\.example\/u\/u1\.[^>]+>$/m);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const requestId = request.parsed.messageId!;

    // Booked two hours ahead: the confirmation goes now, and so does the brief (the day before has passed).
    const start = new Date(Date.now() + 2 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await bookMeeting(p.ctx, { meeting, at: start, videoUrl: 'https://meet.example/abc' });
    await workUntilIdle(p.rt);
    // Then it happened earlier than planned: moved to an hour ago, and held.
    const moved = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await rescheduleMeeting(p.ctx, { meeting, at: moved, past: true });
    await holdMeeting(p.ctx, { meeting, at: new Date(Date.now() - 1_800_000).toISOString(), minutes: 22, referrals: 2 });
    await workUntilIdle(p.rt);

    const toMarcus = smtp.messages.filter((m) => to(m) === 'marcus@northwind.example');
    const confirmation = toMarcus.find((m) => m.parsed.attachments.some((a) => a.contentType.startsWith('text/calendar')))!;
    const ics = confirmation.parsed.attachments.find((a) => a.contentType.startsWith('text/calendar'))!.content.toString('utf8');
    const vcal = new ICAL.Component(ICAL.parse(ics));
    expect(vcal.getFirstPropertyValue('method')).toBe('REQUEST');
    const vevent = vcal.getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('uid')).toBe(`${meeting}@seeker.example`);
    expect(new ICAL.Event(vevent).startDate.toJSDate().toISOString()).toBe(new Date(start).toISOString());

    const thankYou = toMarcus.find((m) => header(m, 'in-reply-to') === requestId && m !== request)!;
    expect(thankYou).toBeDefined();
    expect(String(header(thankYou, 'references'))).toContain(requestId);
    const brief = smtp.messages.find((m) => to(m) === 'sam@seeker.example')!;
    expect(brief.parsed.text).toContain('Runs a team of twelve');
    expect(brief.parsed.text).toContain('Who else should I talk to?');
    expect(brief.parsed.text).toContain('Grace Okafor');

    const events = (await p.store.readStream(`meeting-${meeting}`)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['OutreachEmailSent', 'CalendarEventCreated', 'PrepBriefSent', 'ThankYouSent']));
    // The nudge was withdrawn by the booking; the keep-in-touch note waits six weeks.
    expect(events).not.toContain('NudgeSent');
    const email = await snapshot(p.rt.queues.email);
    expect(email.next.map((n) => n.name)).toContain('keep-in-touch');
    await p.close();
  });

  it('retries a temporary refusal twice and then delivers', async () => {
    smtp.reset();
    const p = await pipeline();
    const { meeting } = await heldMeeting(p.ctx, 1);
    smtp.failNext(2, 451);
    await workUntilIdle(p.rt);
    expect(smtp.messages).toHaveLength(1);
    expect((await p.store.readStream(`meeting-${meeting}`)).at(-1)!.type).toBe('ThankYouSent');
    await p.close();
  });

  it("sends nothing again after the run's Redis keys are deleted and the reactor replays from 0", async () => {
    smtp.reset();
    const p = await pipeline();
    for (let n = 0; n < 5; n++) await heldMeeting(p.ctx, n);
    await workUntilIdle(p.rt);
    expect(smtp.messages).toHaveLength(5);
    await deleteKeys(p.prefix);
    const r = await replayReactor({ store: p.store, clock: p.ctx.clock, scheduler: p.rt.scheduler, from: 0n });
    expect(r.scheduled).toBeGreaterThanOrEqual(5);
    await workUntilIdle(p.rt);
    expect(smtp.messages).toHaveLength(5);
    await p.close();
  });

  it('drops a job whose keys were deleted while its id waited, so that a replay derives it again and sends it', async () => {
    smtp.reset();
    const p = await pipeline();
    for (let n = 0; n < 3; n++) await heldMeeting(p.ctx, n);
    await runWorkers(p.rt, { only: ['reactor'], untilIdle: true, json: false, quiet: true });
    // Half a deletion, as a SCAN-and-DEL over a running worker can leave it: the jobs' hashes gone, their ids still queued.
    const redis = new Redis(REDIS_URL);
    const q = `${p.prefix}:email`;
    const ids = [...(await redis.lrange(`${q}:wait`, 0, -1)), ...(await redis.zrange(`${q}:prioritized`, 0, -1))];
    expect(ids).toHaveLength(6); // three thank-yous, three booking confirmations (skipped: the meetings were held)
    await redis.del(...ids.map((id) => `${q}:${id}`));
    await workUntilIdle(p.rt);
    expect(smtp.messages).toHaveLength(0);
    // BullMQ wrote a hash again for each id it moved to active; the worker removed it.
    expect(await redis.exists(...ids.map((id) => `${q}:${id}`))).toBe(0);
    redis.disconnect();
    await replayReactor({ store: p.store, clock: p.ctx.clock, scheduler: p.rt.scheduler, from: 0n });
    await workUntilIdle(p.rt);
    expect(smtp.messages).toHaveLength(3);
    await p.close();
  });

  it('defers sends past the daily limit to the next window, thank-yous first, never dropping one', async () => {
    smtp.reset();
    const p = await pipeline({}, { dailyLimit: 3 });
    const held = [];
    for (let n = 0; n < 5; n++) held.push(await heldMeeting(p.ctx, n));
    await workUntilIdle(p.rt);
    expect(smtp.messages).toHaveLength(3);
    const email = await snapshot(p.rt.queues.email, 20);
    const deferred = email.next.filter((n) => n.name === 'thank-you');
    expect(deferred).toHaveLength(2);
    for (const d of deferred) expect(Date.parse(d.dueAt)).toBeGreaterThan(Date.now());
    // Each thank-you either went or waits; none is lost.
    const sent = await Promise.all(held.map(async (h) => (await p.store.readStream(`meeting-${h.meeting}`)).some((e) => e.type === 'ThankYouSent')));
    expect(sent.filter(Boolean)).toHaveLength(3);
    await p.close();
  });

  it('derives Message-IDs from the effect key', async () => {
    smtp.reset();
    const p = await pipeline();
    const { meeting } = await heldMeeting(p.ctx, 1);
    await workUntilIdle(p.rt);
    const held = (await p.store.readStream(`meeting-${meeting}`)).find((e) => e.type === 'MeetingHeld')!;
    expect(smtp.messages[0]!.parsed.messageId).toBe(`<${derivedId(`thank-you:${held.id}`)}@seeker.example>`);
    await p.close();
  });
});

describe('priorities under the daily limit', () => {
  it('thank-yous go before first requests when both are due', async () => {
    smtp.reset();
    const p = await pipeline({}, { dailyLimit: 3 });
    const { addContact } = await import('../../src/app/contact-commands.ts');
    for (let n = 0; n < 3; n++) {
      const { id } = await addContact(p.ctx, { name: `New ${n}`, email: `new${n}@contact.example` });
      await requestMeeting(p.ctx, { contact: id, minutes: 15 });
    }
    for (let n = 0; n < 3; n++) await heldMeeting(p.ctx, n);
    // Every job is queued before the worker starts, so the queue's priorities decide the order.
    await replayReactor({ store: p.store, clock: p.ctx.clock, scheduler: p.rt.scheduler, from: 0n });
    const { runWorkers } = await import('../../src/main/workers.ts');
    await runWorkers(p.rt, { only: ['email'], untilIdle: true, json: false, quiet: true, concurrency: 1 });
    expect(smtp.messages.map((m) => to(m)).sort()).toEqual(['person0@contact.example', 'person1@contact.example', 'person2@contact.example']);
    await p.close();
  });
});
