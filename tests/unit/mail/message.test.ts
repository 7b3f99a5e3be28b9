import { describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { derivedId } from '../../../src/app/ids.ts';
import { buildIcs } from '../../../src/infra/mail/ics.ts';
import { buildMail, messageIdFor } from '../../../src/infra/mail/message.ts';

const compile = (mail: ReturnType<typeof buildMail>) =>
  new Promise<Buffer>((resolve, reject) => new MailComposer(mail).compile().build((err, msg) => (err ? reject(err) : resolve(msg))));

/** mailparser folds List-* headers into one object; the raw line is what a mail provider reads. */
const header = (parsed: ParsedMail, key: string) => parsed.headerLines.find((h) => h.key === key)?.line;

const ics = buildIcs({
  uid: 'm1@seeker.example',
  sequence: 0,
  method: 'REQUEST',
  start: '2026-12-01T10:00:00-05:00',
  minutes: 20,
  timezone: 'America/New_York',
  summary: 'Informational interview',
  description: 'Twenty minutes',
  organizer: { name: 'Ann', email: 'ann@seeker.example' },
  attendee: { name: 'Bob', email: 'bob@acme.example' },
  now: '2026-11-20T00:00:00Z',
});

const base = {
  from: { name: 'Ann Seeker', email: 'ann@seeker.example' },
  to: { name: 'Bob Contact', email: 'bob@acme.example' },
  subject: 'Thank you, Bob',
  text: 'Thanks!\n',
  html: '<p>Thanks!</p>',
  messageId: messageIdFor('thank-you:evt-1', 'seeker.example'),
};

describe('messageIdFor', () => {
  it('is <uuidv5-of-the-effect-key@domain>, the same for the same key', () => {
    expect(messageIdFor('thank-you:evt-1', 'Seeker.Example')).toBe(`<${derivedId('thank-you:evt-1')}@seeker.example>`);
    expect(messageIdFor('thank-you:evt-1', 'seeker.example')).toBe(messageIdFor('thank-you:evt-1', 'seeker.example'));
    expect(messageIdFor('thank-you:evt-2', 'seeker.example')).not.toBe(messageIdFor('thank-you:evt-1', 'seeker.example'));
  });

  it('refuses a domain that could break the header', () => {
    expect(() => messageIdFor('k', 'a b')).toThrow(/OUTREACH_MESSAGE_DOMAIN/);
    expect(() => messageIdFor('k', 'x>\r\nBcc: y')).toThrow(/OUTREACH_MESSAGE_DOMAIN/);
  });
});

describe('buildMail', () => {
  it('sets Message-ID, threading and one-click unsubscribe headers that survive MIME encoding', async () => {
    const request = messageIdFor('request-email:evt-0', 'seeker.example');
    const mail = buildMail({ ...base, inReplyTo: request, unsubscribeUrl: 'https://outreach.example/u/u1.abc.def' });
    const parsed = await simpleParser(await compile(mail));
    expect(parsed.messageId).toBe(base.messageId);
    expect(parsed.inReplyTo).toBe(request);
    expect(parsed.references).toBe(request);
    expect(header(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(header(parsed, 'list-unsubscribe')).toBe('List-Unsubscribe: <https://outreach.example/u/u1.abc.def>');
    expect(parsed.from?.value[0]).toEqual({ name: 'Ann Seeker', address: 'ann@seeker.example' });
    expect((parsed.to as { value: unknown[] }).value[0]).toEqual({ name: 'Bob Contact', address: 'bob@acme.example' });
    expect(parsed.subject).toBe('Thank you, Bob');
  });

  it('writes the whole thread in References, oldest first', async () => {
    const first = messageIdFor('request-email:e0', 'seeker.example');
    const nudge = messageIdFor('nudge:e1', 'seeker.example');
    const parsed = await simpleParser(await compile(buildMail({ ...base, inReplyTo: nudge, references: [first, nudge] })));
    expect(parsed.references).toEqual([first, nudge]);
  });

  it('leaves the unsubscribe headers off an email to the seeker', async () => {
    const parsed = await simpleParser(await compile(buildMail(base)));
    expect(header(parsed, 'list-unsubscribe')).toBeUndefined();
    expect(header(parsed, 'list-unsubscribe-post')).toBeUndefined();
    expect(parsed.inReplyTo).toBeUndefined();
  });

  it('carries the .ics once, as the text/calendar alternative an email client turns into an invitation', async () => {
    const raw = (await compile(buildMail({ ...base, ics: { content: ics, method: 'REQUEST' } }))).toString('utf8');
    const calendarParts = raw.match(/Content-Type: (text\/calendar|application\/ics)[^\r\n]*/g) ?? [];
    expect(calendarParts).toEqual(['Content-Type: text/calendar; charset=utf-8; method=REQUEST']);
    const parsed = await simpleParser(raw);
    const calendar = parsed.attachments.filter((a) => a.contentType === 'text/calendar' || a.contentType === 'application/ics');
    expect(calendar).toHaveLength(1);
    expect(calendar[0]!.content.toString('utf8')).toBe(ics);
  });

  it('refuses header injection through a subject, an address or a Message-ID', () => {
    expect(() => buildMail({ ...base, subject: 'Hi\r\nBcc: x@evil.example' })).toThrow(/subject/);
    expect(() => buildMail({ ...base, to: { name: 'Bob\r\nBcc: x@evil.example', email: 'bob@acme.example' } })).toThrow(/to/);
    expect(() => buildMail({ ...base, inReplyTo: 'no-brackets@x' })).toThrow(/inReplyTo/);
    expect(() => buildMail({ ...base, unsubscribeUrl: 'https://x.example/u/a>b' })).toThrow(/unsubscribeUrl/);
    expect(() => buildMail({ ...base, to: { name: 'Bob', email: '' } })).toThrow(/to: no email address/);
  });
});
