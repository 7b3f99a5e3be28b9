import { DateTime, Duration } from 'luxon';
import type { BusinessHours } from './values.ts';

/**
 * When things are due. Every function is pure: instants in, instants out (ISO strings, UTC),
 * with the zone whose business hours apply passed explicitly.
 */

export type Window = { zone: string; hours: BusinessHours };

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const at = (day: DateTime, hhmm: string) => day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)), second: 0, millisecond: 0 });
const dt = (iso: string) => DateTime.fromISO(iso, { setZone: true });
const out = (d: DateTime) => d.toUTC().toISO({ suppressMilliseconds: true })!;

const isBusinessDay = (local: DateTime, w: Window) => w.hours.days.includes(local.weekday);

export function isWithinBusinessHours(iso: string, w: Window): boolean {
  const local = dt(iso).setZone(w.zone);
  const m = local.hour * 60 + local.minute;
  return isBusinessDay(local, w) && m >= toMinutes(w.hours.start) && m < toMinutes(w.hours.end);
}

/** The instant itself if it falls in business hours, else the start of the next business window. */
export function nextBusinessMoment(iso: string, w: Window): string {
  const local = dt(iso).setZone(w.zone);
  if (isWithinBusinessHours(iso, w)) return out(local);
  let day = local.startOf('day');
  if (isBusinessDay(local, w) && local < at(local, w.hours.start)) return out(at(local, w.hours.start));
  for (let i = 1; i <= 8; i++) {
    day = day.plus({ days: 1 });
    // at() on a day whose start falls in a DST gap lands on the shifted wall time, which is what a person would expect.
    if (isBusinessDay(day, w)) return out(at(day, w.hours.start));
  }
  throw new Error('business hours name no weekday');
}

/** The latest business moment at or before the instant, or null when none is at or after `notBefore`. */
export function lastBusinessMomentBefore(iso: string, notBefore: string, w: Window): string | null {
  if (isWithinBusinessHours(iso, w)) return out(dt(iso));
  const floor = dt(notBefore);
  let day = dt(iso).setZone(w.zone).startOf('day');
  for (let i = 0; i <= 8; i++) {
    if (isBusinessDay(day, w)) {
      const end = at(day, w.hours.end).minus({ minutes: 1 });
      if (end <= dt(iso) && end >= floor) return out(end);
      if (end < floor) return null;
    }
    day = day.minus({ days: 1 });
  }
  return null;
}

const plus = (iso: string, duration: string) => out(dt(iso).plus(Duration.fromISO(duration)));

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
  if (dt(moved) <= dt(limit)) return moved;
  const earlier = lastBusinessMomentBefore(limit, input.heldAt, input);
  return earlier ?? (dt(target) <= dt(limit) ? target : limit);
}

export const thankYouDeadline = (heldAt: string, deadline: string) => plus(heldAt, deadline);

/** One nudge, `after` the request went out, at a time the recipient is at work. */
export const nudgeDue = (input: { requestSentAt: string; after: string } & Window) =>
  nextBusinessMoment(plus(input.requestSentAt, input.after), input);

/** Keep-in-touch notes follow the last touch by the workspace cadence. */
export const keepInTouchDue = (input: { lastTouchAt: string; cadence: string } & Window) =>
  nextBusinessMoment(plus(input.lastTouchAt, input.cadence), input);

/**
 * The prep brief reaches the seeker the business day before the meeting; for a meeting booked
 * at short notice it goes at once, and never after the meeting starts.
 */
export function prepBriefDue(input: { meetingStart: string; now: string } & Window): string {
  const start = dt(input.meetingStart);
  const dayBefore = at(start.setZone(input.zone).minus({ days: 1 }), input.hours.start);
  let due = nextBusinessMoment(out(dayBefore), input);
  if (dt(due) >= start) due = lastBusinessMomentBefore(out(start.minus({ minutes: 1 })), input.now, input) ?? input.now;
  return dt(due) < dt(input.now) ? out(dt(input.now)) : due;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a zone: the unit the daily send limit counts in. */
export const dayKey = (iso: string, zone: string) => dt(iso).setZone(zone).toISODate()!;

/**
 * A send past the daily limit is deferred to the next business window that still has room,
 * never dropped. `sentPerDay` counts sends already made or reserved per day of the seeker's zone.
 */
export function deferForDailyLimit(input: { due: string; limit: number; sentPerDay: Readonly<Record<string, number>> } & Window): string {
  let due = input.due;
  for (let i = 0; i < 366; i++) {
    const used = input.sentPerDay[dayKey(due, input.zone)] ?? 0;
    if (used < input.limit) return due;
    const nextDay = dt(due).setZone(input.zone).plus({ days: 1 }).startOf('day');
    due = nextBusinessMoment(out(nextDay), input);
  }
  throw new Error('no room in the next year of business days');
}
