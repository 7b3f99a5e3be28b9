import { DateTime, Duration } from 'luxon';
import type { BusinessHours } from './values.ts';
import { zoneFormat } from './zone-format.ts';

/**
 * When things are due. Every function is pure: instants in, instants out (ISO strings, UTC),
 * with the zone whose business hours apply passed explicitly.
 */

export type Window = { zone: string; hours: BusinessHours };

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const at = (day: DateTime, hhmm: string) => day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)), second: 0, millisecond: 0 });
const dt = (iso: string) => DateTime.fromISO(iso, { setZone: true });
const out = (d: DateTime) => d.toUTC().toISO({ suppressMilliseconds: true })!;

/*
 * Fast paths. The reactor works out a due time for nearly every event and luxon, for all it gets
 * right, builds several DateTimes (each asking Intl for its zone's offset) per step. The common
 * steps are done here without it, where the result is luxon's exactly: an instant written with its
 * offset (parsed as luxon parses it), shifted by days and clock time (in the fixed offset the
 * instant was written in, which is what luxon does), and the wall clock in a zone Intl knows.
 * Everything else (calendar months, a zone only luxon knows, an odd string) goes to luxon as before.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,3}))?)?(?:(Z)|([+-])([01]\d|2[0-3]):([0-5]\d))$/;

/** Epoch milliseconds of an ISO instant with an explicit offset, as luxon reads it; null for anything else (luxon's to read). */
export function instantMs(iso: string): number | null {
  const m = INSTANT.exec(iso);
  if (!m) return null;
  const year = Number(m[1]),
    month = Number(m[2]),
    day = Number(m[3]);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const local = Date.UTC(year, month - 1, day, Number(m[4]), Number(m[5]), Number(m[6] ?? 0), m[7] ? Math.floor(parseFloat(`0.${m[7]}`) * 1000) : 0);
  const offset = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  return local - offset * 60_000;
}

/** A moment as a number, for comparing: luxon's own reading when the fast one does not apply (NaN when invalid, as luxon compares). */
const moment = (iso: string) => instantMs(iso) ?? dt(iso).toMillis();

const MIN_MS = Date.UTC(1000, 0, 1);
const MAX_MS = Date.UTC(10000, 0, 1) - 1;

/** `out` of an instant given in milliseconds: UTC, seconds, milliseconds only when there are some. */
function outMs(ms: number): string | null {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) return null;
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

type Shift = { days: number; millis: number };
const shifts = new Map<string, Shift | null>();

/** An ISO duration as whole days and clock time, as luxon adds them; null when it has years, quarters or months (or days in fractions). */
function shiftOf(duration: string): Shift | null {
  let shift = shifts.get(duration);
  if (shift === undefined) {
    const d = Duration.fromISO(duration);
    shift = null;
    if (d.isValid && d.years === 0 && d.quarters === 0 && d.months === 0 && Number.isInteger(d.weeks) && Number.isInteger(d.days)) {
      const millis = Duration.fromObject({ hours: d.hours, minutes: d.minutes, seconds: d.seconds, milliseconds: d.milliseconds }).as('milliseconds');
      if (Number.isFinite(millis)) shift = { days: d.weeks * 7 + d.days, millis };
    }
    if (shifts.size >= 1000) shifts.clear();
    shifts.set(duration, shift);
  }
  return shift;
}

type Wall = { weekday: number; minutes: number };
const wallFormat = (zone: string) =>
  zoneFormat('wall', zone, 'en-US', {
    calendar: 'gregory',
    numberingSystem: 'latn',
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });

/** The weekday (1 = Monday, as luxon counts) and minute of the day of an instant on a zone's clocks. */
function wallClock(ms: number, zone: string): Wall | null {
  const format = wallFormat(zone);
  if (!format) return null;
  let year = NaN,
    month = NaN,
    day = NaN,
    hour = NaN,
    minute = NaN;
  for (const part of format.formatToParts(ms)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
    }
  }
  if (!(year >= 1000 && year <= 9999 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59)) return null;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (!Number.isInteger(weekday)) return null;
  return { weekday: weekday === 0 ? 7 : weekday, minutes: hour * 60 + minute };
}

const isBusinessDay = (local: DateTime, w: Window) => w.hours.days.includes(local.weekday);

export function isWithinBusinessHours(iso: string, w: Window): boolean {
  const ms = instantMs(iso);
  const wall = ms === null ? null : wallClock(ms, w.zone);
  if (wall) return w.hours.days.includes(wall.weekday) && wall.minutes >= toMinutes(w.hours.start) && wall.minutes < toMinutes(w.hours.end);
  const local = dt(iso).setZone(w.zone);
  const m = local.hour * 60 + local.minute;
  return isBusinessDay(local, w) && m >= toMinutes(w.hours.start) && m < toMinutes(w.hours.end);
}

/** The instant itself if it falls in business hours, else the start of the next business window. */
export function nextBusinessMoment(iso: string, w: Window): string {
  const within = isWithinBusinessHours(iso, w);
  if (within) {
    const ms = instantMs(iso);
    const fast = ms === null ? null : outMs(ms);
    if (fast !== null) return fast;
  }
  const local = dt(iso).setZone(w.zone);
  if (within) return out(local);
  let day = local.startOf('day');
  // at() on a day whose start falls in a DST gap lands on the shifted wall time, which is what a person would expect,
  // unless the whole window lies in the gap: that day has no business hours.
  const opening = (d: DateTime) => {
    const o = out(at(d, w.hours.start));
    return isWithinBusinessHours(o, w) ? o : null;
  };
  const today = isBusinessDay(local, w) && local < at(local, w.hours.start) ? opening(local) : null;
  if (today) return today;
  for (let i = 1; i <= 15; i++) {
    day = day.plus({ days: 1 });
    const o = isBusinessDay(day, w) ? opening(day) : null;
    if (o) return o;
  }
  throw new Error('business hours name no weekday');
}

