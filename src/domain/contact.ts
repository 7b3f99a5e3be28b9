import type { Decider } from './decider.ts';
import type { ContactEvent, EventOf } from './events.ts';
import { illegal, invalid } from './errors.ts';
import { decideInbound, type InboundFact } from './inbound-record.ts';
import { decideDraft, evolveDrafts, type Draft, type DraftCommand, type Withdrawal } from './drafts.ts';

type Added = EventOf<'ContactAdded'>['data'];
type Details = Omit<Added, 'contactId' | 'source' | 'referredBy' | 'addedAt'>;

export type ContactStatus = 'none' | 'active' | 'opted_out' | 'forgotten';

export type ContactState = {
  status: ContactStatus;
  contactId?: string;
  details?: Details;
  source?: Added['source'];
  referredBy?: Added['referredBy'];
  addedAt?: string;
  lastReplyAt?: string;
  lastTouchAt?: string;
  meetingIds: string[];
  researchNotes: number;
  questions: number;
  /** The address that bounced, while it is still the contact's address. */
  bouncedEmail?: string;
  /** The update the seeker wrote for the next keep-in-touch note, until that note is sent. */
  pendingUpdate?: { text: string; writtenAt: string };
  /** Emails about this contact held for the seeker's review. */
  drafts: Record<string, Draft>;
};

export const initialContact = (): ContactState => ({ status: 'none', meetingIds: [], researchNotes: 0, questions: 0, drafts: {} });

export function evolveContact(state: ContactState, event: ContactEvent): ContactState {
  switch (event.type) {
    case 'ContactAdded': {
      const { contactId, source, referredBy, addedAt, ...details } = event.data;
      return { ...state, status: 'active', contactId, source, referredBy, addedAt, details, lastTouchAt: addedAt };
    }
    case 'ContactDetailsChanged':
      return { ...state, details: { ...state.details!, ...event.data.changes } };
    case 'ResearchNoteAdded':
      return { ...state, researchNotes: state.researchNotes + 1 };
    case 'QuestionsPrepared':
      return { ...state, questions: state.questions + event.data.questions.length };
    case 'ReplyReceived':
      return { ...state, lastReplyAt: event.data.receivedAt, lastTouchAt: event.data.receivedAt };
    case 'ContactOptedOut':
      return state.status === 'forgotten' ? state : { ...state, status: 'opted_out' };
    case 'KeepInTouchSent':
      return { ...state, lastTouchAt: event.data.sentAt, pendingUpdate: undefined };
    case 'ContactUpdateWritten':
      return { ...state, pendingUpdate: { text: event.data.text, writtenAt: event.data.writtenAt } };
    case 'EmailDrafted':
    case 'DraftEdited':
    case 'DraftApproved':
    case 'DraftDiscarded':
      return { ...state, drafts: evolveDrafts(state.drafts, event) };
    case 'JobLeadReported':
      return state;
    case 'ContactForgotten':
      return { ...initialContact(), status: 'forgotten', contactId: state.contactId, meetingIds: state.meetingIds };
    case 'EmailBounced':
      return { ...state, bouncedEmail: event.data.email };
    case 'EmailFailed':
    case 'EmailDelayed':
    case 'AutoReplyReceived':
      return state;
    case 'MeetingLinked':
      return { ...state, meetingIds: [...state.meetingIds, event.data.meetingId], lastTouchAt: event.data.linkedAt };
  }
}

/** Why a draft about this contact can no longer go, from what the contact did: null while it still can. */
export function draftBlocker(state: ContactState, draftedAt?: string): Withdrawal {
  const blocker = emailBlocker(state);
  if (blocker && blocker !== 'the contact has no email address') return blocker;
  if (draftedAt && state.lastReplyAt && state.lastReplyAt >= draftedAt) return 'the contact replied';
  return null;
}

/** Whether email may go to this contact at all: the rule every email decision starts from. */
export function emailBlocker(state: ContactState): string | null {
  if (state.status === 'none') return 'the contact does not exist';
  if (state.status === 'forgotten') return 'the contact was forgotten';
  if (state.status === 'opted_out') return 'the contact opted out';
  if (!state.details?.email) return 'the contact has no email address';
  if (state.bouncedEmail === state.details.email) return `the address ${state.details.email} bounced`;
  return null;
}

export type ContactCommand =
  | { type: 'AddContact'; contact: Added; now: string }
  | { type: 'ChangeContactDetails'; changes: Partial<Details>; now: string }
  | { type: 'AddResearchNote'; note: string; now: string }
  | { type: 'PrepareQuestions'; questions: string[]; now: string }
  | { type: 'RecordReply'; summary?: string; now: string }
  | { type: 'OptOut'; source: EventOf<'ContactOptedOut'>['data']['source']; now: string }
  | { type: 'RecordKeepInTouchSent'; messageId: string; now: string }
  | { type: 'ReportJobLead'; description: string; organisation?: string; meetingId?: string; now: string }
  | { type: 'ForgetContact'; now: string }
  | { type: 'LinkMeeting'; meetingId: string; now: string }
  | { type: 'RecordEmailBounced'; effect: string; code: number; reason: string; meetingId?: string; now: string }
  | { type: 'RecordEmailFailed'; effect: string; reason: string; attempts: number; meetingId?: string; now: string }
  | { type: 'WriteUpdate'; text: string; now: string }
  /** A message read in the seeker's mailbox, classified; `now` is when it arrived. */
  | { type: 'RecordInbound'; inbound: InboundFact; now: string }
  | (DraftCommand & { withdrawn?: Withdrawal });

