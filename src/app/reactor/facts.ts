import type { StoredEvent } from '../../eventstore/port.ts';
import { contactAggregate, meetingAggregate, workspaceAggregate } from '../aggregates.ts';
import type { Clock } from '../clock.ts';
import { load, type AppContext } from '../handle.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { Reaction } from '../effects/effect.ts';
import { NO_REACTION, REACTIONS, type ReactionFacts, type ReactionRule } from './reactions.ts';

type Deps = { store: EventStore; clock: Clock };

/** The contact an event is about: its own stream's, the one named in its data, or its meeting's. */
function contactIdOf(event: StoredEvent, facts: ReactionFacts): string | undefined {
  if (event.stream.startsWith('contact-')) return event.stream.slice('contact-'.length);
  const named = (event.data as { contactId?: unknown }).contactId;
  return typeof named === 'string' ? named : facts.meeting?.request?.contactId;
}

/** Reads what a rule needs, each stream once (and through the command handler's cache). */
export async function readReactionFacts(ctx: AppContext, event: StoredEvent, rule: ReactionRule): Promise<ReactionFacts> {
  const facts: ReactionFacts = { workspace: workspaceAggregate.initial() };
  if (rule.needs.includes('workspace')) facts.workspace = (await load(ctx, workspaceAggregate, ctx.workspaceId)).state;
  // A meeting's own event, or a contact's event that names the meeting it is about.
  const named = (event.data as { meetingId?: unknown }).meetingId;
  const meetingId = event.stream.startsWith('meeting-') ? event.stream.slice('meeting-'.length) : typeof named === 'string' ? named : undefined;
  if (rule.needs.includes('meeting') && meetingId) facts.meeting = (await load(ctx, meetingAggregate, meetingId)).state;
  if (rule.needs.includes('contact')) {
    const contactId = contactIdOf(event, facts);
    if (contactId) facts.contact = (await load(ctx, contactAggregate, contactId)).state;
  }
  return facts;
}

/** What an event asks of the outside world, by the table in reactions.ts. Reads the streams it needs; writes nothing. */
export async function react(event: StoredEvent, deps: Deps): Promise<Reaction> {
  const workspaceId = event.metadata['workspaceId'];
  const rule = REACTIONS[event.type as keyof typeof REACTIONS];
  if (typeof workspaceId !== 'string' || !rule) return NO_REACTION;
  const ctx: AppContext = { ...deps, workspaceId, actor: 'reactor' };
  return rule.react(event, await readReactionFacts(ctx, event, rule));
}
