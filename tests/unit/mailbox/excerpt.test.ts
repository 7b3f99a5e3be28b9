import { describe, expect, it } from 'vitest';
import { EXCERPT_MAX, asksToStop, excerptOf, newTextOf } from '../../../src/domain/inbound-mail.ts';

const lines = (...l: string[]) => l.join('\n');

describe('new text: quoted history is removed', () => {
  it('Gmail: everything from "On … wrote:" on', () => {
    const text = lines(
      'Hi Ann,',
      '',
      'Thursday at 10 works for me.',
      '',
      'Best,',
      'Bob',
      '',
      'On Mon, Dec 14, 2026 at 9:02 AM Ann Seeker <ann@example.com> wrote:',
      '',
      '> Hi Bob,',
      '> Would you have 20 minutes?',
    );
    expect(excerptOf(text)).toBe('Hi Ann, Thursday at 10 works for me. Best, Bob');
  });

  it('Gmail: a header line that wraps before the address', () => {
    const text = lines('Thursday works.', '', 'On Mon, Dec 14, 2026 at 9:02 AM Ann Seeker <', 'ann@example.com> wrote:', '> Hi Bob,');
    expect(excerptOf(text)).toBe('Thursday works.');
  });

  it('Apple Mail: "On 14 Dec 2026, at 09:02, … wrote:"', () => {
    expect(excerptOf(lines('Happy to help.', '', 'On 14 Dec 2026, at 09:02, Ann Seeker <ann@example.com> wrote:', '', '> Hi Bob,'))).toBe('Happy to help.');
  });

  it('Thunderbird: "On 12/14/26 9:02 AM, Ann Seeker wrote:"', () => {
    expect(excerptOf(lines('Sure.', '', 'On 12/14/26 9:02 AM, Ann Seeker wrote:', '> Hi Bob,'))).toBe('Sure.');
  });

  it('Outlook: the "From: … Sent: …" block under the underscore line', () => {
    const text = lines(
      'Sounds good, see you then.',
      '',
      '________________________________',
      'From: Ann Seeker <ann@example.com>',
      'Sent: Monday, December 14, 2026 9:02 AM',
      'To: Bob Example <bob@example.org>',
      'Subject: Twenty minutes?',
      '',
      'Hi Bob,',
    );
    expect(excerptOf(text)).toBe('Sounds good, see you then.');
  });

  it('Outlook desktop: a "From: … [mailto:…]" block with no separator', () => {
    const text = lines(
      'Yes, Friday.',
      '',
      'From: Ann Seeker [mailto:ann@example.com]',
      'Sent: 14 December 2026 09:02',
      'To: Bob',
      'Subject: RE: Coffee',
      '',
      'Hi Bob,',
    );
    expect(excerptOf(text)).toBe('Yes, Friday.');
  });

  it('Outlook: "-----Original Message-----"', () => {
    expect(excerptOf(lines('Call me.', '', '-----Original Message-----', 'From: Ann Seeker', 'Hi Bob,'))).toBe('Call me.');
  });

  it('German and French reply headers', () => {
    expect(excerptOf(lines('Gerne.', '', 'Am 14.12.2026 um 09:02 schrieb Ann Seeker <ann@example.com>:', '> Hallo Bob,'))).toBe('Gerne.');
    expect(excerptOf(lines('Avec plaisir.', '', 'Le lun. 14 déc. 2026 à 09:02, Ann Seeker <ann@example.com> a écrit :', '> Bonjour Bob,'))).toBe(
      'Avec plaisir.',
    );
    expect(excerptOf(lines('Vale.', '', 'Von: Ann Seeker <ann@example.com>', 'Gesendet: Montag, 14. Dezember 2026 09:02', 'An: Bob'))).toBe('Vale.');
  });

  it('quoted lines answered in between are dropped, the answers kept', () => {
    const text = lines('> Would Thursday work?', 'Yes.', '> Or would a call be easier?', 'A call is fine.');
    expect(excerptOf(text)).toBe('Yes. A call is fine.');
  });
});

