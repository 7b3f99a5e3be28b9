import { contactEvents, meetingEvents, streams, workspaceEvents, type ContactEvent, type MeetingEvent, type WorkspaceEvent } from '../domain/events.ts';
import { workspaceDecider, type WorkspaceState } from '../domain/workspace.ts';
import { contactDecider, type ContactState } from '../domain/contact.ts';
import { meetingDecider, type MeetingState } from '../domain/meeting.ts';

/** What the command handler needs to know of an aggregate to load it: its decider's fold, its stream, whose data it holds. */
export type Aggregate<S, E extends { type: string }> = {
  name: string;
  stream: (id: string) => string;
  initial: () => S;
  evolve: (state: S, event: E) => S;
  owns: (type: string) => boolean;
  /** Whose personal data the aggregate's events hold: their key seals it, forgetting them erases it. */
  dataSubject: (id: string, state: S, events: readonly E[]) => string;
};

const owns = (schemas: object) => (type: string) => Object.hasOwn(schemas, type);

export const workspaceAggregate: Aggregate<WorkspaceState, WorkspaceEvent> = {
  name: 'workspace',
  stream: streams.workspace,
  initial: workspaceDecider.initialState,
  evolve: workspaceDecider.evolve,
  owns: owns(workspaceEvents),
  dataSubject: (id) => `workspace:${id}`,
};
export const contactAggregate: Aggregate<ContactState, ContactEvent> = {
  name: 'contact',
  stream: streams.contact,
  initial: contactDecider.initialState,
  evolve: contactDecider.evolve,
  owns: owns(contactEvents),
  dataSubject: (id) => `contact:${id}`,
};
export const meetingAggregate: Aggregate<MeetingState, MeetingEvent> = {
  name: 'meeting',
  stream: streams.meeting,
  initial: meetingDecider.initialState,
  evolve: meetingDecider.evolve,
  owns: owns(meetingEvents),
  // A meeting's notes, place and reasons are about the person met: they go when that person is forgotten.
  dataSubject: (id, state, events) => {
    const contactId = state.request?.contactId ?? events.find((e) => e.type === 'MeetingRequested')?.data.contactId;
    return contactId ? `contact:${contactId}` : `meeting:${id}`;
  },
};
