import { DateTime } from 'luxon';
import { z } from 'zod';
import { invalid } from '../errors.ts';
import { instant, timezone } from '../values.ts';
import { type Clock } from './types.ts';
import { bare } from './classify.ts';

export const MONTHS: Record<string, number> = {
  january: 1,
  jan: 1,
  february: 2,
  feb: 2,
  march: 3,
  mar: 3,
  april: 4,
  apr: 4,
  may: 5,
  june: 6,
  jun: 6,
  july: 7,
  jul: 7,
  august: 8,
  aug: 8,
  september: 9,
  sept: 9,
  sep: 9,
  october: 10,
  oct: 10,
  november: 11,
  nov: 11,
  december: 12,
  dec: 12,
  januar: 1,
  jänner: 1,
  februar: 2,
  märz: 3,
  maerz: 3,
  mai: 5,
  juni: 6,
  juli: 7,
  oktober: 10,
  okt: 10,
  dezember: 12,
  dez: 12,
  janvier: 1,
  janv: 1,
  février: 2,
  fevrier: 2,
  févr: 2,
  mars: 3,
  avril: 4,
  avr: 4,
  juin: 6,
  juillet: 7,
  juil: 7,
  août: 8,
  aout: 8,
  septembre: 9,
  octobre: 10,
  novembre: 11,
  décembre: 12,
  decembre: 12,
  déc: 12,
  enero: 1,
  febrero: 2,
  marzo: 3,
  abril: 4,
  mayo: 5,
  junio: 6,
  julio: 7,
  agosto: 8,
  septiembre: 9,
  setiembre: 9,
  octubre: 10,
  noviembre: 11,
  diciembre: 12,
};
export const WEEKDAYS: Record<string, number> = {
  monday: 1,
  mon: 1,
  tuesday: 2,
  tues: 2,
  tue: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thurs: 4,
  thu: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
  sunday: 7,
  sun: 7,
  montag: 1,
  dienstag: 2,
  mittwoch: 3,
  donnerstag: 4,
  freitag: 5,
  samstag: 6,
  sonntag: 7,
  lundi: 1,
  mardi: 2,
  mercredi: 3,
  jeudi: 4,
  vendredi: 5,
  samedi: 6,
  dimanche: 7,
  lunes: 1,
  martes: 2,
  miércoles: 3,
  miercoles: 3,
  jueves: 4,
  viernes: 5,
  sábado: 6,
  sabado: 6,
  domingo: 7,
};
export const alternation = (words: Record<string, number>) =>
  Object.keys(words)
    .sort((a, b) => b.length - a.length)
    .join('|');
export const MONTH = alternation(MONTHS);
export const WEEKDAY = alternation(WEEKDAYS);
// \b does not know "é" or "ä" as word characters: end words with a look-ahead instead.
export const END = '(?![\\p{L}\\d])';

