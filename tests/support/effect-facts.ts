import type { ContactEvent, MeetingEvent, WorkspaceEvent } from '../../src/domain/events.ts';
import { contactDecider, type ContactState } from '../../src/domain/contact.ts';
import { meetingDecider, type MeetingState } from '../../src/domain/meeting.ts';
import { workspaceDecider, type WorkspaceState } from '../../src/domain/workspace.ts';
import { configured, contactAdded } from './domain-fixtures.ts';

/** States folded from events, as the facts readers fold them from the streams. */
export const workspaceOf = (...events: WorkspaceEvent[]): WorkspaceState => events.reduce(workspaceDecider.evolve, workspaceDecider.initialState());
export const contactOf = (...events: ContactEvent[]): ContactState => events.reduce(contactDecider.evolve, contactDecider.initialState());
export const meetingOf = (...events: MeetingEvent[]): MeetingState => events.reduce(meetingDecider.evolve, meetingDecider.initialState());

export const WORKSPACE = 'test';
export const SOURCE_EVENT = '01a22886-0000-7000-8000-000000000001';
export const LATER_EVENT = '01a22886-0000-7000-8000-000000000002';

/** A configured workspace and a contact with an address, the usual starting point. */
export const seeker = () => workspaceOf(configured());
export const reachable = () => contactOf(contactAdded());