/**
 * The start of the window's last minute on that day. An end in a DST gap shifts past the gap, out of
 * the window, yet the minutes before the gap are still business: walk back to the last of them. Null
 * when the whole window lies in the gap.
 */
function lastMinuteOfWindow(day: DateTime, w: Window): DateTime | null {
  let end = at(day, w.hours.end).minus({ minutes: 1 });
  const opening = at(day, w.hours.start);
  for (let i = 0; i <= 180 && end >= opening; i++) {
    if (isWithinBusinessHours(out(end), w)) return end;
    end = end.minus({ minutes: 1 });
  }
  return null;
}

/** The latest business moment at or before the instant, or null when none is at or after `notBefore`. */
export function lastBusinessMomentBefore(iso: string, notBefore: string, w: Window): string | null {
  if (isWithinBusinessHours(iso, w)) {
    const ms = instantMs(iso);
    return (ms === null ? null : outMs(ms)) ?? out(dt(iso));
  }
  const floor = dt(notBefore);
  let day = dt(iso).setZone(w.zone).startOf('day');
  for (let i = 0; i <= 8; i++) {
    if (isBusinessDay(day, w)) {
      // Null: the whole window lies in a DST gap, so that day has no business moment.
      const end = lastMinuteOfWindow(day, w);
      if (end !== null && end <= dt(iso) && end >= floor) return out(end);
      // The window's last minute began before `notBefore`, which may still be in it.
      if (end !== null && end < floor) return isWithinBusinessHours(notBefore, w) && floor <= dt(iso) ? out(floor) : null;
    }
    day = day.minus({ days: 1 });
  }
  return null;
}

function plus(iso: string, duration: string): string {
  const ms = instantMs(iso);
  const shift = ms === null ? null : shiftOf(duration);
  const fast = ms === null || shift === null ? null : outMs(ms + shift.days * 86_400_000 + shift.millis);
  return fast ?? out(dt(iso).plus(Duration.fromISO(duration)));
}

/**
 * The thank-you goes out `delay` after the meeting, moved into the recipient's business hours,
 * and never after `deadline`. When the next business window opens past the deadline, the last
 * business moment before the deadline is used; when there is none since the meeting (a weekend
 * meeting with a short deadline), the plain delay wins, because the deadline is the firmer promise.
 */
export function thankYouDue(input: { heldAt: string; delay: string; deadline: string } & Window): string {
  const target = plus(input.heldAt, input.delay);
  const limit = plus(input.heldAt, input.deadline);
  const moved = nextBusinessMoment(target, input);
  if (moment(moved) <= moment(limit)) return moved;
  const earlier = lastBusinessMomentBefore(limit, input.heldAt, input);
  return earlier ?? (moment(target) <= moment(limit) ? target : limit);
}

export const thankYouDeadline = (heldAt: string, deadline: string) => plus(heldAt, deadline);

/** One nudge, `after` the request went out, at a time the recipient is at work. */
export const nudgeDue = (input: { requestSentAt: string; after: string } & Window) => nextBusinessMoment(plus(input.requestSentAt, input.after), input);

/** Keep-in-touch notes follow the last touch by the workspace cadence. */
export const keepInTouchDue = (input: { lastTouchAt: string; cadence: string } & Window) => nextBusinessMoment(plus(input.lastTouchAt, input.cadence), input);

/**
 * The prep brief reaches the seeker the business day before the meeting; for a meeting booked
 * at short notice it goes at once, and never after the meeting starts.
 */
export function prepBriefDue(input: { meetingStart: string; now: string } & Window): string {
  const start = dt(input.meetingStart);
  const dayBefore = at(start.setZone(input.zone).minus({ days: 1 }), input.hours.start);
  let due = nextBusinessMoment(out(dayBefore), input);
  if (moment(due) >= start.toMillis()) due = lastBusinessMomentBefore(out(start.minus({ minutes: 1 })), input.now, input) ?? input.now;
  return moment(due) < moment(input.now) ? out(dt(input.now)) : due;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a zone: the unit the daily send limit counts in. */
export const dayKey = (iso: string, zone: string) => fastDayKey(iso, zone) ?? dt(iso).setZone(zone).toISODate()!;

/*
 * dayKey runs for every email sent (the daily limit), and luxon's parse and zone change cost more
 * than the rest of the check. For an instant with an explicit offset in a zone Intl knows, one
 * Intl.DateTimeFormat per zone, kept, gives the same date; anything else goes to luxon as before.
 */
const dayFormat = (zone: string) =>
  zoneFormat('day', zone, 'en-US', { calendar: 'gregory', numberingSystem: 'latn', year: 'numeric', month: '2-digit', day: '2-digit' });

function fastDayKey(iso: string, zone: string): string | null {
  const ms = instantMs(iso);
  const format = ms === null ? null : dayFormat(zone);
  if (ms === null || !format) return null;
  let year = '',
    month = '',
    day = '';
  for (const part of format.formatToParts(ms)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return /^\d{4}$/.test(year) && /^\d{2}$/.test(month) && /^\d{2}$/.test(day) ? `${year}-${month}-${day}` : null;
}

/**
 * The first business moment of a later day in the zone: where a send waits when its day's limit is
 * used up (checked again there, and waiting again if that day fills: deferred, never dropped), and
 * when an unanswered call is tried again.
 */
export function nextBusinessDay(now: string, w: Window): string {
  const tomorrow = dt(now).setZone(w.zone).plus({ days: 1 }).startOf('day');
  return nextBusinessMoment(out(tomorrow), w);
}
