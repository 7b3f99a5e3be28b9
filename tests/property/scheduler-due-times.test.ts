import fc from 'fast-check';
import { DateTime, Duration, FixedOffsetZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { keepInTouchDue, nextBusinessDay, nudgeDue, prepBriefDue, thankYouDue, type Window } from '../../src/domain/scheduling.ts';
import type { BusinessHours } from '../../src/domain/values.ts';
import { bySize } from '../support/sizes.ts';

/*
 * The scheduling rules, checked with luxon alone (never with the helpers of scheduling.ts) for
 * arbitrary IANA zones, business-hour windows, day sets and instants, many of them near the
 * daylight-saving changes of 2026 and 2027.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Independent oracle (luxon only)

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const ms = (iso: string) => {
  const d = DateTime.fromISO(iso, { setZone: true });
  if (!d.isValid) throw new Error(`not an instant: ${iso}`);
  return d.toMillis();
};
const plusMs = (iso: string, duration: string) => DateTime.fromISO(iso, { setZone: true }).plus(Duration.fromISO(duration)).toMillis();
const show = (t: number, zone: string) => `${new Date(t).toISOString()} (${DateTime.fromMillis(t, { zone }).toFormat('ccc yyyy-MM-dd HH:mm:ss ZZ')} ${zone})`;

/**
 * Whether the clocks change on the local date of `t`. On such a day the rules read a window edge that
 * falls in the gap as the shifted wall time (scheduling.ts says so), so a due time there is checked to
 * be in business hours but not to be the very first or last business minute.
 */
const clockChangeDay = (t: number, zone: string) => {
  const offset = (at: number) => DateTime.fromMillis(at, { zone }).offset;
  return offset(t - 26 * 3_600_000) !== offset(t) || offset(t) !== offset(t + 26 * 3_600_000);
};

/** Whether the instant falls in the window by the wall clock of the zone: a business day, start ≤ HH:MM < end. */
function isBusiness(t: number, w: Window): boolean {
  const local = DateTime.fromMillis(t, { zone: w.zone });
  const m = local.hour * 60 + local.minute;
  return w.hours.days.includes(local.weekday) && m >= toMinutes(w.hours.start) && m < toMinutes(w.hours.end);
}

/**
 * How far (in ms) to move from `t` by `minutes` of wall-clock time: exactly that when the zone's offset
 * is the same at both ends (no clock change between), else two hours short of it (Troll's change is
 * two hours), so that a scan can never jump over the wall time it is heading for.
 */
function wallStep(t: number, local: DateTime, minutes: number, sign: 1 | -1, zone: string): number {
  const exact = t + sign * minutes * MINUTE;
  if (DateTime.fromMillis(exact, { zone }).offset === local.offset) return exact;
  return t + sign * Math.max(1, minutes - 120) * MINUTE;
}

/**
 * The first business instant in [from, to] (inclusive), or null. Business hours are whole wall-clock
 * minutes and every zone's offset is whole minutes, so it is enough to look at `from` and at whole
 * UTC minutes after it; outside a window the scan jumps to the next wall time where the answer can
 * change (the window's start, local midnight).
 */
function firstBusiness(from: number, to: number, w: Window): number | null {
  if (from > to) return null;
  if (isBusiness(from, w)) return from;
  const start = toMinutes(w.hours.start);
  let t = Math.floor(from / MINUTE) * MINUTE + MINUTE;
  while (t <= to) {
    const local = DateTime.fromMillis(t, { zone: w.zone });
    const m = local.hour * 60 + local.minute;
    const businessDay = w.hours.days.includes(local.weekday);
    if (businessDay && m >= start && m < toMinutes(w.hours.end)) return t;
    t = wallStep(t, local, businessDay && m < start ? start - m : 1440 - m, 1, w.zone);
  }
  return null;
}

/** Whether any instant in [from, to] is a business moment, scanning back from `to` the same way. */
function lastBusiness(from: number, to: number, w: Window): number | null {
  if (from > to) return null;
  if (isBusiness(to, w)) return to;
  const end = toMinutes(w.hours.end);
  // The whole minutes before the one `to` is in; minute [t, t + 1 min) meets [from, to] when t + 1 min > from.
  let t = Math.floor(to / MINUTE) * MINUTE - MINUTE;
  while (t + MINUTE > from) {
    const at = Math.max(t, from);
    if (isBusiness(at, w)) return Math.min(t + MINUTE - 1, to);
    const local = DateTime.fromMillis(t, { zone: w.zone });
    const m = local.hour * 60 + local.minute;
    const businessDay = w.hours.days.includes(local.weekday);
    // Back to the window's last minute that day, or to 23:59 the day before.
    t = wallStep(t, local, businessDay && m >= end ? m - end + 1 : m + 1, -1, w.zone);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const ZONES = Intl.supportedValuesOf('timeZone');
/** Zones with daylight saving at awkward times (midnight in Santiago, 45-minute offsets in Chatham, 30-minute DST at Lord Howe, two hours at Troll), and one without. */
const FEATURED = [
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'America/Santiago',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'Antarctica/Troll',
  'America/Havana',
  'Europe/Berlin',
  'America/Los_Angeles',
  'UTC',
];
const zone = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FEATURED) }, { weight: 2, arbitrary: fc.constantFrom(...ZONES) });

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const window = (lo: number, hi: number) =>
  fc
    .tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi }))
    .filter(([a, b]) => a !== b)
    .map(([a, b]) => ({ start: hhmm(Math.min(a, b)), end: hhmm(Math.max(a, b)) }));