describe('new text: the signature is removed', () => {
  it('from the "-- " line on', () => {
    expect(excerptOf(lines('See you Thursday.', '', '-- ', 'Bob Example', 'Head of Data, Example Org', '+44 20 7946 0000'))).toBe('See you Thursday.');
  });

  it('"Sent from my iPhone" and its kin', () => {
    expect(excerptOf(lines('Sure, Thursday.', '', 'Sent from my iPhone'))).toBe('Sure, Thursday.');
    expect(excerptOf(lines('Ok', '', 'Get Outlook for iOS'))).toBe('Ok');
    expect(excerptOf(lines('Gerne', '', 'Von meinem iPhone gesendet'))).toBe('Gerne');
  });
});

describe('new text: what stays', () => {
  it('a line starting "From:" that opens no quoted block is text', () => {
    expect(excerptOf(lines('From: my side, Thursday is fine.', 'Bob'))).toBe('From: my side, Thursday is fine. Bob');
  });

  it('a sentence starting "On" that ends with "wrote:" but names no date is text', () => {
    expect(newTextOf(lines('On Thursday I can do ten.', 'Here is what my colleague wrote:', 'all good'))).toContain('On Thursday I can do ten.');
  });

  it('line breaks are kept in the new text, blank runs shortened', () => {
    expect(newTextOf('Yes.\r\n\r\n\r\n\r\nBob\r\n')).toBe('Yes.\n\nBob');
  });
});

describe('excerpt: short', () => {
  it('whitespace is collapsed', () => {
    expect(excerptOf('  Thursday\n\n\tworks   for me  ')).toBe('Thursday works for me');
  });

  it(`is at most ${EXCERPT_MAX} characters, cut at a word boundary with an ellipsis`, () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const excerpt = excerptOf(long);
    expect(excerpt.length).toBeLessThanOrEqual(EXCERPT_MAX);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(long.startsWith(excerpt.slice(0, -1))).toBe(true);
    expect(long.charAt(excerpt.length - 1)).toBe(' ');
  });

  it('an empty reply has an empty excerpt', () => {
    expect(excerptOf(lines('', 'On Mon, Dec 14, 2026 at 9:02 AM Ann <ann@example.com> wrote:', '> Hi'))).toBe('');
  });
});

describe('asks to stop: the first lines of the new text', () => {
  it.each([
    'Unsubscribe',
    'STOP',
    'Stop.',
    'Please remove me from your list.',
    "Please don't contact me again.",
    'Do not email me.',
    'Not interested, please stop.',
    'Stop emailing me.',
    'Take me off your list.',
    'No more emails please.',
    'Please opt me out.',
    'Bitte abmelden.',
    'Bitte keine weiteren E-Mails.',
    'Merci de ne plus me contacter.',
    'Je souhaite me désabonner.',
    'Por favor, darme de baja.',
  ])('%s', (text) => {
    expect(asksToStop(text)).toBe(true);
  });

  it.each([
    "Please don't hesitate to contact me.",
    'Please stop by the office on Thursday.',
    'I could not stop thinking about your question.',
    "Don't email me at this address, use bob@example.net.",
    'Remove me from cc, Sam will take it from here.',
    'Not interested at the moment, but ask me again in spring.',
  ])('not: %s', (text) => {
    expect(asksToStop(text)).toBe(false);
  });

  it('only the first lines count', () => {
    const text = lines('Hi Ann,', 'Thanks for writing.', 'Thursday works.', 'Let me know the time.', 'Best,', 'Bob', 'P.S. unsubscribe');
    expect(asksToStop(text)).toBe(false);
  });

  it('a stop word in the quoted text does not count once the quote is removed', () => {
    const text = lines(
      'Thursday works.',
      '',
      'On Mon, Dec 14, 2026 at 9:02 AM Ann <ann@example.com> wrote:',
      "> Reply 'stop' or unsubscribe: https://outreach.example/u/x",
    );
    expect(asksToStop(newTextOf(text))).toBe(false);
  });
});
