import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyInbound, matchInbound, type InboundClassification, type Known } from '../../../src/domain/inbound-mail.ts';
import { headerBlockOf, parseInbound, parseInboundHeaders } from '../../../src/infra/mailbox/parse-inbound.ts';

const DIR = fileURLToPath(new URL('../../fixtures/inbound/', import.meta.url));
const raw = (file: string) => readFileSync(join(DIR, file));

/** Our request (and nudge) Message-IDs as the app derives them, one request per contact. */
const request = (uuid: string) => `<${uuid}@example.com>`;
const contacts = {
  sam: ['sam.carter@example.org', '506e99a0-4669-5aa6-9bc6-144c32edc2b1'],
  priya: ['priya.raman@example.org', 'a773d178-1787-5580-9aef-e4dec0eb125f'],
  tom: ['tom@example.net', '413121a2-d8ed-5705-bd13-8e229fa003cd'],
  dana: ['dana.whitfield@example.org', '5335f80d-ae59-5f7d-89e8-ec8096ad2f40'],
  bob: ['bob@example.org', 'a6dee8df-108c-5493-a49c-6c991b93ae31'],
  jordan: ['jordan.lee@example.net', 'b4033706-624f-5697-8d2c-4b7435eb11d3'],
  sarah: ['sarah.lindqvist@example.org', 'b8f656d5-344e-5270-83bd-cb8e861f84e1'],
  lena: ['lena.vogel@example.org', '13bd243d-2821-5d85-886a-cae734cce4ab'],
  claire: ['claire.martin@example.org', '7da00e99-2263-53be-aa1b-f3628e087b09'],
  ken: ['k.nakamura@example.org', '0ea6c816-7e52-5fb5-a0aa-f7ce88a4e3d5'],
  maria: ['maria.costa@example.net', '0639940b-86e8-56fa-86bb-e4e9beaf29b3'],
  olivia: ['olivia.brown@example.org', '18f64ba6-df59-5cf3-9697-017c623858cf'],
  james: ['james.wright@example.org', '2af0d31d-274f-5909-8229-06a8487aace3'],
  chen: ['chen.wei@example.net', '877ccff4-a317-517e-8d96-fa3ec1e6f1a1'],
  greg: ['greg.hall@example.org', '287d57d7-cdd9-5a58-ae78-5cf5e14697b6'],
  nina: ['nina.patel@example.org', 'f191dd8d-41a3-59b1-bb61-10a29da636af'],
  paul: ['paul.mensah@example.net', ''],
} as const;
const NUDGE_BOB = request('3e0f0afc-9711-51f1-ab24-65d0b24dfd4d');
const NUDGE_NINA = request('a13df324-8b6a-5d4f-8d83-b734a2e8dd34');

const known: Known = {
  sent: {
    ...Object.fromEntries(
      Object.entries(contacts)
        .filter(([, [, uuid]]) => uuid)
        .map(([name, [, uuid]]) => [request(uuid), { contactId: `c-${name}`, meetingId: `m-${name}`, kind: 'meeting-request-direct' }]),
    ),
    [NUDGE_BOB]: { contactId: 'c-bob', meetingId: 'm-bob', kind: 'nudge' },
    [NUDGE_NINA]: { contactId: 'c-nina', meetingId: 'm-nina', kind: 'nudge' },
  },
  contacts: Object.fromEntries(Object.entries(contacts).map(([name, [address]]) => [address, `c-${name}`])),
  seeker: ['ann.seeker@example.com'],
};
const clock = { now: '2026-12-10T09:30:00Z', zone: 'Europe/London' };