const businessHours: fc.Arbitrary<BusinessHours> = fc
  .record({
    span: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom({ start: '09:00', end: '17:30' }, { start: '08:00', end: '18:00' }, { start: '10:00', end: '16:00' }) },
      { weight: 3, arbitrary: window(0, 1439) },
      // Small windows in the small hours, where the clocks change.
      { weight: 2, arbitrary: window(0, 4 * 60) },
    ),
    days: fc.oneof({ weight: 2, arbitrary: fc.constant([1, 2, 3, 4, 5]) }, { weight: 3, arbitrary: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }) }),
  })
  .map(({ span, days }) => ({ ...span, days: [...days].sort() }));
const win: fc.Arbitrary<Window> = fc.record({ zone, hours: businessHours });

/** Daylight-saving changes (somewhere) in 2026 and 2027. */
const DST_DAYS = [
  '2026-03-08',
  '2026-03-29',
  '2026-04-05',
  '2026-09-06',
  '2026-09-27',
  '2026-10-04',
  '2026-10-25',
  '2026-11-01',
  '2027-03-14',
  '2027-03-28',
  '2027-04-04',
].map((d) => Date.parse(`${d}T00:00:00Z`));

const instantMs = fc.oneof(
  // Within four days either side of a clock change.
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...DST_DAYS), fc.integer({ min: -4 * DAY, max: 4 * DAY })).map(([d, o]) => d + o) },
  { weight: 1, arbitrary: fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }) },
);
/** Mostly whole minutes, sometimes with seconds or milliseconds. */
const instant = fc
  .tuple(instantMs, fc.oneof(fc.constant('minute'), fc.constant('second'), fc.constant('ms')))
  .map(([t, grain]) => (grain === 'minute' ? Math.floor(t / MINUTE) * MINUTE : grain === 'second' ? Math.floor(t / 1000) * 1000 : t));
/** An ISO instant with an explicit offset, as commands give them: Z, or the offset of some zone or a fixed one. */
const isoOf = (t: number) =>
  fc.oneof(
    fc.constant(new Date(t).toISOString()),
    zone.map((z) => DateTime.fromMillis(t, { zone: z }).toISO()!),
    fc
      .integer({ min: -12 * 60, max: 14 * 60 })
      .map((o) => DateTime.fromMillis(t, { zone: FixedOffsetZone.instance(o) }).toISO({ suppressMilliseconds: true })!),
  );
const isoInstant = instant.chain(isoOf);

const delay = fc.oneof(
  fc.constantFrom('PT2H', 'PT30M', 'PT1H', 'PT4H', 'PT12H', 'PT0.5H', 'PT90M', 'P1D', 'P1DT2H'),
  fc.integer({ min: 1, max: 72 * 60 }).map((m) => `PT${m}M`),
);
const deadline = fc.oneof(
  fc.constantFrom('PT24H', 'PT12H', 'PT48H', 'P1D', 'P2D', 'PT3H', 'PT1H'),
  fc.integer({ min: 1, max: 96 * 60 }).map((m) => `PT${m}M`),
);
const cadence = fc.oneof(
  fc.constantFrom('P5D', 'P6W', 'P3D', 'P1W', 'P2W', 'P1M', 'PT36H', 'P1DT12H'),
  fc.integer({ min: 1, max: 20 }).map((d) => `P${d}D`),
);

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? bySize(300, 2000)) };

// ---------------------------------------------------------------------------------------------

