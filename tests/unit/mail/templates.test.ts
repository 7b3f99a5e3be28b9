import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { objectiveSentence } from '../../../src/domain/wording.ts';
import { isOutreachError } from '../../../src/domain/errors.ts';
import { emailKinds, loadTemplates, templateVariables, type EmailKind, type TemplateVars } from '../../../src/infra/mail/templates.ts';

const owner = {
  ownerName: 'Ann Seeker',
  ownerEmail: 'ann@seeker.example',
  objective: 'I am exploring a move from nursing into health-care product management.',
};
const contact = { contactName: 'Bob Contact', contactFirstName: 'Bob', organisation: 'Acme Health' };
const sentence = { objectiveSentence: owner.objective };
const unsubscribeUrl = 'https://outreach.example/u/u1.abc.def';
const booking = { meetingStart: 'Tuesday 1 December 2026, 10:00', meetingTimezone: 'Eastern Standard Time', minutes: 20 };

const full: { [K in EmailKind]: TemplateVars<K> } = {
  'meeting-request-direct': { ...owner, ...contact, ...sentence, minutes: 20, referralName: 'Carol Referrer', unsubscribeUrl },
  'meeting-request-gatekeeper': { ...owner, ...contact, ...sentence, minutes: 15, referralName: 'Carol Referrer', gatekeeperFirstName: 'Dana', unsubscribeUrl },
  nudge: { ...owner, ...contact, minutes: 20, referralName: 'Carol Referrer', unsubscribeUrl },
  'gatekeeper-nudge': { ...owner, ...contact, minutes: 15, gatekeeperFirstName: 'Dana', unsubscribeUrl },
  'booking-confirmation': { ...owner, ...contact, ...booking, location: 'Acme HQ, room 2', videoUrl: 'https://meet.example/abc', unsubscribeUrl },
  'prep-brief': {
    ...owner,
    ...contact,
    ...booking,
    role: 'Head of Product',
    referredByName: 'Carol Referrer',
    researchNotes: 'Acme launched a patient app in 2025.\nHiring two PMs.',
    questions: '1. How did you move into product?\n2. What does a typical week look like?',
  },
  'thank-you': { ...owner, ...contact, minutes: 20, referralNames: 'Dan and Erin', unsubscribeUrl },
  'keep-in-touch': { ...owner, ...contact, update: 'I have started a course in product discovery.', unsubscribeUrl },
  'meeting-cancelled': { ...owner, ...contact, ...booking, reason: 'I have come down with flu.', unsubscribeUrl },
  'calendar-event': { ...owner, ...contact, minutes: 20, role: 'Head of Product', referralName: 'Carol Referrer', videoUrl: 'https://meet.example/abc' },
};

const dirs: string[] = [];
function overrideDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-templates-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const templates = loadTemplates();
const render = <K extends EmailKind>(kind: K, vars: TemplateVars<K>) => templates.render(kind, vars);

