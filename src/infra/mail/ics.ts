import { DateTime, IANAZone } from 'luxon';
import { OutreachError } from '../../domain/errors.ts';
import type { Invitation, Person } from '../../app/effects/email/invitation.ts';

export type IcsMethod = Invitation['method'];
export type IcsPerson = Person;
/** An invitation with its words: the summary and description come from the rendered template. */
export type IcsInput = Invitation & { summary: string; description: string };

const CRLF = '\r\n';
const PRODID = '-//Outreach//Informational interviews//EN';

/** RFC 5545 §3.3.11 TEXT: backslash first, or the escapes themselves get escaped. */
export const escapeText = (s: string): string =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');

/** Parameter values are always quoted (a name may hold , ; :) and a quoted string cannot hold DQUOTE or controls. */
const paramValue = (s: string) => `"${s.replace(/["\u0000-\u001f\u007f]/g, '').trim()}"`;

/** RFC 5545 §3.1: lines of at most 75 octets, continued with CRLF + space, never splitting a UTF-8 character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space of a continuation line counts
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(`${CRLF} `);
}

const fail = (field: string, message: string) => new OutreachError('validation', `${field}: ${message}`, { field });
const noBreak = (field: string, value: string) => {
  if (/[\r\n]/.test(value)) throw fail(field, 'must not contain a line break');
  return value;
};

const utcStamp = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
/** Local wall time of an instant under a fixed offset, formatted as an iCalendar DATE-TIME without zone. */
const wallStamp = (ms: number, offsetMinutes: number) => DateTime.fromMillis(ms + offsetMinutes * 60_000, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss");

const formatOffset = (minutes: number) => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = Math.round(abs % 60);
  return `${sign}${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}`;
};

type Transition = { at: number; before: number; after: number };

/** Offset changes of a zone in [from, to), found by stepping and then bisecting to the minute. */
function transitionsOf(zone: IANAZone, from: number, to: number): Transition[] {
  const step = 12 * 3_600_000;
  const found: Transition[] = [];
  let prevTs = from;
  let prevOffset = zone.offset(from);
  for (let ts = from + step; ts <= to + step; ts += step) {
    const t = Math.min(ts, to);
    const offset = zone.offset(t);
    if (offset !== prevOffset) {
      let lo = prevTs;
      let hi = t;
      while (hi - lo > 60_000) {
        const mid = lo + Math.max(1, Math.floor((hi - lo) / 120_000)) * 60_000;
        if (zone.offset(mid) === prevOffset) lo = mid;
        else hi = mid;
      }
      found.push({ at: hi, before: prevOffset, after: zone.offset(hi) });
    }
    prevTs = t;
    prevOffset = offset;
    if (t === to) break;
  }
  return found;
}

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** The BYDAY forms ("-1SU", "2SU") a transition's local date satisfies. */
function byDayCandidates(local: DateTime): string[] {
  const wd = WEEKDAYS[local.weekday - 1]!;
  const out: string[] = [];
  if (local.day + 7 > local.daysInMonth!) out.push(`-1${wd}`);
  const nth = Math.ceil(local.day / 7);
  if (nth <= 4) out.push(`${nth}${wd}`);
  return out;
}

/**
 * VTIMEZONE for the zone's rules around the event, derived from the tz database through luxon.
 * Transitions within a year either side are grouped by (kind, offsets, month, wall time); a group
 * present in every year whose dates share a BYDAY rule becomes one yearly RRULE component, as
 * Outlook and Apple Calendar expect; anything irregular is written as single-onset components.
 */
// Finding a zone's transitions scans three years of offsets (milliseconds of work); they depend only on the zone and the span.
const transitions = new Map<string, ReturnType<typeof transitionsOf>>();
function cachedTransitions(zoneName: string, zone: IANAZone, from: number, to: number) {
  const key = `${zoneName}|${from}|${to}`;
  let found = transitions.get(key);
  if (!found) {
    if (transitions.size > 500) transitions.clear();
    found = transitionsOf(zone, from, to);
    transitions.set(key, found);
  }
  return found;
}

// The component depends only on the zone, the span of years and whether a baseline is needed, and
// naming its onsets costs a luxon DateTime each: every booking's .ics in a zone shares one.
const vtimezones = new Map<string, readonly string[]>();

export function buildVtimezone(zoneName: string, aroundMs: number): string[] {
  const zone = IANAZone.create(zoneName);
  const year = DateTime.fromMillis(aroundMs, { zone }).year;
  const from = DateTime.fromObject({ year: year - 1, month: 1, day: 1 }, { zone }).toMillis();
  const to = DateTime.fromObject({ year: year + 2, month: 1, day: 1 }, { zone }).toMillis();
  const changes = cachedTransitions(zoneName, zone, from, to);
  const baseline = !changes[0] || changes[0].at > aroundMs;
  const key = `${zoneName}|${from}|${to}|${baseline}`;
  let lines = vtimezones.get(key);
  if (!lines) {
    if (vtimezones.size > 500) vtimezones.clear();
    lines = vtimezoneLines(zoneName, zone, from, changes, baseline);
    vtimezones.set(key, lines);
  }
  return [...lines];
}

