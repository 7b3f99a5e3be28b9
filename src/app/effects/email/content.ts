import type { ContactState } from '../../../domain/contact.ts';
import { humanTime } from '../../../domain/human-time.ts';
import type { MeetingState } from '../../../domain/meeting.ts';
import { cardsInWords, firstNameOf, insightPhrase, namesInWords, objectiveSentence } from '../../../domain/wording.ts';
import type { WorkspaceConfig } from '../../../domain/workspace.ts';
import { templateVariables as declaredVariables, type TemplateKind } from './templates.ts';

/** What an email may say about people other than its recipient, and the seeker's preparation, as read from their streams. */
export type ContentFacts = {
  referralName?: string | undefined;
  referredByName?: string | undefined;
  /** The gatekeeper asked to introduce the seeker, when the request went through one. */
  gatekeeper?: ContactState | undefined;
  /** The people the contact referred at the meeting, by name. */
  referralNames?: readonly string[] | undefined;
  researchNotes?: readonly string[] | undefined;
  questions?: readonly string[] | undefined;
};

/** The names each kind's templates may use (a template using another fails when it is loaded). */
const declaredNames = new Map<TemplateKind, ReadonlySet<string>>(
  (Object.entries(declaredVariables) as [TemplateKind, { required: readonly string[]; optional: readonly string[] }][]).map(([kind, d]) => [
    kind,
    new Set([...d.required, ...d.optional]),
  ]),
);

/** Whether a kind's templates may use a variable: what is not used need not be read or worked out. */
export const usesVariable = (kind: TemplateKind, name: string) => declaredNames.get(kind)?.has(name) ?? false;

/** What the thank-you says of the meeting: the line to quote, whom the contact named, whether to ask for more, the cards. */
function fromTheMeeting(meeting: MeetingState | undefined, facts: ContentFacts) {
  const held = meeting?.held;
  const named = facts.referralNames ?? [];
  return {
    insight: held?.insights ? insightPhrase(held.insights) : '',
    referralNames: namesInWords(named),
    // Names counted at the meeting but not in the list yet are still thanked for, without names.
    namesGiven:
      named.length === 0 && (held?.referralsAsked ?? 0) > 0 ? (held?.referralsAsked === 1 ? 'the name you suggested' : 'the names you suggested') : '',
    // The method asks every person for two names: ask again only while fewer than two were given.
    askForNames: Math.max(named.length, held?.referralsAsked ?? 0) < 2 ? 'yes' : '',
    cards: cardsInWords(held?.businessCards ?? 0),
  };
}

/** What follow-ups answer: the subject of the first email of their thread. */
const originalSubjectOf = (kind: TemplateKind, meeting: MeetingState | undefined) =>
  (kind === 'gatekeeper-nudge' ? meeting?.gatekeeperEmail?.subject : meeting?.outreach?.subject) ?? '';

/**
 * The variables of one email or call script, as strings; empty where they do not apply. Only those
 * the kind's templates may use are worked out: a thank-you formats no meeting time. The unsubscribe
 * link is not here: it is made by the executor, which holds the key.
 */
export function emailVariables(
  kind: TemplateKind,
  input: { ws: WorkspaceConfig; contact: ContactState; meeting?: MeetingState | undefined; facts: ContentFacts },
): Record<string, string> {
  const { ws, contact, meeting, facts } = input;
  const used = (name: string) => usesVariable(kind, name);
  const name = contact.details?.name ?? '';
  const zone = contact.details?.timezone ?? ws.timezone;
  const booking = meeting?.booking;
  const gatekeeper = facts.gatekeeper?.details;
  return {
    ownerName: ws.ownerName,
    ownerFirstName: firstNameOf(ws.ownerName),
    ownerEmail: ws.ownerEmail,
    objective: ws.objective,
    objectiveSentence: objectiveSentence(ws.objective),
    contactName: name,
    contactFirstName: firstNameOf(name),
    contactPhone: contact.details?.phone ?? '',
    organisation: contact.details?.organisation ?? '',
    role: contact.details?.role ?? '',
    gatekeeperName: gatekeeper?.name ?? '',
    gatekeeperFirstName: gatekeeper ? firstNameOf(gatekeeper.name) : '',
    gatekeeperPhone: gatekeeper?.phone ?? '',
    introducedByName: meeting?.introducedAt && gatekeeper ? gatekeeper.name : '',
    minutes: String(booking?.minutes ?? meeting?.request?.minutes ?? ''),
    referralName: facts.referralName ?? '',
    referredByName: facts.referredByName ?? '',
    originalSubject: originalSubjectOf(kind, meeting),
    update: contact.pendingUpdate?.text ?? '',
    ...(used('insight') ? fromTheMeeting(meeting, facts) : {}),
    meetingStart: booking && used('meetingStart') ? humanTime(booking.start, booking.timezone) : '',
    meetingStartForSeeker: booking && used('meetingStartForSeeker') ? humanTime(booking.start, ws.timezone) : '',
    meetingTimezone: booking?.timezone ?? zone,
    location: booking?.location ?? '',
    videoUrl: booking?.videoUrl ?? '',
    researchNotes: (facts.researchNotes ?? []).map((n) => `- ${n}`).join('\n'),
    questions: (facts.questions ?? []).map((q, i) => `${i + 1}. ${q}`).join('\n'),
  };
}
