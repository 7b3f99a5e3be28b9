import { DateTime, Settings } from 'luxon';
import type { ContactState } from '../../domain/contact.ts';
import type { MeetingState } from '../../domain/meeting.ts';
import type { WorkspaceConfig } from '../../domain/workspace.ts';
import { instantMs } from '../../domain/scheduling.ts';
import { contactAggregate } from '../aggregates.ts';
import { load, type AppContext } from '../handle.ts';
import { templateVariables as declaredVariables, type EmailKind } from '../../infra/mail/templates.ts';

/** A time as the recipient reads it: their zone, their words ("Thursday 3 December 2026, 10:00 GMT"). */
export function humanTime(iso: string, zone: string): string {
  return fastHumanTime(iso, zone) ?? DateTime.fromISO(iso, { setZone: true }).setZone(zone).toFormat(HUMAN_FORMAT);
}

const HUMAN_FORMAT = 'cccc d LLLL yyyy, HH:mm ZZZZ';

/*
 * luxon builds a new Intl.DateTimeFormat on every call for the zone's name (ZZZZ), which made this
 * the most expensive step of an email. The same text comes from one Intl.DateTimeFormat per zone,
 * kept: used only where it gives exactly luxon's output, that is for an instant with an explicit
 * offset and luxon's English names (its default locale English, no other numbering or calendar).
 * Anything else (an unknown zone, another locale, a malformed time) goes to luxon as before.
 */
const formats = new Map<string, Intl.DateTimeFormat | null>();
let systemLocale: string | undefined;

function formatFor(zone: string): Intl.DateTimeFormat | null {
  if (Settings.defaultNumberingSystem || Settings.defaultOutputCalendar) return null;
  // luxon names the zone in its default locale (the system's unless set); its day and month names are its English ones.
  const locale = Settings.defaultLocale || (systemLocale ??= new Intl.DateTimeFormat().resolvedOptions().locale);
  if (locale !== 'en' && locale.toLowerCase() !== 'en-us') return null;
  const key = `${locale}|${zone}`;
  let format = formats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat(locale, {
        timeZone: zone, hourCycle: 'h23', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
      });
      if (format.resolvedOptions().numberingSystem !== 'latn' || format.resolvedOptions().calendar !== 'gregory') format = null;
    } catch {
      format = null;
    }
    if (formats.size >= 1000) formats.clear();
    formats.set(key, format);
  }
  return format;
}

function fastHumanTime(iso: string, zone: string): string | null {
  const ms = instantMs(iso);
  const format = ms === null ? null : formatFor(zone);
  if (ms === null || !format) return null;
  let weekday = '', day = '', month = '', year = '', hour = '', minute = '', zoneName = '';
  for (const part of format.formatToParts(ms)) {
    switch (part.type) {
      case 'weekday': weekday = part.value; break;
      case 'day': day = part.value; break;
      case 'month': month = part.value; break;
      case 'year': year = part.value; break;
      case 'hour': hour = part.value; break;
      case 'minute': minute = part.value; break;
      case 'timeZoneName': zoneName = part.value; break;
    }
  }
  if (!weekday || !day || !month || !/^\d{4}$/.test(year) || !/^\d{2}$/.test(hour) || !/^\d{2}$/.test(minute) || !zoneName) return null;
  return `${weekday} ${day} ${month} ${year}, ${hour}:${minute} ${zoneName}`;
}

const nameOf = async (ctx: AppContext, contactId: string | undefined) =>
  contactId ? (await load(ctx, contactAggregate, contactId)).state.details?.name ?? '' : '';

/** The research notes and questions are only counted in the contact's state; their text is in its events. */
async function preparation(ctx: AppContext, contactId: string) {
  const events = await ctx.store.readStream(`contact-${contactId}`);
  const notes: string[] = [];
  const questions: string[] = [];
  for (const e of events) {
    if (e.type === 'ResearchNoteAdded') notes.push((e.data as { note: string }).note);
    if (e.type === 'QuestionsPrepared') questions.push(...(e.data as { questions: string[] }).questions);
  }
  return { notes, questions };
}

/** The names each kind's templates may use (a template using another fails when it is loaded). */
const declaredNames = new Map<EmailKind, ReadonlySet<string>>(
  (Object.entries(declaredVariables) as [EmailKind, { required: readonly string[]; optional: readonly string[] }][])
    .map(([kind, d]) => [kind, new Set([...d.required, ...d.optional])]),
);

/**
 * Every variable any template may use, as strings; empty where it does not apply. With `kind`,
 * the variables that kind's templates cannot use (they would fail to load) are left empty
 * without being worked out: a thank-you reads no research notes and formats no meeting time.
 */
export async function templateVariables(ctx: AppContext, input: {
  ws: WorkspaceConfig; contactId: string; contact: ContactState; meeting?: MeetingState | undefined; unsubscribeUrl: string; kind?: EmailKind;
}) {
  const { ws, contact, meeting } = input;
  const names = input.kind ? declaredNames.get(input.kind) : undefined;
  const used = (name: string) => !names || names.has(name);
  const name = contact.details?.name ?? '';
  const zone = contact.details?.timezone ?? ws.timezone;
  const booking = meeting?.booking;
  const prep = used('researchNotes') || used('questions') ? await preparation(ctx, input.contactId) : { notes: [], questions: [] };
  return {
    ownerName: ws.ownerName,
    ownerEmail: ws.ownerEmail,
    objective: ws.objective,
    contactName: name,
    contactFirstName: name.split(/\s+/)[0] ?? name,
    organisation: contact.details?.organisation ?? '',
    role: contact.details?.role ?? '',
    minutes: String(booking?.minutes ?? meeting?.request?.minutes ?? ''),
    referralName: used('referralName') ? await nameOf(ctx, meeting?.request?.referralContactId) : '',
    referredByName: used('referredByName') ? await nameOf(ctx, contact.referredBy?.contactId) : '',
    meetingStart: booking && used('meetingStart') ? humanTime(booking.start, booking.timezone) : '',
    meetingStartForSeeker: booking && used('meetingStartForSeeker') ? humanTime(booking.start, ws.timezone) : '',
    meetingTimezone: booking?.timezone ?? zone,
    location: booking?.location ?? '',
    videoUrl: booking?.videoUrl ?? '',
    researchNotes: prep.notes.map((n) => `- ${n}`).join('\n'),
    questions: prep.questions.map((q, i) => `${i + 1}. ${q}`).join('\n'),
    unsubscribeUrl: input.unsubscribeUrl,
  };
}