function vtimezoneLines(zoneName: string, zone: IANAZone, from: number, changes: ReturnType<typeof transitionsOf>, baseline: boolean): string[] {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zoneName}`];
  const tzName = (ms: number) => escapeText(DateTime.fromMillis(ms, { zone }).setLocale('en-US').toFormat('ZZZZ'));
  const isDst = (ms: number) => DateTime.fromMillis(ms, { zone }).isInDST;
  const component = (kind: 'STANDARD' | 'DAYLIGHT', onset: string, before: number, after: number, name: string, rrule?: string) => {
    lines.push(`BEGIN:${kind}`, `DTSTART:${onset}`, `TZOFFSETFROM:${formatOffset(before)}`, `TZOFFSETTO:${formatOffset(after)}`);
    if (rrule) lines.push(rrule);
    lines.push(`TZNAME:${name}`, `END:${kind}`);
  };

  const first = changes[0];
  if (baseline) {
    // No onset at or before the event: a fixed baseline so a reader never has to guess.
    const offset = zone.offset(from);
    component(isDst(from) ? 'DAYLIGHT' : 'STANDARD', first ? wallStamp(from, offset) : '19700101T000000', offset, offset, tzName(from));
  }

  const groups = new Map<string, Transition[]>();
  for (const t of changes) {
    const local = DateTime.fromMillis(t.at + t.before * 60_000, { zone: 'utc' });
    const key = [isDst(t.at) ? 'D' : 'S', t.before, t.after, local.month, local.toFormat('HHmmss')].join('|');
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  for (const [key, members] of groups) {
    const kind = key.startsWith('D') ? 'DAYLIGHT' : 'STANDARD';
    const locals = members.map((t) => DateTime.fromMillis(t.at + t.before * 60_000, { zone: 'utc' }));
    const years = new Set(locals.map((l) => l.year));
    const shared = locals.map(byDayCandidates).reduce((acc, c) => acc.filter((x) => c.includes(x)));
    const head = members[0]!;
    if (years.size === 3 && members.length === 3 && shared.length > 0) {
      component(
        kind,
        wallStamp(head.at, head.before),
        head.before,
        head.after,
        tzName(head.at),
        `RRULE:FREQ=YEARLY;BYMONTH=${locals[0]!.month};BYDAY=${shared[0]}`,
      );
    } else {
      for (const t of members) component(kind, wallStamp(t.at, t.before), t.before, t.after, tzName(t.at));
    }
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/**
 * DTSTART/DTEND as wall time with TZID, unless the wall time is ambiguous (the repeated hour when
 * clocks go back). RFC 5545 says an ambiguous wall time means its first occurrence, but readers
 * differ (ical.js takes the second), so such an instant is written in UTC, which every reader
 * agrees on.
 */
function dateTimeProperty(name: string, ms: number, zoneName: string): string {
  const zone = IANAZone.create(zoneName);
  const offset = zone.offset(ms);
  const wallAsUtc = ms + offset * 60_000;
  const offsets = new Set([zone.offset(ms - 86_400_000), offset, zone.offset(ms + 86_400_000)]);
  const readings = [...offsets]
    .map((o) => wallAsUtc - o * 60_000)
    .filter((candidate) => {
      return zone.offset(candidate) * 60_000 + candidate === wallAsUtc;
    });
  if (readings.length !== 1 || readings[0] !== ms) return `${name}:${utcStamp(ms)}`;
  return `${name};TZID=${zoneName}:${wallStamp(ms, offset)}`;
}

export function buildIcs(input: IcsInput): string {
  const start = DateTime.fromISO(input.start, { setZone: true });
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(input.start) || !start.isValid) throw fail('start', 'must be an ISO 8601 date-time with an offset');
  const now = DateTime.fromISO(input.now, { setZone: true });
  if (!now.isValid) throw fail('now', 'must be an ISO 8601 date-time');
  if (!IANAZone.isValidZone(input.timezone)) throw fail('timezone', 'must be an IANA time zone such as Europe/London');
  if (!Number.isInteger(input.minutes) || input.minutes < 1 || input.minutes > 24 * 60)
    throw fail('minutes', 'must be a whole number of minutes between 1 and 1440');
  if (!Number.isInteger(input.sequence) || input.sequence < 0) throw fail('sequence', 'must be a whole number ≥ 0');
  if (!input.uid.trim() || /[\r\n]/.test(input.uid)) throw fail('uid', 'must be a non-empty single line');
  for (const [field, person] of [
    ['organizer', input.organizer],
    ['attendee', input.attendee],
  ] as const) {
    if (!/^[^\s<>"@]+@[^\s<>"@]+$/.test(person.email)) throw fail(`${field}.email`, 'must be an email address');
  }
  if (input.url !== undefined) noBreak('url', input.url);

  const startMs = start.toMillis();
  const endMs = startMs + input.minutes * 60_000;
  const person = (p: IcsPerson) => `mailto:${p.email}`;
  const cancel = input.method === 'CANCEL';
  const event = [
    'BEGIN:VEVENT',
    `UID:${escapeText(input.uid)}`,
    `SEQUENCE:${input.sequence}`,
    `DTSTAMP:${utcStamp(now.toMillis())}`,
    dateTimeProperty('DTSTART', startMs, input.timezone),
    dateTimeProperty('DTEND', endMs, input.timezone),
    `SUMMARY:${escapeText(input.summary)}`,
    `DESCRIPTION:${escapeText(input.description)}`,
    ...(input.location ? [`LOCATION:${escapeText(input.location)}`] : []),
    ...(input.url ? [`URL:${input.url}`] : []),
    `ORGANIZER;CN=${paramValue(input.organizer.name)}:${person(input.organizer)}`,
    `ATTENDEE;CN=${paramValue(input.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=${cancel ? 'FALSE' : 'TRUE'}:${person(input.attendee)}`,
    `STATUS:${cancel ? 'CANCELLED' : 'CONFIRMED'}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
  ];
  const lines = [
    'BEGIN:VCALENDAR',
    `PRODID:${PRODID}`,
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    `METHOD:${input.method}`,
    ...buildVtimezone(input.timezone, startMs),
    ...event,
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}
