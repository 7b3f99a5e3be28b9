import { describe, expect, it } from 'vitest';
import {
  isWithinBusinessHours,
  nextBusinessDay,
  keepInTouchDue,
  nextBusinessMoment,
  nudgeDue,
  prepBriefDue,
  thankYouDue,
} from '../../../src/domain/scheduling.ts';

const hours = { start: '09:00', end: '17:30', days: [1, 2, 3, 4, 5] };
const london = { zone: 'Europe/London', hours };
const newYork = { zone: 'America/New_York', hours };
const thanks = { delay: 'PT2H', deadline: 'PT24H' };

describe('business hours', () => {
  it('an instant inside the window is kept', () => {
    expect(nextBusinessMoment('2026-11-30T10:15:00Z', london)).toBe('2026-11-30T10:15:00Z');
  });

  it('an evening moves to the next morning', () => {
    expect(nextBusinessMoment('2026-11-30T19:00:00Z', london)).toBe('2026-12-01T09:00:00Z');
  });

  it('a weekend moves to Monday morning', () => {
    expect(nextBusinessMoment('2026-12-05T11:00:00Z', london)).toBe('2026-12-07T09:00:00Z');
  });

  it('the end of the window is outside it', () => {
    expect(isWithinBusinessHours('2026-11-30T17:30:00Z', london)).toBe(false);
  });
});

describe('thank-you due time', () => {
  it("is the meeting plus the delay when that falls in the recipient's business hours", () => {
    expect(thankYouDue({ heldAt: '2026-11-30T11:00:00Z', ...thanks, ...london })).toBe('2026-11-30T13:00:00Z');
  });

  it('moves into the next business morning when the delay ends after hours', () => {
    // Monday 16:30 + 2 h = 18:30, after hours; Tuesday 09:00 is within the 24 h deadline.
    expect(thankYouDue({ heldAt: '2026-11-30T16:30:00Z', ...thanks, ...london })).toBe('2026-12-01T09:00:00Z');
  });

  it('is never later than the meeting plus the deadline', () => {
    // Friday 16:00 + 2 h falls after hours; Monday morning is past the 24 h deadline, so the last business minute of Friday is used.
    const due = thankYouDue({ heldAt: '2026-12-04T16:00:00Z', ...thanks, ...london });
    expect(due).toBe('2026-12-04T17:29:00Z');
    expect(Date.parse(due)).toBeLessThanOrEqual(Date.parse('2026-12-05T16:00:00Z'));
  });

  it("follows the recipient's time zone, not the seeker's", () => {
    // Held 17:00 in London = 12:00 in New York; 2 h later is 19:00 in London but 14:00 in New York, inside the recipient's hours.
    expect(thankYouDue({ heldAt: '2026-11-30T17:00:00Z', ...thanks, ...newYork })).toBe('2026-11-30T19:00:00Z');
    expect(thankYouDue({ heldAt: '2026-11-30T17:00:00Z', ...thanks, ...london })).toBe('2026-12-01T09:00:00Z');
  });

  it('keeps 09:00 local across the end of summer time', () => {
    // Friday 23 Oct 2026 16:00 BST; the clocks go back on Sunday 25 Oct, so Monday 09:00 GMT is 09:00Z, not 08:00Z.
    expect(thankYouDue({ heldAt: '2026-10-23T15:00:00Z', delay: 'PT2H', deadline: 'P4D', ...london })).toBe('2026-10-26T09:00:00Z');
  });

  it('falls back to the last business minute before the clocks jump when the window ends in the gap', () => {
    // Hours Sunday 00:00–02:01 in New York; on Sunday 8 Mar 2026 the clocks jump from 02:00 EST to 03:00 EDT,
    // so that day's last business minute is 01:59 EST (06:59Z), not the shifted 03:00 EDT.
    const sundayNight = { zone: 'America/New_York', hours: { start: '00:00', end: '02:01', days: [7] } };
    expect(thankYouDue({ heldAt: '2026-03-07T09:00:00Z', delay: 'PT48H', deadline: 'PT48H', ...sundayNight })).toBe('2026-03-08T06:59:00Z');
  });

  it('uses the plain delay when no business time lies between the meeting and the deadline', () => {
    expect(thankYouDue({ heldAt: '2026-12-05T10:00:00Z', delay: 'PT2H', deadline: 'PT12H', ...london })).toBe('2026-12-05T12:00:00Z');
  });
});

describe('nudges and keep-in-touch', () => {
  it('a nudge goes the nudge delay after the request, in business hours, across a change to summer time', () => {
    // Request Tuesday 3 Mar 2026 10:00 EST; +5 days is Sunday 8 Mar (the clocks go forward), so Monday 09:00 EDT = 13:00Z.
    expect(nudgeDue({ requestSentAt: '2026-03-03T15:00:00Z', after: 'P5D', ...newYork })).toBe('2026-03-09T13:00:00Z');
  });

  it('keep-in-touch follows the last touch by the cadence', () => {
    expect(keepInTouchDue({ lastTouchAt: '2026-11-30T10:00:00Z', cadence: 'P6W', ...london })).toBe('2027-01-11T10:00:00Z');
  });
});

describe('prep brief', () => {
  it('reaches the seeker at the start of the business day before the meeting', () => {
    expect(prepBriefDue({ meetingStart: '2026-12-03T14:00:00Z', now: '2026-11-30T10:00:00Z', ...london })).toBe('2026-12-02T09:00:00Z');
  });

  it('goes at once for a meeting booked at short notice', () => {
    expect(prepBriefDue({ meetingStart: '2026-12-01T14:00:00Z', now: '2026-12-01T10:00:00Z', ...london })).toBe('2026-12-01T10:00:00Z');
  });
});

describe('daily send limit', () => {
  it('a send on a full day waits for the first business moment of the next day', () => {
    expect(nextBusinessDay('2026-11-30T10:00:00Z', london)).toBe('2026-12-01T09:00:00Z');
  });

  it('a send on a full Friday waits for Monday morning, never dropped', () => {
    expect(nextBusinessDay('2026-12-04T10:00:00Z', london)).toBe('2026-12-07T09:00:00Z');
  });
});
