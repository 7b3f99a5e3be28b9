import type { ContactState } from '../../../domain/contact.ts';
import { humanTime } from '../../../domain/human-time.ts';
import type { MeetingState } from '../../../domain/meeting.ts';
import type { WorkspaceConfig } from '../../../domain/workspace.ts';
import { templateVariables as declaredVariables, type EmailKind } from './templates.ts';

/** What an email may say about people other than its recipient, and the seeker's preparation, as read from their streams. */
export type ContentFacts = {
  referralName?: string | undefined;
  referredByName?: string | undefined;
  researchNotes?: readonly string[] | undefined;
  questions?: readonly string[] | undefined;
};

/** The names each kind's templates may use (a template using another fails when it is loaded). */
const declaredNames = new Map<EmailKind, ReadonlySet<string>>(
  (Object.entries(declaredVariables) as [EmailKind, { required: readonly string[]; optional: readonly string[] }][]).map(([kind, d]) => [
    kind,
    new Set([...d.required, ...d.optional]),
  ]),
);

/** Whether a kind's templates may use a variable: what is not used need not be read or worked out. */
export const usesVariable = (kind: EmailKind, name: string) => declaredNames.get(kind)?.has(name) ?? false;

/**
 * The variables of one email, as strings; empty where they do not apply. Only those the kind's
 * templates may use are worked out: a thank-you formats no meeting time. The unsubscribe link is
 * not here: it is signed by the executor, which holds the key.
 */
export function emailVariables(
  kind: EmailKind,
  input: {
    ws: WorkspaceConfig;
    contact: ContactState;
    meeting?: MeetingState | undefined;
    facts: ContentFacts;
  },
): Record<string, string> {
  const { ws, contact, meeting, facts } = input;
  const used = (name: string) => usesVariable(kind, name);
  const name = contact.details?.name ?? '';
  const zone = contact.details?.timezone ?? ws.timezone;
  const booking = meeting?.booking;
  return {
    ownerName: ws.ownerName,
    ownerEmail: ws.ownerEmail,
    objective: ws.objective,
    contactName: name,
    contactFirstName: name.split(/\s+/)[0] ?? name,
    organisation: contact.details?.organisation ?? '',
    role: contact.details?.role ?? '',
    minutes: String(booking?.minutes ?? meeting?.request?.minutes ?? ''),
    referralName: facts.referralName ?? '',
    referredByName: facts.referredByName ?? '',
    meetingStart: booking && used('meetingStart') ? humanTime(booking.start, booking.timezone) : '',
    meetingStartForSeeker: booking && used('meetingStartForSeeker') ? humanTime(booking.start, ws.timezone) : '',
    meetingTimezone: booking?.timezone ?? zone,
    location: booking?.location ?? '',
    videoUrl: booking?.videoUrl ?? '',
    researchNotes: (facts.researchNotes ?? []).map((n) => `- ${n}`).join('\n'),
    questions: (facts.questions ?? []).map((q, i) => `${i + 1}. ${q}`).join('\n'),
  };
}