describe('default templates', () => {
  it.each(emailKinds)('%s renders a one-line subject, text and html with no tag left over', (kind) => {
    const out = templates.render(kind, full[kind] as never);
    expect(out.subject).not.toMatch(/[\r\n]/);
    expect(out.subject.length).toBeGreaterThan(5);
    for (const part of [out.subject, out.text, out.html]) expect(part).not.toMatch(/\{\{|\}\}/);
    expect(out.html).toMatch(/^<!doctype html>/);
    expect(out.text.endsWith('\n')).toBe(true);
    expect(out.text).not.toMatch(/\n{3,}/);
  });

  it('the direct request names the referral, states the objective and asks for the agreed minutes', () => {
    const out = render('meeting-request-direct', full['meeting-request-direct']);
    expect(out.subject).toBe('Carol Referrer suggested I get in touch');
    expect(out.text).toContain('Dear Bob,');
    expect(out.text).toContain('Carol Referrer suggested I get in touch with you. My name is Ann Seeker.');
    expect(out.text).toContain(owner.objective);
    expect(out.text).toContain('Could you spare 20 minutes');
    expect(out.text).toContain('not asking about a job');
    expect(out.text).toContain("If you'd rather I didn't follow up, just say so.");
    expect(out.text).not.toContain(unsubscribeUrl);
  });

  it("a request after a gatekeeper's introduction says who put them in touch", () => {
    const out = render('meeting-request-direct', { ...full['meeting-request-direct'], introducedByName: 'Dana Reyes' });
    expect(out.subject).toBe('Dana Reyes suggested I get in touch');
    expect(out.text).toContain('Dana Reyes kindly put us in touch. My name is Ann Seeker.');
  });

  it('the referral sentence vanishes when there is no referral, leaving no gap', () => {
    const out = render('meeting-request-direct', { ...full['meeting-request-direct'], referralName: '' });
    expect(out.subject).toBe('20 minutes of your advice?');
    expect(out.text).toContain('Dear Bob,\n\nMy name is Ann Seeker.');
    expect(out.text).not.toContain('suggested');
    expect(out.html).not.toContain('suggested');
  });

  it('the gatekeeper request greets the gatekeeper and asks them to introduce the seeker to the contact', () => {
    const out = render('meeting-request-gatekeeper', full['meeting-request-gatekeeper']);
    expect(out.subject).toBe('Could you help me reach Bob Contact?');
    expect(out.text).toMatch(/^Dear Dana,\n/);
    expect(out.text).toContain('Carol Referrer suggested I speak with Bob Contact at Acme Health.');
    expect(out.text).toContain('15 minutes of Bob Contact');
    expect(out.text).toContain('Would you be willing to introduce me');
    const noReferral = render('meeting-request-gatekeeper', { ...full['meeting-request-gatekeeper'], referralName: undefined, gatekeeperFirstName: undefined });
    expect(noReferral.text).toMatch(/^Dear Sir or Madam,\n/);
    expect(noReferral.text).toContain('I am hoping to speak with Bob Contact at Acme Health.');
  });

  it('the nudge to a gatekeeper follows up about the person sought, never greeting them as the person', () => {
    const out = render('gatekeeper-nudge', { ...full['gatekeeper-nudge'], originalSubject: 'Could you help me reach Bob Contact?' });
    expect(out.subject).toBe('Re: Could you help me reach Bob Contact?');
    expect(out.text).toMatch(/^Dear Dana,\n/);
    expect(out.text).toContain('about reaching Bob Contact');
    expect(out.text).not.toContain('Dear Bob');
  });

  it('the nudge threads its subject onto the original when given, and stands alone otherwise', () => {
    expect(render('nudge', { ...full.nudge, originalSubject: '20 minutes of your advice?' }).subject).toBe('Re: 20 minutes of your advice?');
    expect(render('nudge', full.nudge).subject).toBe('Following up: 20 minutes of your advice?');
  });

  it('the booking confirmation lists time, zone, length, place and link; empty ones vanish with their line', () => {
    const out = render('booking-confirmation', full['booking-confirmation']);
    expect(out.text).toContain(
      'When: Tuesday 1 December 2026, 10:00 (Eastern Standard Time)\nLength: 20 minutes\nWhere: Acme HQ, room 2\nVideo link: https://meet.example/abc\n',
    );
    const bare = render('booking-confirmation', { ...full['booking-confirmation'], location: '', videoUrl: undefined });
    expect(bare.text).toContain('Length: 20 minutes\n\nA calendar invitation is attached.');
    const fromCalendar = render('booking-confirmation', { ...full['booking-confirmation'], invitationFrom: 'The invitation comes from my calendar.' });
    expect(fromCalendar.text).toContain('The invitation comes from my calendar. I will keep to the 20 minutes we agreed.');
    expect(bare.html).not.toContain('Where');
  });

  it('the prep brief lists research notes, questions, who referred whom and the agreed length', () => {
    const out = render('prep-brief', full['prep-brief']);
    expect(out.subject).toBe('Prep brief: Bob Contact (Acme Health), Tuesday 1 December 2026, 10:00');
    expect(out.text).toContain('Agreed length: 20 minutes');
    expect(out.text).toContain('Referral: Carol Referrer referred you to Bob Contact');
    expect(out.text).toContain('Research notes:\nAcme launched a patient app in 2025.\nHiring two PMs.\n');
    expect(out.text).toContain('Your questions:\n1. How did you move into product?\n2. What does a typical week look like?\n');
    expect(out.text).toContain('Ask for two referrals');
    expect(out.html).toContain('Acme launched a patient app in 2025.<br>\nHiring two PMs.');
    const empty = render('prep-brief', { ...full['prep-brief'], researchNotes: '', questions: '', referredByName: '' });
    expect(empty.text).toContain('(none prepared yet');
    expect(empty.text).not.toContain('Referral:');
  });

  it('the prep brief shows the seeker their own time when it is given', () => {
    const out = render('prep-brief', { ...full['prep-brief'], meetingStartForSeeker: 'Tuesday 1 December 2026, 15:00' });
    expect(out.text).toContain('When: Tuesday 1 December 2026, 15:00 (your time)');
    expect(out.subject).toBe('Prep brief: Bob Contact (Acme Health), Tuesday 1 December 2026, 15:00');
  });

  it('the prep brief greets the seeker by their first name', () => {
    expect(render('prep-brief', { ...full['prep-brief'], ownerFirstName: 'Ann' }).text).toMatch(/^Hello Ann,\n/);
  });

  it('the thank-you quotes the insight, thanks for the referrals by name and the cards, and asks for no more names after two', () => {
    const out = render('thank-you', { ...full['thank-you'], insight: 'portfolio work beating certificates', cards: 'the 2 business cards' });
    expect(out.subject).toBe('Thank you, Bob');
    expect(out.text).toContain('Thank you for taking the time to speak with me.');
    expect(out.text).toContain('I keep coming back to your point about portfolio work beating certificates;');
    expect(out.text).toContain('Thank you, too, for suggesting I speak with Dan and Erin;');
    expect(out.text).toContain('Thank you also for the 2 business cards.');
    expect(out.text).not.toContain('introduction');
  });

  it('the thank-you thanks for the names given when they are not in the list yet, and no line starts with a space', () => {
    const out = render('thank-you', {
      ...full['thank-you'],
      referralNames: undefined,
      namesGiven: 'the names you suggested',
      askForNames: '',
      cards: 'your business card',
    });
    expect(out.text).toContain(
      'Thank you, too, for the names you suggested; I will let you know how those conversations go.\n\nThank you also for your business card.',
    );
    expect(out.text).not.toContain('introduction');
    expect(out.text.split('\n').filter((l) => l.startsWith(' '))).toEqual([]);
    const one = render('thank-you', { ...full['thank-you'], referralNames: undefined, namesGiven: 'the name you suggested', askForNames: 'yes' });
    expect(one.text).toContain('Thank you, too, for the name you suggested; I will let you know how those conversations go. If anyone else comes to mind');
  });

  it('the thank-you asks for names only while fewer than two were given', () => {
    const none = render('thank-you', { ...full['thank-you'], referralNames: undefined, askForNames: 'yes' });
    expect(none.text).toContain('If anyone comes to mind whom I could also speak with, I would be grateful for an introduction.');
    const one = render('thank-you', { ...full['thank-you'], referralNames: 'Dan', askForNames: 'yes' });
    expect(one.text).toContain('suggesting I speak with Dan; I will let you know how those conversations go. If anyone else comes to mind');
  });

  it('the thank-you answers the request in its thread when there was one', () => {
    expect(render('thank-you', { ...full['thank-you'], originalSubject: '20 minutes of your advice?' }).subject).toBe('Re: 20 minutes of your advice?');
  });

  it('keep-in-touch is a short update', () => {
    const out = render('keep-in-touch', full['keep-in-touch']);
    expect(out.subject).toBe('A quick update from Ann Seeker');
    expect(out.text).toContain('A quick update, since your advice helped me get here: I have started a course in product discovery.');
    expect(out.text.split('\n').length).toBeLessThan(15);
  });

  it('escapes variables in html but not in text', () => {
    const out = render('keep-in-touch', { ...full['keep-in-touch'], contactFirstName: 'Bob <script>alert("x")</script> & \'co\'' });
    expect(out.html).toContain('Dear Bob &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;,');
    expect(out.html).not.toContain('<script>');
    expect(out.text).toContain('Dear Bob <script>alert("x")</script> & \'co\',');
  });

  it('keeps a subject on one line whatever a variable holds', () => {
    const out = render('meeting-request-gatekeeper', { ...full['meeting-request-gatekeeper'], contactName: 'Bob\r\nBcc: evil@example.com' });
    expect(out.subject).toBe('Could you help me reach Bob Bcc: evil@example.com?');
  });

  it('refuses to render without a required variable', () => {
    expect(() => render('thank-you', { ...full['thank-you'], contactFirstName: ' ' })).toThrow(/thank-you: variable contactFirstName must not be empty/);
  });

  it('declares every variable the issue names', () => {
    const all = new Set<string>(Object.values(templateVariables).flatMap((d) => [...d.required, ...d.optional]));
    for (const name of [
      'ownerName',
      'ownerEmail',
      'contactName',
      'contactFirstName',
      'organisation',
      'objective',
      'minutes',
      'referralName',
      'meetingStart',
      'meetingTimezone',
      'location',
      'videoUrl',
      'researchNotes',
      'questions',
      'referredByName',
      'unsubscribeUrl',
    ]) {
      expect(all.has(name), name).toBe(true);
    }
  });
});

