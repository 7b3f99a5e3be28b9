import { z } from 'zod';
import { Duration, IANAZone } from 'luxon';

/**
 * Personal data is marked in the schemas so that later layers (crypto-shredding, forget, log
 * redaction) can find it from the schema alone instead of from a hand-kept list.
 */
export const personalData = z.registry<{ personal: true }>();
export const personal = <T extends z.ZodType>(schema: T): T => {
  personalData.add(schema as z.ZodType, { personal: true });
  return schema;
};

const NO_LINE_BREAK = /^[^\r\n]*$/;

/*
 * The rules below are written as patterns a whole value must match (not as predicates), so that the
 * API's document states them too and a client can check a value before sending it.
 */

/**
 * What no line of a header may hold: C0 and C1 controls and DEL (\p{Cc}), invisible format
 * characters (\p{Cf}: bidi overrides, zero-width spaces, BOM), line and paragraph separators, and
 * any space but the ordinary one (tabs, no-break and odd-width spaces). A name from a LinkedIn
 * export is chosen by a third party; in a Subject or a To it must read as what it is.
 */
const HEADER_SAFE = /^(?:[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s]| )*$/u;
/** No RFC 2047 encoded word (=?charset?Q?…?=): a mail client would decode it, line breaks included. */
const NO_ENCODED_WORD = /^(?![\s\S]*=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=)/;
/** No address in angle brackets: in a display name it would make a second address. */
const NO_ANGLE_ADDRESS = /^(?![\s\S]*<[^<>]*@[^<>]*>)/;

/** Body text keeps line breaks and tabs, but no other control character and no Unicode line separators. */
const BODY_SAFE = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/;

/** The checks every header-reaching text passes, each with the message a person reads. */
const headerSafe = (s: z.ZodString) =>
  s
    .regex(NO_LINE_BREAK, 'must not contain a line break')
    .regex(HEADER_SAFE, 'must not contain control characters, invisible formatting or special spaces')
    .regex(NO_ENCODED_WORD, 'must not contain an encoded word (=?…?=)')
    .regex(NO_ANGLE_ADDRESS, 'must not contain an address in angle brackets');

/** Free text that can reach an email header (subject, display name) or a calendar line. */
export const headerText = (max = 200) => headerSafe(z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`));

/** Longer free text (notes): line breaks allowed, never used in headers. */
export const bodyText = (max = 10_000) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(BODY_SAFE, 'must not contain control characters or bidirectional overrides');

export const emailAddress = z
  .string()
  .trim()
  .max(254)
  .regex(NO_LINE_BREAK, 'must not contain a line break')
  .pipe(z.email('must be a valid email address'))
  .transform((s) => s.toLowerCase());

export const phoneNumber = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()./-]{4,30}$/, 'must be a phone number of digits, spaces and + ( ) . / -');

/** Zones found valid: luxon's check builds an Intl.DateTimeFormat each time (~0.3 ms), and the same few zones are checked again and again. */
const validZones = new Set<string>();
function isZone(tz: string): boolean {
  if (validZones.has(tz)) return true;
  const ok = IANAZone.isValidZone(tz);
  if (ok && validZones.size < 1000) validZones.add(tz);
  return ok;
}

export const timezone = z
  .string()
  .trim()
  .refine((tz) => isZone(tz), 'must be an IANA time zone such as Europe/London');

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * An instant written with an explicit offset ("2026-12-01T10:00:00+01:00" or "...Z"): a bare local
 * time is ambiguous. Checked without a date library: this runs on every event written.
 */
export const instant = z
  .string()
  .trim()
  .regex(/(Z|[+-]\d{2}:?\d{2})$/, 'must be an ISO 8601 date-time with an offset (Z or +01:00)')
  .refine((s) => {
    const m = INSTANT.exec(s);
    if (!m) return false;
    const month = Number(m[2]);
    return month >= 1 && month <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= daysIn(Number(m[1]), month);
  }, 'must be a valid ISO 8601 date-time');

export const isoDuration = z
  .string()
  .trim()
  .refine((s) => {
    const d = Duration.fromISO(s);
    return d.isValid && d.toMillis() > 0;
  }, 'must be a positive ISO 8601 duration such as PT2H or P6W');

export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');

export const businessHours = z
  .object({
    start: clockTime,
    end: clockTime,
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  })
  .refine((h) => h.start < h.end, { message: 'start must be before end', path: ['end'] });
export type BusinessHours = z.infer<typeof businessHours>;

export const id = z.uuid('must be a UUID');
export const workspaceId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'must be letters, digits, - or _ (at most 63)');

export const levels = ['entry', 'mid', 'senior', 'executive'] as const;
export const level = z.enum(levels);
export const sources = [
  'friend',
  'family',
  'colleague',
  'organisation',
  'neighbour',
  'community',
  'linkedin',
  'social',
  'directory',
  'association',
  'referral',
  'other',
] as const;
export const contactSource = z.enum(sources);
export const meetingMinutes = z.union([z.literal(15), z.literal(20), z.literal(30)], {
  error: 'must be 15, 20 or 30',
});
export const channel = z.enum(['email', 'phone', 'in-person']);
export const via = z.enum(['direct', 'gatekeeper']);
export const sentiment = z.enum(['positive', 'neutral', 'negative']);
export const changeSource = z.enum(['seeker', 'calendar']);
/** A link a person will click (a video call, a profile): http or https only, never javascript: or data:. */
export const url = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2000)
  .regex(NO_LINE_BREAK, 'must not contain a line break');
export const tag = headerSafe(
  z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(/^[^,]*$/, 'must not contain a comma'),
);
/** A career being explored, as the seeker names it ("UX research"); compared without regard to case. */
export const careerTarget = headerSafe(z.string().trim().min(1).max(80));
