import { describe, expect, it } from 'vitest';
import { returnDateOf } from '../../../src/domain/inbound-mail.ts';
import { isOutreachError } from '../../../src/domain/errors.ts';

// Monday 30 November 2026, noon in London.
const clock = { now: '2026-11-30T12:00:00Z', zone: 'Europe/London' };
const returns = (text: string, at = clock) => returnDateOf(text, at);

describe('return date: English phrasings', () => {
  it.each([
    ['I will be back on Monday 14 December.', '2026-12-14'],
    ['I am out of the office, returning 14/12.', '2026-12-14'],
    ["I'm away until December 14th with no access to email.", '2026-12-14'],
    ['Back on 2026-12-14.', '2026-12-14'],
    ["I'll be back Dec 7.", '2026-12-07'],
    ["I'll be back on 14th Dec and will reply then.", '2026-12-14'],
    ['I will return to the office on January 4th, 2027.', '2027-01-04'],
    ["I'm back in the office on Monday, 4 January.", '2027-01-04'],
    ['I am travelling and return on Jan. 4 2027.', '2027-01-04'],
    ['Returning to work on 12/14/2026.', '2026-12-14'],
    ['Return date: 14 December 2026', '2026-12-14'],
  ])('%s → %s', (text, date) => {
    expect(returns(text)).toBe(date);
  });

  it('a date before now in the year is next year\'s ("out until the 3rd of January" in November)', () => {
    expect(returns('I am out until the 3rd of January.')).toBe('2027-01-03');
  });

  it('a weekday alone is the next such day after today', () => {
    expect(returns('Back on Monday.')).toBe('2026-12-07');
    expect(returns('I am out and returning on Wednesday.')).toBe('2026-12-02');
  });
});

describe('return date: other languages', () => {
  it.each([
    ['Ich bin ab dem 4. Januar wieder im Büro.', '2027-01-04'],
    ['Ich bin bis zum 3. Januar 2027 nicht erreichbar.', '2027-01-03'],
    ['Ich bin bis 14.12. abwesend.', '2026-12-14'],
    ['Vielen Dank für Ihre Nachricht. Ab Montag, 14. Dezember bin ich wieder erreichbar.', '2026-12-14'],
    ['Je serai de retour le 4 janvier.', '2027-01-04'],
    ["Je suis absente jusqu'au 18 décembre.", '2026-12-18'],
    ['Estaré fuera de la oficina hasta el 8 de enero.', '2027-01-08'],
  ])('%s → %s', (text, date) => {
    expect(returns(text)).toBe(date);
  });
});

describe('return date: better none than a wrong one', () => {
  it('a numeric date that reads both ways is ambiguous', () => {
    expect(returns('I am out of the office, returning 03/01.')).toBeNull();
    expect(returns('Back on 03/04/2027.')).toBeNull();
  });

  it('a day that does not exist is refused', () => {
    expect(returns('I will be back on 31 November.')).toBeNull();
    expect(returns('Back on 30 February.')).toBeNull();
  });

  it('a weekday that does not fit the date is refused', () => {
    expect(returns('I will be back on Tuesday 14 December.')).toBeNull();
  });

  it('a day without its month is not read', () => {
    expect(returns('I am out until the 3rd.')).toBeNull();
  });

  it('"until … inclusive" names the last day away, not the day back', () => {
    expect(returns('I am on leave until 14 December inclusive.')).toBeNull();
  });

  it("a year-less date well past is a stale reply, not next year's", () => {
    expect(returns('I will be back on 1 November.')).toBeNull();
  });

  it('a year-less date a few days past is kept (the reply is stale, the date still right)', () => {
    expect(returns('I will be back on 27 November.')).toBe('2026-11-27');
  });

  it('a written year far from now is refused', () => {
    expect(returns('Back on 14 December 2024.')).toBeNull();
  });

  it('two different return dates are ambiguous', () => {
    expect(returns('I am back on 14 December. My colleague Sam is back on 15 December.')).toBeNull();
  });

  it('"back" outranks "until"', () => {
    expect(returns('I am away from 10 December until 14 December and back in the office on 15 December.')).toBe('2026-12-15');
  });

  it('a message with no date has none', () => {
    expect(returns('I will get back to you as soon as possible.')).toBeNull();
    expect(returns("I'm out of the office with limited access to email.")).toBeNull();
    expect(returns('I will get back to you on 14 December.')).toBeNull();
  });
});

describe("return date: the seeker's zone and the clock", () => {
  it('"today" is the seeker\'s day: 23:30 UTC on a Thursday is Friday in Tokyo', () => {
    const now = '2026-12-31T23:30:00Z';
    expect(returns('Back on Friday.', { now, zone: 'Europe/London' })).toBe('2027-01-01');
    expect(returns('Back on Friday.', { now, zone: 'Asia/Tokyo' })).toBe('2027-01-08');
  });

  it('refuses a zone that is not an IANA zone', () => {
    expect(() => returns('Back on Friday.', { now: clock.now, zone: 'Mars/Olympus' })).toThrow(/zone/);
    try {
      returns('x', { now: clock.now, zone: 'Mars/Olympus' });
    } catch (e) {
      expect(isOutreachError(e, 'validation')).toBe(true);
    }
  });

  it('refuses a time without an offset', () => {
    expect(() => returns('Back on Friday.', { now: '2026-11-30T12:00:00', zone: 'Europe/London' })).toThrow(/offset/);
  });
});
