import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContact, recordReply } from '../../src/app/contact-commands.ts';
import { approveDraft, discardDraft } from '../../src/app/draft-commands.ts';
import { bookMeeting, holdMeeting, recordIntroduction, requestMeeting } from '../../src/app/meeting-commands.ts';
import { replayReactor } from '../../src/app/reactor/runner.ts';
import { contactAggregate } from '../../src/app/aggregates.ts';
import { load } from '../../src/app/handle.ts';
import { isOutreachError } from '../../src/domain/errors.ts';
import { appSandbox } from '../support/app.ts';
import { configureAllHours } from '../support/email-fixtures.ts';
import { deleteKeys, pipelineEnv, testPrefix, testRuntime, workUntilIdle } from '../support/pipeline.ts';
import { startSmtpServer, type ReceivedMail, type SmtpStandIn } from '../support/smtp-server.ts';

/*
 * What each email says, read as its recipient reads it: every message goes through the reactor,
 * BullMQ, the worker and a real SMTP server, and is parsed back with mailparser.
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

async function pipeline(workspace: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  smtp.reset();
  const s = await appSandbox({ configure: false });
  await configureAllHours(s.ctx, { objective: 'Learn how analytics teams hire people moving over from teaching', ...workspace });
  const prefix = testPrefix();
  prefixes.push(prefix);
  const rt = await testRuntime(s.store, s.dir, pipelineEnv(prefix, s.dir, smtp.url, env));
  const work = () => workUntilIdle(rt);
  const person = async (name: string, email: string, extra: Record<string, unknown> = {}) =>
    (await addContact(s.ctx, { name, email, org: 'Northwind', role: 'Head of Analytics', timezone: 'Europe/London', ...extra })).id;
  return {
    ...s,
    rt,
    work,
    person,
    close: async () => {
      await rt.close();
      await s.cleanup();
    },
  };
}

const to = (m: ReceivedMail) => m.envelope.to.join(',');
const header = (m: ReceivedMail, name: string) => String(m.parsed.headers.get(name.toLowerCase()) ?? '');
/** A header as written on the wire (mailparser makes objects of the List-* ones). */
const rawHeader = (m: ReceivedMail, name: string) =>
  m.parsed.headerLines
    .find((h) => h.key === name.toLowerCase())
    ?.line.replace(/^[^:]+:\s*/, '')
    .replace(/\r?\n[ \t]+/g, ' ') ?? '';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('emails as their recipients read them', () => {
  it('a request through a gatekeeper goes to the gatekeeper, names the person sought and the referral; the person hears nothing until introduced', async () => {
    const p = await pipeline({ review: 'none' });
    try {
      const grace = await p.person('Grace Okafor', 'grace@bank.example');
      const dana = await p.person('Dana Reyes', 'dana@northwind.example', { role: 'Executive assistant' });
      const priya = await p.person('Priya Natarajan', 'priya@northwind.example');
      const { id: meeting } = await requestMeeting(p.ctx, { contact: priya, minutes: 20, via: 'gatekeeper', gatekeeper: dana, referral: grace });
      await p.work();
      expect(smtp.messages.map(to)).toEqual(['dana@northwind.example']);
      const ask = smtp.messages[0]!;
      expect(ask.parsed.subject).toBe('Could you help me reach Priya Natarajan?');
      expect(ask.parsed.text).toMatch(/^Dear Dana,\n/);
      expect(ask.parsed.text).toContain('Grace Okafor suggested I speak with Priya Natarajan at Northwind.');
      expect(ask.parsed.text).toContain('Would you be willing to introduce me');
      expect(ask.parsed.text).not.toContain('Dear Priya');
      // The one nudge (due a second later here) also goes to the gatekeeper, in its thread.
      const toDana = () => smtp.messages.filter((m) => to(m) === 'dana@northwind.example').length;
      for (const until = Date.now() + 30_000; toDana() < 2 && Date.now() < until; ) {
        await p.work();
        if (toDana() < 2) await new Promise((r) => setTimeout(r, 250));
      }
      const nudge = smtp.messages.find((m) => m !== ask && to(m) === 'dana@northwind.example')!;
      expect(nudge.parsed.subject).toBe('Re: Could you help me reach Priya Natarajan?');
      expect(header(nudge, 'in-reply-to')).toBe(ask.parsed.messageId);
      expect(nudge.parsed.text).toMatch(/^Dear Dana,\n/);
      expect(smtp.messages.filter((m) => to(m) === 'priya@northwind.example')).toEqual([]);

      await recordIntroduction(p.ctx, { meeting });
      await p.work();
      const direct = smtp.messages.find((m) => to(m) === 'priya@northwind.example')!;
      expect(direct.parsed.subject).toBe('Dana Reyes suggested I get in touch');
      expect(direct.parsed.text).toContain('Dear Priya,\n\nDana Reyes kindly put us in touch. My name is Sam Seeker.');
      expect(direct.parsed.text).toContain('I am hoping to learn how analytics teams hire people moving over from teaching.');
    } finally {
      await p.close();
    }
  });

  it('follow-ups answer the request as "Re: <subject>" and thread on it', async () => {
    const p = await pipeline({ review: 'none' });
    try {
      const priya = await p.person('Priya Natarajan', 'priya@northwind.example');
      await requestMeeting(p.ctx, { contact: priya, minutes: 20 });
      // The nudge is due a second after the request: worked until it has gone, not for a fixed number of passes.
      for (const until = Date.now() + 30_000; smtp.messages.length < 2 && Date.now() < until; ) {
        await p.work();
        if (smtp.messages.length < 2) await new Promise((r) => setTimeout(r, 250));
      }
      const [request, nudge] = smtp.messages;
      expect(request!.parsed.subject).toBe('20 minutes of your advice?');
      expect(nudge!.parsed.subject).toBe('Re: 20 minutes of your advice?');
      expect(header(nudge!, 'references')).toContain(request!.parsed.messageId!);
    } finally {
      await p.close();
    }
  });

  it('the thank-you quotes the insight, thanks for each referral by name, asks for no more names after two, and mentions the card', async () => {
    const p = await pipeline({ review: 'none' });
    try {
      const priya = await p.person('Priya Natarajan', 'priya@northwind.example');
      const { id: meeting } = await requestMeeting(p.ctx, { contact: priya, minutes: 20, channel: 'phone' });
      await bookMeeting(p.ctx, { meeting, at: iso(Date.now() + 5_000) });
      await new Promise((r) => setTimeout(r, 5_500));
      await holdMeeting(p.ctx, {
        meeting,
        at: iso(Date.now()),
        minutes: 22,
        referrals: 2,
        cards: 1,
        insights: 'How portfolio projects beat certificates for career changers.',
      });
      for (const [name, email] of [
        ['Dan Lee', 'dan@x.example'],
        ['Erin Shaw', 'erin@y.example'],
      ] as const) {
        await addContact(p.ctx, { name, email, referredBy: priya, referralMeeting: meeting });
      }
      // The thank-you is due a second after the meeting: the referrals were recorded first. Worked until it has
      // gone, since a pass that starts before that second finds nothing due yet.
      const find = () => smtp.messages.find((m) => to(m) === 'priya@northwind.example' && m.parsed.subject === 'Thank you, Priya');
      for (const until = Date.now() + 30_000; !find() && Date.now() < until; ) {
        await p.work();
        if (!find()) await new Promise((r) => setTimeout(r, 250));
      }
      const thanks = find()!;
      expect(thanks.parsed.text).toContain('I keep coming back to your point about how portfolio projects beat certificates for career changers;');
      expect(thanks.parsed.text).toContain('Thank you, too, for suggesting I speak with Dan Lee and Erin Shaw;');
      expect(thanks.parsed.text).toContain('Thank you also for your business card.');
      expect(thanks.parsed.text).not.toContain('introduction');
    } finally {
      await p.close();
    }
  });

  it('a confirmation carries one calendar part, naming both people, without an unsubscribe link', async () => {
    const p = await pipeline({ review: 'none' });
    try {
      const priya = await p.person('Priya Natarajan', 'priya@northwind.example');
      const { id: meeting } = await requestMeeting(p.ctx, { contact: priya, minutes: 20, channel: 'phone' });
      await bookMeeting(p.ctx, { meeting, at: iso(Date.now() + 3 * 86_400_000), videoUrl: 'https://meet.example/abc' });
      await p.work();
      const confirmation = smtp.messages.find((m) => to(m) === 'priya@northwind.example')!;
      const raw = confirmation.raw.toString('utf8');
      expect(raw.match(/Content-Type: (text\/calendar|application\/ics)/g)).toHaveLength(1);
      const ics = confirmation.parsed.attachments.find((a) => a.contentType === 'text/calendar')!.content.toString('utf8');
      const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
      expect(vevent.getFirstPropertyValue('summary')).toBe('Informational interview: Sam Seeker and Priya Natarajan');
      expect(String(vevent.getFirstPropertyValue('description'))).not.toMatch(/unsubscribe|\/u\//i);
    } finally {
      await p.close();
    }
  });

  it('with an https public URL every email to a contact has one-click unsubscribe; without one, a mailto: to the seeker, and never a loopback link', async () => {
    const https = await pipeline({ review: 'none' });
    try {
      await requestMeeting(https.ctx, { contact: await https.person('Priya Natarajan', 'priya@northwind.example'), minutes: 20 });
      await https.work();
      const m = smtp.messages[0]!;
      expect(rawHeader(m, 'list-unsubscribe')).toMatch(/^<https:\/\/outreach\.example\/u\/[^>]+>$/);
      expect(rawHeader(m, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(m.parsed.text).toContain("If you'd rather I didn't follow up, just say so.");
    } finally {
      await https.close();
    }
    const local = await pipeline({ review: 'none' }, { OUTREACH_PUBLIC_URL: 'http://localhost:3000' });
    try {
      await requestMeeting(local.ctx, { contact: await local.person('Priya Natarajan', 'priya@northwind.example'), minutes: 20 });
      await local.work();
      const m = smtp.messages[0]!;
      expect(rawHeader(m, 'list-unsubscribe')).toBe('<mailto:sam@seeker.example?subject=unsubscribe>');
      expect(rawHeader(m, 'list-unsubscribe-post')).toBe('');
      expect(m.raw.toString('utf8')).not.toMatch(/localhost|127\.0\.0\.1/);
    } finally {
      await local.close();
    }
  });
});

describe('review before send', () => {
  it('a first request waits as a draft; approved twice, it goes once; a Redis wipe and a replay send nothing more', async () => {
    const p = await pipeline({ review: 'first-touch' });
    try {
      const priya = await p.person('Priya Natarajan', 'priya@northwind.example');
      await requestMeeting(p.ctx, { contact: priya, minutes: 20 });
      await p.work();
      expect(smtp.messages).toEqual([]);
      const { state } = await load(p.ctx, contactAggregate, priya);
      const [draft] = Object.values(state.drafts);
      expect(draft).toMatchObject({ status: 'waiting', kind: 'request-email', subject: '20 minutes of your advice?' });
      expect(draft!.text).toContain('Dear Priya,');

      const first = await approveDraft(p.ctx, { contact: priya, draft: draft!.draftId });
      // Business hours all day in this workspace: it goes now, and says so; approved again, it says nothing new.
      expect(Date.parse(first.goesAt!)).toBeLessThanOrEqual(Date.now());
      expect(await approveDraft(p.ctx, { contact: priya, draft: draft!.draftId })).toMatchObject({ events: [], goesAt: null });
      await p.work();
      expect(smtp.messages.filter((m) => m.parsed.subject === '20 minutes of your advice?')).toHaveLength(1);

      await deleteKeys(p.rt.prefix);
      await replayReactor({ store: p.store, clock: p.ctx.clock, scheduler: p.rt.scheduler, from: 0n });
      await p.work();
      expect(smtp.messages.filter((m) => m.parsed.subject === '20 minutes of your advice?')).toHaveLength(1);
    } finally {
      await p.close();
    }
  });

  it('a draft the contact answers before it is approved is withdrawn: approving it is refused, and nothing goes', async () => {
    const p = await pipeline({ review: 'first-touch' });
    try {
      const priya = await p.person('Priya Natarajan', 'priya@northwind.example');
      await requestMeeting(p.ctx, { contact: priya, minutes: 20 });
      await p.work();
      const [draft] = Object.values((await load(p.ctx, contactAggregate, priya)).state.drafts);
      await recordReply(p.ctx, { contact: priya, summary: 'Happy to talk, call me on Tuesday.' });
      const refused = await approveDraft(p.ctx, { contact: priya, draft: draft!.draftId }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isOutreachError(refused, 'illegal_state')).toBe(true);
      expect((refused as Error).message).toMatch(/withdrawn/);
      await discardDraft(p.ctx, { contact: priya, draft: draft!.draftId });
      await p.work();
      expect(smtp.messages).toEqual([]);
    } finally {
      await p.close();
    }
  });
});
