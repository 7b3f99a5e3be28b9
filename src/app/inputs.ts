import { z } from 'zod';
import {
  careerTarget,
  bodyText,
  channel,
  contactSource,
  emailAddress,
  headerText,
  id,
  instant,
  level,
  meetingMinutes,
  phoneNumber,
  sentiment,
  tag,
  timezone,
  url,
  via,
} from '../domain/values.ts';
import { callOutcomes } from '../domain/events.ts';
import { durationFromWords, isPositiveDuration } from '../domain/duration-words.ts';

/**
 * What a person may type, in the CLI's and the API's own field names. Strings are coerced where a
 * command line can only give strings; unknown fields are refused.
 */

/** An enumeration as people type it: "Mid" and "MID" are "mid". */
const anyCase = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), schema);

const count = (max: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').max(max, `must be at most ${max}`);
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));

/** A duration in words ("2 hours", "6 weeks") or ISO 8601 (PT2H, P6W); stored as ISO 8601. */
const duration = z.preprocess(
  (v) => (typeof v === 'string' ? durationFromWords(v) : v),
  z.string().refine(isPositiveDuration, 'must be a duration such as "2 hours", "5 days", "6 weeks" or PT2H'),
);

const hoursRange = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM-HH:MM, such as 09:00-17:30')
  .refine((s) => s.slice(0, 5) < s.slice(6), 'must start before it ends');

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const businessDays = z.string().transform((s, ctx) => {
  const days = new Set<number>();
  for (const part of s
    .toLowerCase()
    .split(',')
    .map((p) => p.trim())) {
    const [a, b] = part.split('-');
    const from = DAY_NAMES.indexOf(a ?? '');
    const to = b === undefined ? from : DAY_NAMES.indexOf(b);
    if (from < 0 || to < 0 || to < from) {
      ctx.addIssue({ code: 'custom', message: 'must be days such as mon-fri or mon,tue,thu' });
      return z.NEVER;
    }
    for (let d = from; d <= to; d++) days.add(d + 1);
  }
  return [...days].sort();
});

export const configureWorkspaceInput = z.strictObject({
  ownerName: headerText(120).optional(),
  ownerEmail: emailAddress.optional(),
  objective: headerText(500).optional(),
  timezone: timezone.optional(),
  businessHours: hoursRange.optional(),
  businessDays: businessDays.optional(),
  thankYouDelay: duration.optional(),
  thankYouDeadline: duration.optional(),
  keepInTouch: duration.optional(),
  nudgeAfter: duration.optional(),
  dailyLimit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(10_000).optional(),
  review: anyCase(z.enum(['all', 'first-touch', 'none'], { error: 'must be all, first-touch or none' })).optional(),
});

/** The details a person can give about a contact, when adding one and when correcting one. */
const contactDetails = {
  email: emailAddress.optional(),
  phone: phoneNumber.optional(),
  org: headerText(200).optional(),
  role: headerText(200).optional(),
  level: anyCase(level).optional(),
  industry: headerText(100).optional(),
  timezone: timezone.optional(),
  linkedinUrl: url.optional(),
  target: careerTarget.optional(),
};
const tags = list(tag).pipe(z.array(tag).max(30, 'at most 30 tags'));

export const careerTargetInput = z.strictObject({ target: careerTarget });

export const addContactInput = z
  .strictObject({
    name: headerText(120),
    ...contactDetails,
    source: anyCase(contactSource).optional(),
    referredBy: id.optional(),
    referralMeeting: id.optional(),
    tag: tags,
  })
  .refine((c) => c.referralMeeting === undefined || c.referredBy !== undefined, {
    message: 'needs --referred-by as well',
    path: ['referralMeeting'],
  });

export const changeContactInput = z.strictObject({
  contact: id,
  name: headerText(120).optional(),
  ...contactDetails,
  tag: tags.optional(),
});