/** Each file of the corpus and what it must be classified as. */
const expected: Record<string, InboundClassification> = {
  'reply-gmail.eml': {
    kind: 'reply',
    contactId: 'c-sam',
    meetingId: 'm-sam',
    excerpt:
      'Hi Ann, Happy to help – I remember how hard the switch into data engineering was. How about Thursday 17 December at 10:00? A call is easiest for me. Best, Sam',
  },
  'reply-outlook-exchange.eml': {
    kind: 'reply',
    contactId: 'c-priya',
    meetingId: 'm-priya',
    excerpt:
      "Hi Ann, Yes, happy to talk. I'm free on Tuesday 15 December between 2 and 4pm - does that suit? Teams or phone, whichever you prefer. Kind regards, Priya Priya Raman | Head of Platform | Example Org",
  },
  'reply-apple-mail.eml': {
    kind: 'reply',
    contactId: 'c-tom',
    meetingId: 'm-tom',
    excerpt:
      'Hi Ann, Sure – call me on Friday morning, any time after 9. My number is in the signature. Tom Tom Okafor Engineering Manager, Example Net +44 20 7946 0321',
  },
  'reply-other-address.eml': {
    kind: 'reply',
    contactId: 'c-dana',
    meetingId: 'm-dana',
    excerpt:
      "Hi Ann, Writing from my personal address as my work inbox is a mess this month. Friday 18 December at 11:00 works for me; I'll send a video link. Dana",
  },
  'reply-to-nudge.eml': {
    kind: 'reply',
    contactId: 'c-bob',
    meetingId: 'm-bob',
    excerpt: 'Hi Ann, Sorry, your first email got buried. Yes, glad to help! Could we do Wednesday 16 December, 16:30? Bob',
  },
  'reply-quoting-our-unsubscribe-footer.eml': {
    kind: 'reply',
    contactId: 'c-nina',
    meetingId: 'm-nina',
    excerpt: 'Hi Ann – happy to. Tuesday 15 December at 3pm? Nina',
  },
  'auto-gmail-vacation.eml': {
    kind: 'auto-reply',
    contactId: 'c-jordan',
    meetingId: 'm-jordan',
    returnsOn: '2027-01-11',
    signal: 'Auto-Submitted: auto-replied',
  },
  'auto-exchange-ooo.eml': {
    kind: 'auto-reply',
    contactId: 'c-sarah',
    meetingId: 'm-sarah',
    returnsOn: '2026-12-14',
    signal: 'Auto-Submitted: auto-generated',
  },
  'auto-german-abwesenheitsnotiz.eml': {
    kind: 'auto-reply',
    contactId: 'c-lena',
    meetingId: 'm-lena',
    returnsOn: '2026-12-21',
    signal: 'X-MS-Exchange-Inbox-Rules-Loop',
  },
  'auto-french-reponse-automatique.eml': {
    kind: 'auto-reply',
    contactId: 'c-claire',
    meetingId: 'm-claire',
    returnsOn: '2027-01-05',
    signal: 'Auto-Submitted: auto-generated',
  },
  'bounce-postfix-5.1.1.eml': {
    kind: 'bounce',
    contactId: 'c-ken',
    meetingId: 'm-ken',
    recipient: 'k.nakamura@example.org',
    status: '5.1.1',
    diagnostic: '550 5.1.1 <k.nakamura@example.org>: Recipient address rejected: User unknown in virtual mailbox table',
    originalMessageId: request(contacts.ken[1]),
  },
  'delayed-postfix-4.4.1.eml': {
    kind: 'delayed',
    contactId: 'c-maria',
    meetingId: 'm-maria',
    recipient: 'maria.costa@example.net',
    status: '4.4.1',
    originalMessageId: request(contacts.maria[1]),
  },
  'bounce-gmail-mail-delivery-subsystem.eml': {
    kind: 'bounce',
    contactId: 'c-olivia',
    meetingId: 'm-olivia',
    recipient: 'olivia.brown@example.org',
    status: '5.1.1',
    diagnostic:
      "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-7fd4a1b2c3dsor2231655a12.8 - gsmtp",
    originalMessageId: request(contacts.olivia[1]),
  },
  'bounce-exchange-ndr-5.1.10.eml': {
    kind: 'bounce',
    contactId: 'c-james',
    meetingId: 'm-james',
    recipient: 'james.wright@example.org',
    status: '5.1.10',
    diagnostic: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient james.wright@example.org not found by SMTP address lookup',
    originalMessageId: request(contacts.james[1]),
  },
  'bounce-yahoo-plain.eml': {
    kind: 'bounce',
    contactId: 'c-chen',
    meetingId: 'm-chen',
    recipient: 'chen.wei@example.net',
    status: '5.1.1',
    diagnostic: 'Remote host said: 550 5.1.1 <chen.wei@example.net>... User Unknown [RCPT_TO]',
    originalMessageId: request(contacts.chen[1]),
  },
  'optout-please-remove-me.eml': {
    kind: 'opt-out',
    contactId: 'c-greg',
    meetingId: 'm-greg',
    excerpt: 'Hi Ann, Please remove me from your list – I don’t take these calls. Greg',
  },
  'optout-unsubscribe-mailto.eml': { kind: 'opt-out', contactId: 'c-paul', excerpt: '' },
  'ignored-bounce-not-ours.eml': { kind: 'ignore', reason: 'a delivery notification about mail that is not ours' },
  'ignored-newsletter-unknown-sender.eml': { kind: 'ignore', reason: 'not-ours' },
  'ignored-personal-unknown-sender.eml': { kind: 'ignore', reason: 'not-ours' },
};

