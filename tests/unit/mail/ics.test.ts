import { afterEach, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { buildIcs, buildVtimezone, foldLine, type IcsInput } from '../../../src/infra/mail/ics.ts';

/*
 * Every .ics is read back by ical.js, an independent parser that applies the VTIMEZONE we wrote
 * (it has no tz database of its own): if our rules were wrong, the instants would come out wrong.
 */
const base: IcsInput = {
  uid: 'b7c1a0de-3f4e-5a6b-8c9d-0e1f2a3b4c5d@outreach.example',
  sequence: 0,
  method: 'REQUEST',
  start: '2026-12-01T10:00:00-05:00',
  minutes: 20,
  timezone: 'America/New_York',
  summary: 'Informational interview: Ann Seeker / Bob Contact',
  description: 'Agreed: 20 minutes.\nQuestions; ideas, and a \\ backslash',
  organizer: { name: 'Ann Seeker', email: 'ann@seeker.example' },
  attendee: { name: 'Bob "Bobby" Contact, PhD', email: 'bob@acme.example' },
  location: 'Acme HQ, 5th floor; room 2',
  now: '2026-11-20T09:00:00Z',
};

function read(ics: string) {
  const root = new ICAL.Component(ICAL.parse(ics));
  for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const vevent = root.getFirstSubcomponent('vevent')!;
  return { root, vevent, event: new ICAL.Event(vevent) };
}

afterEach(() => ICAL.TimezoneService.reset());

describe('buildIcs', () => {
  it('writes a REQUEST that an independent parser reads back field by field', () => {
    const ics = buildIcs(base);
    const { root, vevent, event } = read(ics);
    expect(root.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(root.getFirstPropertyValue('version')).toBe('2.0');
    expect(event.uid).toBe(base.uid);
    expect(event.sequence).toBe(0);
    expect(event.summary).toBe(base.summary);
    expect(event.description).toBe(base.description);
    expect(event.location).toBe(base.location);
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(event.startDate.toJSDate().toISOString()).toBe('2026-12-01T15:00:00.000Z');
    expect(event.endDate.toJSDate().toISOString()).toBe('2026-12-01T15:20:00.000Z');
    expect(event.startDate.zone?.tzid).toBe('America/New_York');
    const organizer = vevent.getFirstProperty('organizer')!;
    expect(organizer.getFirstValue()).toBe('mailto:ann@seeker.example');
    expect(organizer.getParameter('cn')).toBe('Ann Seeker');
    const attendee = vevent.getFirstProperty('attendee')!;
    expect(attendee.getFirstValue()).toBe('mailto:bob@acme.example');
    expect(attendee.getParameter('cn')).toBe('Bob Bobby Contact, PhD');
    expect(attendee.getParameter('rsvp')).toBe('TRUE');
    expect(vevent.getFirstPropertyValue('dtstamp')!.toString()).toBe('2026-11-20T09:00:00Z');
  });

  it('writes a CANCEL with STATUS:CANCELLED, the same UID and a higher SEQUENCE', () => {
    const ics = buildIcs({ ...base, method: 'CANCEL', sequence: 3 });
    const { root, vevent, event } = read(ics);
    expect(root.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(event.uid).toBe(base.uid);
    expect(event.sequence).toBe(3);
  });

  it('uses CRLF only, folds at 75 octets without splitting a character, and unfolds to the original', () => {
    const description = `${'Über die Stelle, '.repeat(20)}ende 😀 ${'x'.repeat(200)}`;
    const ics = buildIcs({ ...base, description, url: `https://meet.example/${'a'.repeat(150)}` });
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    const { vevent, event } = read(ics);
    expect(event.description).toBe(description);
    expect(vevent.getFirstPropertyValue('url')).toBe(`https://meet.example/${'a'.repeat(150)}`);
  });

  it('folds continuation lines to 74 octets plus the leading space', () => {
    const folded = foldLine(`DESCRIPTION:${'é'.repeat(100)}`).split('\r\n');
    expect(folded.length).toBeGreaterThan(1);
    for (const [i, line] of folded.entries()) {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
      if (i > 0) expect(line.startsWith(' ')).toBe(true);
    }
    expect(folded.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(`DESCRIPTION:${'é'.repeat(100)}`);
  });

  const cases: Array<[string, string, number]> = [
    ['America/New_York', '2026-07-15T09:30:00-04:00', 20],
    ['America/New_York', '2026-03-08T01:30:00-05:00', 60], // spans the spring-forward gap
    ['America/New_York', '2026-11-01T01:30:00-04:00', 15], // first 01:30 of the repeated hour: UTC
    ['America/New_York', '2026-11-01T01:30:00-05:00', 15], // second 01:30: written in UTC
    ['Europe/London', '2026-03-29T00:30:00Z', 60],
    ['Europe/London', '2026-10-25T01:15:00+01:00', 20],
    ['Europe/London', '2026-10-25T01:15:00Z', 20],
    ['Europe/Berlin', '2027-01-05T16:00:00+01:00', 30],
    ['Europe/Dublin', '2026-06-01T12:00:00+01:00', 20],
    ['Australia/Sydney', '2026-01-10T10:00:00+11:00', 20], // southern summer (DST)
    ['Australia/Sydney', '2026-04-05T02:30:00+10:00', 20], // second 02:30 as DST ends
    ['Australia/Lord_Howe', '2026-10-04T03:00:00+11:00', 20], // half-hour DST
    ['Asia/Kolkata', '2026-12-01T10:00:00+05:30', 20], // no DST
    ['Asia/Kathmandu', '2026-12-01T10:00:00+05:45', 15],
    ['America/Sao_Paulo', '2026-12-01T10:00:00-03:00', 20], // DST abolished in 2019
    ['Pacific/Chatham', '2026-09-27T03:45:00+13:45', 20],
    ['America/Santiago', '2026-09-06T00:30:00-03:00', 20],
    ['UTC', '2026-12-01T10:00:00Z', 20],
  ];
  it.each(cases)('%s %s: start and end instants survive the round trip', (timezone, start, minutes) => {
    const ics = buildIcs({ ...base, timezone, start, minutes });
    const { event } = read(ics);
    const expectedStart = DateTime.fromISO(start).toUTC();
    expect(event.startDate.toJSDate().toISOString()).toBe(expectedStart.toISO());
    expect(event.endDate.toJSDate().toISOString()).toBe(expectedStart.plus({ minutes }).toISO());
  });

  it('writes wall time in the zone (TZID) when it is unambiguous', () => {
    const ics = buildIcs({ ...base, timezone: 'Europe/London', start: '2026-07-01T09:00:00Z' });
    expect(ics).toContain('DTSTART;TZID=Europe/London:20260701T100000');
    expect(ics).toMatch(/BEGIN:DAYLIGHT\r\nDTSTART:\d{8}T010000\r\nTZOFFSETFROM:\+0000\r\nTZOFFSETTO:\+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU/);
    expect(ics).toMatch(/BEGIN:STANDARD\r\nDTSTART:\d{8}T020000\r\nTZOFFSETFROM:\+0100\r\nTZOFFSETTO:\+0000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU/);
  });

  it('gives the US rules as second and first Sundays', () => {
    const ics = buildIcs(base);
    expect(ics).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
    expect(ics).toContain('RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU');
  });

  it('gives every booking in a zone and year the same VTIMEZONE, which no caller can change for the next', () => {
    const july = Date.parse('2026-07-01T09:00:00Z');
    const first = buildVtimezone('Europe/London', july);
    first.push('X-CHANGED-BY-A-CALLER');
    expect(buildVtimezone('Europe/London', Date.parse('2026-02-01T09:00:00Z'))).toEqual(first.slice(0, -1));
    expect(buildVtimezone('Europe/London', Date.parse('2027-07-01T09:00:00Z'))).not.toEqual(first.slice(0, -1));
    expect(buildVtimezone('Europe/Paris', july)).not.toEqual(first.slice(0, -1));
  });

  it('is the same text for the same input', () => {
    expect(buildIcs(base)).toBe(buildIcs({ ...base }));
  });

  it('refuses a start without an offset, an unknown zone and a header-breaking url', () => {
    expect(() => buildIcs({ ...base, start: '2026-12-01T10:00:00' })).toThrow(/start/);
    expect(() => buildIcs({ ...base, timezone: 'Mars/Olympus' })).toThrow(/timezone/);
    expect(() => buildIcs({ ...base, url: 'https://x.example/\r\nATTENDEE:mailto:evil@x' })).toThrow(/url/);
    expect(() => buildIcs({ ...base, uid: 'a\r\nb' })).toThrow(/uid/);
  });
});