export const contactNoteInput = z.strictObject({ contact: id, text: bodyText() });
export const contactQuestionsInput = z.strictObject({
  contact: id,
  question: list(bodyText(1000)).pipe(z.array(bodyText(1000)).min(1, 'give at least one question').max(50)),
});
export const contactReplyInput = z.strictObject({ contact: id, summary: bodyText(5000).optional() });
export const contactOnlyInput = z.strictObject({ contact: id });
export const contactLeadInput = z.strictObject({ contact: id, description: bodyText(2000), org: headerText(200).optional(), meeting: id.optional() });

export const requestMeetingInput = z.strictObject({
  contact: id,
  minutes: z.coerce.number({ error: 'must be 15, 20 or 30' }).pipe(meetingMinutes),
  via: anyCase(via).default('direct'),
  referral: id.optional(),
  /** Through a gatekeeper: the contact who is asked to introduce the seeker. */
  gatekeeper: id.optional(),
  channel: anyCase(channel).default('email'),
  /** The career target the conversation is about (by default the contact's). */
  target: careerTarget.optional(),
});

const meetingLength = z.coerce
  .number({ error: 'must be a number of minutes' })
  .int('must be a whole number of minutes')
  .min(5, 'must be at least 5')
  .max(240, 'must be at most 240');

export const bookMeetingInput = z
  .strictObject({
    meeting: id,
    at: instant,
    /** Recording a meeting that already took place: without it, a time in the past is a typo. */
    past: z.boolean().optional().describe('true to record a meeting that already took place; without it, a time in the past is refused (400, field at)'),
    minutes: meetingLength.optional(),
    timezone: timezone.optional(),
    location: headerText(300).optional(),
    videoUrl: url.optional(),
  })
  .refine((b) => !(b.location && b.videoUrl), { message: 'give a location or a video link, not both', path: ['videoUrl'] });

export const rescheduleMeetingInput = z.strictObject({
  meeting: id,
  at: instant,
  /** Recording that it took place earlier than booked: without it, a time in the past is a typo, as when booking. */
  past: z
    .boolean()
    .optional()
    .describe('true to record that the meeting took place at an earlier time; without it, a time in the past is refused (400, field at)'),
  minutes: meetingLength.optional(),
  timezone: timezone.optional(),
});

export const cancelMeetingInput = z.strictObject({
  meeting: id,
  by: anyCase(z.enum(['seeker', 'contact'])).default('seeker'),
  reason: bodyText(1000).optional(),
});

export const meetingOnlyInput = z.strictObject({ meeting: id });

export const holdMeetingInput = z.strictObject({
  meeting: id,
  at: instant,
  minutes: z.coerce.number({ error: 'must be a number of minutes' }).int().min(1, 'must be at least 1').max(600, 'must be at most 600'),
  referrals: count(50).default(0),
  cards: count(50).default(0),
  sentiment: anyCase(sentiment).optional(),
  notes: bodyText().optional(),
  insights: bodyText().optional(),
});

export const contactUpdateInput = z.strictObject({ contact: id, text: bodyText(2000) });

export const logCallInput = z
  .strictObject({
    meeting: id,
    outcome: anyCase(z.enum(callOutcomes, { error: `must be one of ${callOutcomes.join(', ')}` })),
    /** booked: when the meeting is; call-back: when to call again. */
    at: instant.optional(),
    minutes: meetingLength.optional(),
    location: headerText(300).optional(),
    videoUrl: url.optional(),
    notes: bodyText(2000).optional(),
  })
  .refine((c) => c.at !== undefined || (c.outcome !== 'booked' && c.outcome !== 'call-back'), {
    message: 'needs the time (when the meeting is, or when to call back)',
    path: ['at'],
  });

export const draftInput = z.strictObject({ contact: id, draft: id });
export const editDraftInput = z.strictObject({ contact: id, draft: id, subject: headerText(300), text: bodyText(20_000) });