const classifyFile = async (bytes: Buffer | string) => {
  const message = await parseInbound(bytes);
  return classifyInbound(message, matchInbound(message.headers, known), known, clock);
};

describe('corpus', () => {
  it('has an expectation for every file, and at least 16 files', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.eml'))
      .sort();
    expect(files).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  it.each(Object.entries(expected))('%s', async (file, classification) => {
    expect(await classifyFile(raw(file))).toEqual(classification);
  });

  it.each(Object.keys(expected))('%s reads the same with CRLF line ends (as IMAP serves it)', async (file) => {
    const crlf = raw(file).toString('latin1').replace(/\r?\n/g, '\r\n');
    expect(await classifyFile(Buffer.from(crlf, 'latin1'))).toEqual(expected[file]);
  });

  it.each(Object.keys(expected))('%s is matched the same from its headers alone', async (file) => {
    const full = await parseInbound(raw(file));
    expect(matchInbound(await parseInboundHeaders(raw(file)), known)).toEqual(matchInbound(full.headers, known));
  });
});

describe('mail that is not ours is decided from its headers, its body never read', () => {
  it.each(['ignored-newsletter-unknown-sender.eml', 'ignored-personal-unknown-sender.eml'])('%s', async (file) => {
    const headers = await parseInboundHeaders(headerBlockOf(raw(file)));
    const match = matchInbound(headers, known);
    expect(match).toEqual({ look: false, why: 'not-ours' });
    expect(classifyInbound({ headers, newText: '', fullText: '' }, match, known, clock)).toEqual({ kind: 'ignore', reason: 'not-ours' });
  });
});

describe('the corpus matches for the reasons it should', () => {
  const why = async (file: string) => matchInbound(await parseInboundHeaders(raw(file)), known);

  it("a reply from the contact's other address is matched through our thread", async () => {
    expect(await why('reply-other-address.eml')).toEqual({ look: true, why: 'our-thread', contactId: 'c-dana', meetingId: 'm-dana' });
  });

  it('a reply to a nudge is matched through the nudge it answers', async () => {
    expect(await why('reply-to-nudge.eml')).toEqual({ look: true, why: 'our-thread', contactId: 'c-bob', meetingId: 'm-bob' });
  });

  it('the unsubscribe mailto is an unsubscribe request', async () => {
    expect(await why('optout-unsubscribe-mailto.eml')).toEqual({ look: true, why: 'unsubscribe-request', contactId: 'c-paul' });
  });

  it('a plain-text bounce is looked at because a mailer-daemon sent it to the seeker', async () => {
    expect(await why('bounce-yahoo-plain.eml')).toEqual({ look: true, why: 'mail-system' });
    expect(await why('ignored-bounce-not-ours.eml')).toEqual({ look: true, why: 'mail-system' });
  });

  it('a postfix report is looked at as a delivery report from the mail system', async () => {
    expect(await why('bounce-postfix-5.1.1.eml')).toEqual({ look: true, why: 'delivery-report' });
  });
});
