import { configureWorkspace } from '../../src/app/workspace-commands.ts';
import { addContact, addResearchNote, prepareQuestions } from '../../src/app/contact-commands.ts';
import { bookMeeting, holdMeeting, requestMeeting } from '../../src/app/meeting-commands.ts';
import type { AppContext } from '../../src/app/handle.ts';

/**
 * Business hours all day, every day: due times then do not depend on when the test runs. Review is
 * off, so that emails go when due: the tests of review turn it on.
 */
export async function configureAllHours(ctx: AppContext, extra: Record<string, unknown> = {}) {
  await configureWorkspace(ctx, {
    ownerName: 'Sam Seeker',
    ownerEmail: 'sam@seeker.example',
    timezone: 'Europe/London',
    objective: 'Learn how analytics teams hire career changers',
    businessHours: '00:00-23:59',
    businessDays: 'mon-sun',
    thankYouDelay: 'PT1S',
    thankYouDeadline: 'PT1H',
    nudgeAfter: 'PT1S',
    keepInTouch: 'P6W',
    review: 'none',
    ...extra,
  });
}

const past = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

/** A contact met an hour ago: its thank-you is due now. */
export async function heldMeeting(ctx: AppContext, n: number, opts: { referral?: string; channel?: 'email' | 'phone' } = {}) {
  const { id: contact } = await addContact(ctx, {
    name: `Person ${n} Example`,
    email: `person${n}@contact.example`,
    org: 'Northwind',
    role: 'Analyst',
    timezone: 'Europe/London',
  });
  // Asked by phone unless told otherwise, so the thank-you is the only email of the meeting.
  const { id: meeting } = await requestMeeting(ctx, {
    contact,
    minutes: 20,
    channel: opts.channel ?? 'phone',
    ...(opts.referral ? { referral: opts.referral } : {}),
  });
  await bookMeeting(ctx, { meeting, at: past(60), past: true });
  await holdMeeting(ctx, { meeting, at: past(35), minutes: 25, referrals: 2 });
  return { contact, meeting };
}

export async function preparedContact(ctx: AppContext, name: string, email: string, extra: Record<string, unknown> = {}) {
  const { id } = await addContact(ctx, { name, email, org: 'Contoso Bank', role: 'Head of Data', timezone: 'America/New_York', ...extra });
  await addResearchNote(ctx, { contact: id, text: 'Runs a team of twelve; hired two former teachers last year.' });
  await prepareQuestions(ctx, { contact: id, question: ['What does a typical week look like?', 'Who else should I talk to?'] });
  return id;
}
