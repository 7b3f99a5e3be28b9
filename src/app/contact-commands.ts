import type { z } from 'zod';
import { decideContact, type ContactCommand } from '../domain/contact.ts';
import { contactAggregate, meetingAggregate } from './aggregates.ts';
import { execute, load, loadExisting, type AppContext } from './handle.ts';
import { decideMeeting } from '../domain/meeting.ts';
import { derivedId, newId } from './ids.ts';
import {
  addContactInput,
  changeContactInput,
  contactLeadInput,
  contactNoteInput,
  contactOnlyInput,
  contactQuestionsInput,
  contactReplyInput,
  contactUpdateInput,
} from './inputs.ts';
import { parseInput, type Untrusted } from './parse.ts';
import { knownTarget, requireConfigured } from './workspace-commands.ts';
import { illegal, invalid } from '../domain/errors.ts';

type AddInput = z.infer<typeof addContactInput>;

/** The ContactAdded data for validated input; referral links are checked against the store. */
export async function contactFromInput(ctx: AppContext, i: AddInput, contactId: string) {
  if (i.referredBy) await loadExisting(ctx, contactAggregate, i.referredBy);
  if (i.referralMeeting) {
    // The referral tree credits the meeting: it must be the referrer's, and held (people are referred in a conversation).
    const { state } = await loadExisting(ctx, meetingAggregate, i.referralMeeting);
    if (state.request?.contactId !== i.referredBy)
      throw invalid('referralMeeting', `meeting ${i.referralMeeting} is not a meeting with the referring contact ${i.referredBy}`);
    if (state.status !== 'held') throw illegal(`referralMeeting: meeting ${i.referralMeeting} is ${state.status}, not held; record it as held first`);
  }
  return contactAddedData({ ...i, target: await knownTarget(ctx, i.target) }, contactId, ctx.clock());
}

/** The referrer's meeting learns whom it gave (by id): the thank-you names them. Derived id: adding it again is absorbed. */
export async function creditReferral(ctx: AppContext, meetingId: string, contactId: string) {
  const { state: meeting } = await loadExisting(ctx, meetingAggregate, meetingId);
  const { state: contact } = await load(ctx, contactAggregate, meeting.request!.contactId);
  await execute(ctx, meetingAggregate, meetingId, ({ state }) => decideMeeting({ type: 'RecordReferral', contactId, now: ctx.clock() }, state, { contact }), {
    eventIds: () => derivedId(`referral:${contactId}`),
  });
}

/** The ContactAdded data for checked input (the referral's existence is the caller's to check). */
export function contactAddedData(i: AddInput, contactId: string, now: string) {
  const opt = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
  return {
    contactId,
    name: i.name,
    ...opt('email', i.email),
    ...opt('phone', i.phone),
    ...opt('organisation', i.org),
    ...opt('role', i.role),
    ...opt('level', i.level),
    ...opt('industry', i.industry),
    ...opt('timezone', i.timezone),
    ...opt('linkedinUrl', i.linkedinUrl),
    ...opt('target', i.target),
    tags: i.tag,
    source: i.source ?? (i.referredBy ? 'referral' : 'other'),
    ...(i.referredBy ? { referredBy: { contactId: i.referredBy, ...opt('meetingId', i.referralMeeting) } } : {}),
    addedAt: now,
  } as const;
}

export async function addContact(ctx: AppContext, input: Untrusted<typeof addContactInput>) {
  const i = parseInput(addContactInput, input);
  await requireConfigured(ctx);
  const contactId = newId();
  const contact = await contactFromInput(ctx, i, contactId);
  await execute(ctx, contactAggregate, contactId, ({ state }) => decideContact({ type: 'AddContact', contact, now: ctx.clock() }, state), {
    newStream: true,
    fromCheckedInput: true,
  });
  if (i.referralMeeting) await creditReferral(ctx, i.referralMeeting, contactId);
  return { id: contactId, contact };
}

const onContact = async (ctx: AppContext, contactId: string, command: ContactCommand) => {
  const result = await execute(ctx, contactAggregate, contactId, ({ state }) => decideContact(command, state), { mustExist: true });
  return { id: contactId, events: result.events.map((e) => e.type) };
};

/** What was given, under the event's field names. */
export function detailChanges(i: z.infer<typeof changeContactInput>) {
  const { contact: _contact, org, tag, ...rest } = i;
  return Object.fromEntries(Object.entries({ ...rest, organisation: org, tags: tag }).filter(([, v]) => v !== undefined));
}

export async function changeContact(ctx: AppContext, input: Untrusted<typeof changeContactInput>) {
  const i = parseInput(changeContactInput, input);
  const changes = detailChanges({ ...i, target: await knownTarget(ctx, i.target) });
  if (Object.keys(changes).length === 0) throw invalid('input', 'give at least one detail to change');
  return onContact(ctx, i.contact, { type: 'ChangeContactDetails', changes, now: ctx.clock() });
}

export async function addResearchNote(ctx: AppContext, input: Untrusted<typeof contactNoteInput>) {
  const i = parseInput(contactNoteInput, input);
  return onContact(ctx, i.contact, { type: 'AddResearchNote', note: i.text, now: ctx.clock() });
}

export async function prepareQuestions(ctx: AppContext, input: Untrusted<typeof contactQuestionsInput>) {
  const i = parseInput(contactQuestionsInput, input);
  return onContact(ctx, i.contact, { type: 'PrepareQuestions', questions: i.question, now: ctx.clock() });
}

export async function recordReply(ctx: AppContext, input: Untrusted<typeof contactReplyInput>) {
  const i = parseInput(contactReplyInput, input);
  return onContact(ctx, i.contact, { type: 'RecordReply', ...(i.summary ? { summary: i.summary } : {}), now: ctx.clock() });
}

export async function optOut(ctx: AppContext, input: Untrusted<typeof contactOnlyInput>, source: 'seeker' | 'unsubscribe-link' | 'reply' = 'seeker') {
  const i = parseInput(contactOnlyInput, input);
  return onContact(ctx, i.contact, { type: 'OptOut', source, now: ctx.clock() });
}

export async function forgetContact(ctx: AppContext, input: Untrusted<typeof contactOnlyInput>) {
  const i = parseInput(contactOnlyInput, input);
  return onContact(ctx, i.contact, { type: 'ForgetContact', now: ctx.clock() });
}

export async function reportJobLead(ctx: AppContext, input: Untrusted<typeof contactLeadInput>) {
  const i = parseInput(contactLeadInput, input);
  if (i.meeting) await loadExisting(ctx, meetingAggregate, i.meeting);
  return onContact(ctx, i.contact, {
    type: 'ReportJobLead',
    description: i.description,
    ...(i.org ? { organisation: i.org } : {}),
    ...(i.meeting ? { meetingId: i.meeting } : {}),
    now: ctx.clock(),
  });
}

/** The seeker's news for the contact's next keep-in-touch note; without one the note waits. */
export async function writeUpdate(ctx: AppContext, input: Untrusted<typeof contactUpdateInput>) {
  const i = parseInput(contactUpdateInput, input);
  return onContact(ctx, i.contact, { type: 'WriteUpdate', text: i.text, now: ctx.clock() });
}