describe('scheduling rules: every due time lands in business hours of its zone, before any deadline', () => {
  it('a thank-you is due at the first business moment at or after held + delay when one comes before held + deadline; else at the last business moment before the deadline (not before the meeting); else, with no business moment between meeting and deadline, at held + delay or the deadline, whichever is earlier', () => {
    fc.assert(
      fc.property(win, isoInstant, delay, deadline, (w, heldAt, d, dl) => {
        const due = ms(thankYouDue({ heldAt, delay: d, deadline: dl, ...w }));
        const held = ms(heldAt);
        const target = plusMs(heldAt, d);
        const limit = plusMs(heldAt, dl);
        const ctx = () => `due ${show(due, w.zone)}; held ${show(held, w.zone)}, target ${show(target, w.zone)}, limit ${show(limit, w.zone)}`;

        expect(due, `never before the meeting: ${ctx()}`).toBeGreaterThanOrEqual(held);
        expect(due, `never after the deadline: ${ctx()}`).toBeLessThanOrEqual(limit);

        const next = firstBusiness(target, limit, w);
        const last = lastBusiness(held, limit, w);
        if ([next, due, target, limit].some((t) => t !== null && clockChangeDay(t, w.zone))) {
          expect(isBusiness(due, w) || due === Math.min(target, limit), `in business hours, or the plain delay capped by the deadline: ${ctx()}`).toBe(true);
          return;
        }
        if (next !== null) {
          expect(due, `the first business moment after the delay: ${ctx()}`).toBe(next);
          return;
        }
        if (last !== null) {
          expect(isBusiness(due, w), `inside business hours: ${ctx()}`).toBe(true);
          // The last business minute: nothing in business hours after it, up to the deadline.
          expect(firstBusiness(Math.floor(due / MINUTE) * MINUTE + MINUTE, limit, w), `the last business minute before the deadline: ${ctx()}`).toBeNull();
          return;
        }
        expect(due, `no business moment between the meeting and the deadline: ${ctx()}`).toBe(Math.min(target, limit));
      }),
      RUNS,
    );
  });

  it('a nudge is due at the first business moment of the recipient at or after request + nudge delay', () => {
    fc.assert(
      fc.property(win, isoInstant, cadence, (w, requestSentAt, after) => {
        const due = ms(nudgeDue({ requestSentAt, after, ...w }));
        const target = plusMs(requestSentAt, after);
        expect(isBusiness(due, w), `inside business hours: due ${show(due, w.zone)}, target ${show(target, w.zone)}`).toBe(true);
        const first = firstBusiness(target, due, w)!;
        if (!clockChangeDay(first, w.zone)) expect(due, `the first business moment after ${show(target, w.zone)}`).toBe(first);
      }),
      RUNS,
    );
  });

  it('a keep-in-touch note is due at the first business moment of the recipient at or after last touch + cadence', () => {
    fc.assert(
      fc.property(win, isoInstant, cadence, (w, lastTouchAt, c) => {
        const due = ms(keepInTouchDue({ lastTouchAt, cadence: c, ...w }));
        const target = plusMs(lastTouchAt, c);
        expect(isBusiness(due, w), `inside business hours: due ${show(due, w.zone)}, target ${show(target, w.zone)}`).toBe(true);
        const first = firstBusiness(target, due, w)!;
        if (!clockChangeDay(first, w.zone)) expect(due, `the first business moment after ${show(target, w.zone)}`).toBe(first);
      }),
      RUNS,
    );
  });

  it("a prep brief for a future meeting is due before the meeting starts and not before now: in the seeker's business hours, or at once", () => {
    const booking = instant.chain((now) =>
      fc.tuple(
        fc.constant(now),
        fc
          .oneof(fc.integer({ min: MINUTE, max: 12 * 3_600_000 }), fc.integer({ min: MINUTE, max: 10 * DAY }))
          .map((ahead) => now + ahead)
          .chain(isoOf),
      ),
    );
    fc.assert(
      fc.property(win, booking, (w, [nowMs, meetingStart]) => {
        const now = new Date(nowMs).toISOString();
        const due = ms(prepBriefDue({ meetingStart, now, ...w }));
        const start = ms(meetingStart);
        const ctx = `due ${show(due, w.zone)}, now ${show(nowMs, w.zone)}, meeting ${show(start, w.zone)}`;
        expect(due, `not before now: ${ctx}`).toBeGreaterThanOrEqual(nowMs);
        expect(due, `before the meeting starts: ${ctx}`).toBeLessThan(start);
        // At once (its business moment the day before has passed, or none is left before the meeting), or in business hours.
        if (due !== nowMs) expect(isBusiness(due, w), `inside business hours: ${ctx}`).toBe(true);
      }),
      RUNS,
    );
  });

  it('a send on a full day waits for the first business moment of a later day, never dropped', () => {
    fc.assert(
      fc.property(win, isoInstant, (w, now) => {
        const result = ms(nextBusinessDay(now, w));
        const today = DateTime.fromISO(now, { setZone: true }).setZone(w.zone).toISODate()!;
        const day = DateTime.fromMillis(result, { zone: w.zone }).toISODate()!;
        const ctx = `result ${show(result, w.zone)}, now ${show(ms(now), w.zone)}`;
        expect(day > today, `a later day: ${ctx}`).toBe(true);
        expect(isBusiness(result, w), `inside business hours: ${ctx}`).toBe(true);
        const startOf = (date: string) => DateTime.fromISO(date, { zone: w.zone }).startOf('day').toMillis();
        const tomorrow = DateTime.fromISO(today, { zone: w.zone }).plus({ days: 1 }).toISODate()!;
        // The first business moment after today ends.
        if (!clockChangeDay(result, w.zone) && !clockChangeDay(startOf(tomorrow), w.zone)) {
          expect(firstBusiness(startOf(tomorrow), result, w), `the first business moment after today: ${ctx}`).toBe(result);
        }
      }),
      RUNS,
    );
  });
});