/** Words that announce the return date; "back" and "return" outrank "until". */
export const CUES: { re: RegExp; rank: number; needs?: RegExp }[] = [
  { re: /(?<![\p{L}])(?:back|return(?:ing|s)?|re-?joining)(?![\p{L}])/giu, rank: 1 },
  { re: /(?<![\p{L}])(?:retour|zurück|zurueck|regreso|regresaré|regresare|volveré|volvere)(?![\p{L}])/giu, rank: 1 },
  { re: /(?<![\p{L}])(?:ab|à partir du|a partir del)(?![\p{L}])/giu, rank: 1, needs: /(?<![\p{L}])(?:wieder|zurück|retour|de vuelta)(?![\p{L}])/iu },
  { re: /(?<![\p{L}])(?:until|till|til|bis|jusqu['’]?\s*(?:au|à|a)|hasta)(?![\p{L}])/giu, rank: 2 },
];
/** Words between the cue and the date: "back in the office on", "bis zum", "de retour le". */
export const FILLER = new RegExp(
  `^(?:[\\s,:;–-]+|(?:on|the|in|at|to|into|office|work|date|is|will|be|of|am|an|dem|den|zum|im|büro|buero|le|au|bureau|prévu|prevu|el|al|día|dia|de)${END})`,
  'iu',
);
export const INCLUSIVE = new RegExp(`^[\\s,(]*(?:inclusive|including|included|inclus|inclusivement|einschließlich|einschliesslich|inklusive)${END}`, 'iu');

export const WEEKDAY_FIRST = new RegExp(`^(${WEEKDAY})\\.?${END},?\\s*`, 'iu');
export const DAY_MONTH = new RegExp(
  `^(\\d{1,2})(?:st|nd|rd|th|er|e|\\.)?\\s*(?:of\\s+|de\\s+)?(${MONTH})\\.?${END}(?:,?\\s+(?:de\\s+)?(\\d{4})(?!\\d))?`,
  'iu',
);
export const MONTH_DAY = new RegExp(`^(${MONTH})\\.?${END}\\s*(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?(?!\\d)(?:,?\\s+(\\d{4})(?!\\d))?`, 'iu');

export type DateParts = { year?: number; month?: number; day?: number; weekday?: number; length: number } | 'ambiguous';

export function readDate(s: string): DateParts | null {
  let m = /^(\d{4})-(\d{2})-(\d{2})(?!\d)/.exec(s);
  if (m) return { year: +m[1]!, month: +m[2]!, day: +m[3]!, length: m[0].length };
  let weekday: number | undefined;
  let offset = 0;
  m = WEEKDAY_FIRST.exec(s);
  if (m) {
    weekday = WEEKDAYS[m[1]!.toLowerCase()];
    offset = m[0].length;
  }
  const rest = s.slice(offset).replace(/^(?:the|den|le|el)\s+/i, (w) => {
    offset += w.length;
    return '';
  });
  const year = (y: string | undefined) => (y === undefined ? undefined : y.length === 2 ? 2000 + Number(y) : Number(y));
  m = DAY_MONTH.exec(rest);
  if (m) return { year: year(m[3]), month: MONTHS[m[2]!.toLowerCase()], day: +m[1]!, weekday, length: offset + m[0].length };
  m = MONTH_DAY.exec(rest);
  if (m) return { year: year(m[3]), month: MONTHS[m[1]!.toLowerCase()], day: +m[2]!, weekday, length: offset + m[0].length };
  // 14.12. and 14.12.2026: the dotted form is day-first wherever it is written.
  m = /^(\d{1,2})\.(\d{1,2})\.(?:(\d{4}|\d{2})(?!\d))?/.exec(rest);
  if (m) return { year: year(m[3]), month: +m[2]!, day: +m[1]!, weekday, length: offset + m[0].length };
  m = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])/.exec(rest);
  if (m) {
    const [a, b] = [+m[1]!, +m[2]!];
    // 14/12 is day-first, 12/14 month-first; 03/04 could be either.
    if (a > 12 && b <= 12) return { year: year(m[3]), month: b, day: a, weekday, length: offset + m[0].length };
    if (b > 12 && a <= 12) return { year: year(m[3]), month: a, day: b, weekday, length: offset + m[0].length };
    if (a === b) return { year: year(m[3]), month: a, day: a, weekday, length: offset + m[0].length };
    return 'ambiguous';
  }
  // A bare day ("until the 3rd") has no month to go with: not a date we can read.
  if (/^\d{1,2}(?:st|nd|rd|th|\.)?(?![\d/.])/.test(rest)) return 'ambiguous';
  if (weekday !== undefined) return { weekday, length: offset };
  return null;
}

export const STALE_DAYS = 7;
export const LONGEST_ABSENCE_DAYS = 183;

/** The calendar date the parts stand for, seen from `today`, or null when impossible or implausible. */
export function resolveDate(parts: Exclude<DateParts, 'ambiguous'>, today: DateTime): DateTime | null {
  const { year, month, day, weekday } = parts;
  if (month === undefined || day === undefined) {
    if (weekday === undefined) return null;
    // "back on Monday": the next Monday after today.
    return today.plus({ days: ((weekday - today.weekday + 6) % 7) + 1 });
  }
  const at = (y: number) => DateTime.fromObject({ year: y, month, day }, { zone: today.zone });
  if (year !== undefined) {
    const date = at(year);
    if (!date.isValid || (weekday !== undefined && date.weekday !== weekday)) return null;
    const days = date.diff(today, 'days').days;
    return days < -31 || days > 366 ? null : date;
  }
  let date = at(today.year);
  if (!date.isValid || date.diff(today, 'days').days < -STALE_DAYS) date = at(today.year + 1);
  if (!date.isValid || (weekday !== undefined && date.weekday !== weekday)) return null;
  return date.diff(today, 'days').days > LONGEST_ABSENCE_DAYS ? null : date;
}

export const clockSchema = z.object({ now: instant, zone: timezone });
export function checkClock(clock: Clock): Clock {
  const parsed = clockSchema.safeParse(clock);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(String(issue.path[0] ?? 'clock'), issue.message);
  }
  return parsed.data;
}

/**
 * The date an automatic reply says its sender is back ("back on Monday 14 December", "returning
 * 14/12", "until December 14th", "bis zum 3. Januar"), as an ISO date in the seeker's zone; null
 * when there is none, or when it is ambiguous (03/04) or impossible (31 November, a weekday that
 * does not fit): better no date than a wrong one.
 */
export function returnDateOf(text: string, clock: Clock): string | null {
  const { now, zone } = checkClock(clock);
  const today = DateTime.fromISO(now, { zone }).startOf('day');
  const flat = text.replace(/\s+/g, ' ');
  const found: { rank: number; date: string | null }[] = [];
  for (const cue of CUES) {
    for (const m of flat.matchAll(cue.re)) {
      let rest = flat.slice(m.index + m[0].length);
      if (cue.needs && !cue.needs.test(rest.slice(0, 80))) continue;
      for (let f = FILLER.exec(rest), n = 0; f && n < 16; f = FILLER.exec(rest), n++) rest = rest.slice(f[0].length);
      const parts = readDate(rest);
      if (!parts) continue;
      if (parts === 'ambiguous') {
        found.push({ rank: cue.rank, date: null });
        continue;
      }
      // "until 14 December inclusive": the last day away, not the day back.
      const inclusive = cue.rank === 2 && INCLUSIVE.test(rest.slice(parts.length));
      const date = inclusive ? null : resolveDate(parts, today);
      found.push({ rank: cue.rank, date: date ? date.toISODate() : null });
    }
  }
  if (found.length === 0) return null;
  const best = Math.min(...found.map((f) => f.rank));
  const dates = new Set(found.filter((f) => f.rank === best).map((f) => f.date));
  return dates.size === 1 ? [...dates][0]! : null;
}