describe('overrides', () => {
  it('an override file replaces only its own part', () => {
    const dir = overrideDir({ 'thank-you.subject.txt': 'Many thanks, {{contactFirstName}}!\n' });
    const t = loadTemplates({ overrideDir: dir });
    const out = t.render('thank-you', full['thank-you']);
    expect(out.subject).toBe('Many thanks, Bob!');
    expect(out.text).toContain('Thank you for taking the time');
    expect(t.files('thank-you').subject).toBe(join(dir, 'thank-you.subject.txt'));
    expect(t.files('thank-you').text).not.toContain(dir);
  });

  it('an unknown variable fails at load, naming the file and the variable', () => {
    const dir = overrideDir({ 'nudge.text.txt': 'Hi {{contactFirstname}},\n' });
    let error: unknown;
    try {
      loadTemplates({ overrideDir: dir });
    } catch (e) {
      error = e;
    }
    expect(isOutreachError(error, 'config')).toBe(true);
    expect((error as Error).message).toContain(join(dir, 'nudge.text.txt'));
    expect((error as Error).message).toContain('{{contactFirstname}}');
    expect((error as { details?: unknown }).details).toEqual({ file: join(dir, 'nudge.text.txt'), variable: 'contactFirstname' });
  });

  it('a variable allowed for one kind is unknown in another', () => {
    const dir = overrideDir({ 'keep-in-touch.html': '<p>{{researchNotes}}</p>' });
    expect(() => loadTemplates({ overrideDir: dir })).toThrow(/keep-in-touch\.html: unknown variable \{\{researchNotes\}\}/);
  });

  it('an unknown section name, an unclosed section and a malformed tag fail at load', () => {
    expect(() => loadTemplates({ overrideDir: overrideDir({ 'nudge.html': '{{#referal}}x{{/referal}}' }) })).toThrow(/unknown variable \{\{referal\}\}/);
    expect(() => loadTemplates({ overrideDir: overrideDir({ 'nudge.html': '{{#referralName}}x' }) })).toThrow(/never closed/);
    expect(() => loadTemplates({ overrideDir: overrideDir({ 'nudge.html': '{{#referralName}}x{{/minutes}}' }) })).toThrow(/closes/);
    expect(() => loadTemplates({ overrideDir: overrideDir({ 'nudge.html': 'Hi {{contact name}}' }) })).toThrow(/malformed tag/);
  });

  it('a two-line subject fails at load', () => {
    expect(() => loadTemplates({ overrideDir: overrideDir({ 'nudge.subject.txt': 'Hello\nBcc: x@example.com\n' }) })).toThrow(
      /nudge\.subject\.txt: a subject must be one line/,
    );
  });

  it('a misspelt template file name fails at load rather than being ignored', () => {
    expect(() => loadTemplates({ overrideDir: overrideDir({ 'thankyou.text.txt': 'x' }) })).toThrow(/thankyou\.text\.txt: no email kind "thankyou"/);
  });

  it('a missing override folder fails at load', () => {
    expect(() => loadTemplates({ overrideDir: join(tmpdir(), 'no-such-outreach-templates') })).toThrow(/does not exist/);
  });
});

describe('the objective in a request, for the ways seekers write it', () => {
  const objectives = [
    'Learn how analytics teams hire people moving over from teaching',
    'Learn how analytics teams hire career changers.',
    'To learn what a day in UX research looks like',
    'I want to understand how product managers grow into leadership',
    "I'm exploring a move from nursing into health-care product management.",
    'Exploring careers in renewable energy policy',
    'A move from teaching into data analytics',
    'Understand which skills matter most for junior data engineers',
    'My goal is to find out how museums hire digital curators',
    'Switching from law to software engineering',
  ];
  for (const objective of objectives) {
    it(`"${objective}" makes one sentence of the seeker's own`, () => {
      const out = render('meeting-request-direct', { ...full['meeting-request-direct'], objective, objectiveSentence: objectiveSentence(objective) });
      const sentence = out.text.match(/My name is Ann Seeker\. (.+)\n/)![1]!;
      expect(sentence).toMatch(/^(I|I'm|My) /);
      expect(sentence).toMatch(/[^.][.!?]$/);
      expect(sentence).not.toMatch(/\s{2}|\.\./);
    });
  }
});
