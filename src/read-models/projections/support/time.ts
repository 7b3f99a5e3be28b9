import { Duration } from 'luxon';

const digits = (s: string, from: number, n: number) => {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
};

/** "YYYY-MM-DDTHH:MM:SS[.sss](Z|±HH:MM)" without Date.parse, which is slow for offsets; NaN for anything else. */
function parseInstant(iso: string): number {
  const n = iso.length;
  if (n < 20 || iso.charCodeAt(10) !== 84 /* T */) return NaN;
  let end = n;
  let offsetMinutes = 0;
  if (iso.charCodeAt(n - 1) === 90 /* Z */) {
    end = n - 1;
  } else if (iso.charCodeAt(n - 3) === 58 /* : */ && (iso.charCodeAt(n - 6) === 43 || iso.charCodeAt(n - 6) === 45)) {
    offsetMinutes = (digits(iso, n - 5, 2) * 60 + digits(iso, n - 2, 2)) * (iso.charCodeAt(n - 6) === 45 ? -1 : 1);
    end = n - 6;
  } else {
    return NaN;
  }
  let ms = 0;
  if (end === 23 && iso.charCodeAt(19) === 46 /* . */) ms = digits(iso, 20, 3);
  else if (end !== 19) return NaN;
  return (
    Date.UTC(digits(iso, 0, 4), digits(iso, 5, 2) - 1, digits(iso, 8, 2), digits(iso, 11, 2), digits(iso, 14, 2), digits(iso, 17, 2), ms) -
    offsetMinutes * 60_000
  );
}

let lastIn = '';
let lastOut = '';

/**
 * Instants are stored in one form, UTC with milliseconds (`toISOString`), so that SQL can compare
 * and order them as text whatever offset the command was given with. A rebuild converts several
 * per event, often the same one in each projection: the last answer is kept, and the common forms
 * are parsed by hand.
 */
export function utc(iso: string): string {
  if (iso === lastIn) return lastOut;
  const ms = parseInstant(iso);
  const out = new Date(Number.isNaN(ms) ? iso : ms).toISOString();
  lastIn = iso;
  lastOut = out;
  return out;
}

const DAY = 86_400_000;
const weeks = new Map<string, string>();

/** The ISO week ("2026-W48") of a UTC instant. Weeks are counted in UTC, the same for every seeker a coach sees. */
export function isoWeek(utcInstant: string): string {
  const date = utcInstant.slice(0, 10);
  let week = weeks.get(date);
  if (week === undefined) {
    const day = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
    const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
    const thursday = day + (3 - weekday) * DAY; // the week belongs to the year its Thursday is in
    const year = new Date(thursday).getUTCFullYear();
    const n = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY));
    week = `${year}-W${String(n).padStart(2, '0')}`;
    weeks.set(date, week);
  }
  return week;
}

const floors = new Map<string, number>();

/**
 * A lower bound of an ISO duration in milliseconds (a month counts 28 days, a year 365), so that
 * `instant + floor` is never later than the calendar sum. Used to pre-select follow-ups in SQL;
 * their exact due time is computed by the scheduling rules afterwards.
 */
export function durationFloorMs(iso: string): number {
  let ms = floors.get(iso);
  if (ms === undefined) {
    const d = Duration.fromISO(iso).toObject();
    const days = (d.years ?? 0) * 365 + (d.months ?? 0) * 28 + (d.weeks ?? 0) * 7 + (d.days ?? 0);
    ms = days * DAY + (d.hours ?? 0) * 3_600_000 + (d.minutes ?? 0) * 60_000 + (d.seconds ?? 0) * 1000 + (d.milliseconds ?? 0);
    floors.set(iso, ms);
  }
  return ms;
}