const requireActive = (state: ContactState, doing: string) => {
  if (state.status === 'none') throw illegal(`cannot ${doing}: the contact does not exist`);
  if (state.status === 'forgotten') throw illegal(`cannot ${doing}: the contact was forgotten`);
};

export function decideContact(command: ContactCommand, state: ContactState): ContactEvent[] {
  const now = command.now;
  switch (command.type) {
    case 'AddContact':
      if (state.status !== 'none') throw illegal('the contact already exists');
      return [{ type: 'ContactAdded', data: command.contact }];
    case 'ChangeContactDetails':
      requireActive(state, 'change details');
      if (Object.keys(command.changes).length === 0) throw invalid('changes', 'give at least one detail to change');
      return [{ type: 'ContactDetailsChanged', data: { changes: command.changes, changedAt: now } }];
    case 'AddResearchNote':
      requireActive(state, 'add a research note');
      return [{ type: 'ResearchNoteAdded', data: { note: command.note, addedAt: now } }];
    case 'PrepareQuestions':
      requireActive(state, 'prepare questions');
      return [{ type: 'QuestionsPrepared', data: { questions: command.questions, preparedAt: now } }];
    case 'RecordReply':
      requireActive(state, 'record a reply');
      return [{ type: 'ReplyReceived', data: { ...(command.summary ? { summary: command.summary } : {}), receivedAt: now } }];
    case 'OptOut':
      requireActive(state, 'opt out');
      // Opting out twice (a second click on the link) is not an error, and records nothing new.
      if (state.status === 'opted_out') return [];
      return [{ type: 'ContactOptedOut', data: { source: command.source, optedOutAt: now } }];
    case 'RecordKeepInTouchSent': {
      const blocker = emailBlocker(state);
      if (blocker) throw illegal(`no keep-in-touch email: ${blocker}`);
      if (!state.pendingUpdate) throw illegal('no keep-in-touch email: no update written since the last one');
      // A reply after the update was written is the seeker's to answer; the note would cross it.
      if (state.lastReplyAt && state.lastReplyAt >= state.pendingUpdate.writtenAt) throw illegal('no keep-in-touch email: the contact replied');
      return [{ type: 'KeepInTouchSent', data: { messageId: command.messageId, sentAt: now } }];
    }
    case 'ReportJobLead':
      requireActive(state, 'report a job lead');
      return [
        {
          type: 'JobLeadReported',
          data: {
            description: command.description,
            ...(command.organisation ? { organisation: command.organisation } : {}),
            ...(command.meetingId ? { meetingId: command.meetingId } : {}),
            reportedAt: now,
          },
        },
      ];
    case 'ForgetContact':
      if (state.status === 'none') throw illegal('cannot forget: the contact does not exist');
      if (state.status === 'forgotten') return [];
      return [{ type: 'ContactForgotten', data: { forgottenAt: now } }];
    case 'RecordEmailBounced': {
      const email = state.details?.email;
      if (!email) throw illegal('cannot record a bounce: the contact has no email address');
      if (state.bouncedEmail === email) return [];
      const opt = command.meetingId ? { meetingId: command.meetingId } : {};
      return [{ type: 'EmailBounced', data: { effect: command.effect, email, code: command.code, reason: command.reason, ...opt, bouncedAt: now } }];
    }
    case 'RecordEmailFailed':
      if (state.status === 'none') throw illegal('cannot record a failed email: the contact does not exist');
      return [
        {
          type: 'EmailFailed',
          data: {
            effect: command.effect,
            reason: command.reason,
            attempts: command.attempts,
            ...(command.meetingId ? { meetingId: command.meetingId } : {}),
            failedAt: now,
          },
        },
      ];
    case 'RecordInbound':
      return decideInbound(command.inbound, state, now);
    case 'WriteUpdate':
      requireActive(state, 'write an update');
      return [{ type: 'ContactUpdateWritten', data: { text: command.text, writtenAt: now } }];
    case 'RecordDraft':
    case 'EditDraft':
    case 'ApproveDraft':
    case 'DiscardDraft':
      return decideDraft(command, state.drafts, command.withdrawn ?? draftBlocker(state));
    case 'LinkMeeting':
      requireActive(state, 'request a meeting');
      return [{ type: 'MeetingLinked', data: { meetingId: command.meetingId, linkedAt: now } }];
  }
}

export const contactDecider: Decider<ContactState, ContactCommand, ContactEvent> = {
  initialState: initialContact,
  evolve: evolveContact,
  decide: decideContact,
};
