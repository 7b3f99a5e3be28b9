import { decideContact } from '../../../domain/contact.ts';
import { isOutreachError } from '../../../domain/errors.ts';
import { decideMeeting } from '../../../domain/meeting.ts';
import type { EventStore } from '../../../eventstore/port.ts';
import { contactAggregate, meetingAggregate } from '../../aggregates.ts';
import type { Clock } from '../../clock.ts';
import { execute, type AppContext } from '../../handle.ts';
import { derivedId } from '../../ids.ts';
import type { EffectData } from '../effect.ts';
import { decideEmail } from './decide.ts';
import { draftIdFor, readEmailFacts, type EmailEffectData } from './facts.ts';
import type { EmailIntent } from './intent.ts';
import type { EmailFacts } from './facts.ts';
import type { EmailSender } from './sender.ts';
import { takeSendSlot, type SendCounter } from './send-counter.ts';

export type { EmailEffectData } from './facts.ts';

export type EmailDeps = {
  store: EventStore;
  clock: Clock;
  sender: EmailSender;
  counter: SendCounter;
  /** Domain of Message-IDs and calendar UIDs; the seeker's email domain when not set. */
  messageDomain?: string | undefined;
  /** Google Calendar is wired and sends its own invitations (GOOGLE_SEND_UPDATES all or externalOnly). */
  calendarSendsInvites?: boolean | undefined;
};

export type EmailOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'drafted'; draftId: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'deferred'; until: string; reason: string }
  | { outcome: 'bounced'; code: number; reason: string };

/** The bounce is a consequence of this effect, so its event id derives from the effect key too. */
const bounceEventId = (key: string) => derivedId(`${key}:bounced`);

const contextFor = (data: EffectData, deps: Pick<EmailDeps, 'store' | 'clock'>): AppContext => ({
  store: deps.store,
  clock: deps.clock,
  workspaceId: data.workspaceId,
  actor: 'worker:email',
  causationId: data.sourceEventId,
});

/**
 * One email effect, by the protocol: read the facts, decide (pure) whether it is still due, take
 * a slot of the daily limit, send through the executor, then record the result with an event id
 * derived from the effect key. A transient send failure is thrown (the queue retries).
 */
export async function performEmailEffect(data: EmailEffectData, deps: EmailDeps, opts: { approved?: boolean } = {}): Promise<EmailOutcome> {
  const ctx = contextFor(data, deps);
  const now = deps.clock();
  const facts = await readEmailFacts(ctx, data);
  const decision = decideEmail(data, facts, {
    now,
    messageDomain: deps.messageDomain,
    approved: opts.approved,
    calendarSendsInvites: deps.calendarSendsInvites,
  });
  if (decision.decision === 'skip') return { outcome: 'skipped', reason: decision.reason };
  if (decision.decision === 'defer') return { outcome: 'deferred', until: decision.until, reason: decision.reason };
  if (decision.decision === 'draft') return recordDraft(ctx, data, decision.intent, deps);
  const intent = decision.intent;
  if (intent.dailyLimit) {
    // The slot is this effect's: its retries (a 421, a cut connection, a worker that died) do not take another.
    const slot = await takeSendSlot(deps.counter, intent.dailyLimit, now, intent.effect);
    if (!slot.ok) return { outcome: 'deferred', until: slot.until, reason: slot.reason };
  }
  const sent = await deps.sender.send(intent);
  if (sent.outcome === 'bounced') {
    await recordBounce(ctx, intent, sent, deps.clock());
    return sent;
  }
  // The one window: the mail is accepted but the process may die before this append; a retry then sends again.
  await recordResult(ctx, intent, facts, sent.subject, deps.clock());
  // No address in the outcome: it is kept with the finished job in Redis, which forget cannot reach.
  return { outcome: 'sent', messageId: intent.messageId };
}

async function recordResult(ctx: AppContext, intent: EmailIntent, facts: EmailFacts, subject: string, sentAt: string) {
  const eventIds = () => derivedId(intent.effect);
  const { record } = intent;
  // The first email of a thread keeps its subject: every follow-up answers it as "Re: …".
  const starts = record.command.type === 'RecordOutreachEmailSent' || record.command.type === 'RecordGatekeeperEmailSent';
  const mctx = { contact: facts.contact, gatekeeper: facts.content.gatekeeper };
  try {
    if (record.on === 'meeting') {
      const command = { ...record.command, now: sentAt, ...(starts ? { subject } : {}) } as typeof record.command;
      await execute(ctx, meetingAggregate, record.meetingId, ({ state }) => decideMeeting(command, state, mctx), { eventIds });
    } else {
      await execute(ctx, contactAggregate, record.contactId, ({ state }) => decideContact({ ...record.command, now: sentAt }, state), { eventIds });
    }
  } catch (e) {
    // Refused now means something changed while the mail was in flight (an opt-out): the mail went, and the log says why no result followed.
    if (!isOutreachError(e, 'illegal_state')) throw e;
  }
}

async function recordBounce(ctx: AppContext, intent: EmailIntent, bounce: { code: number; reason: string }, now: string) {
  await execute(
    ctx,
    contactAggregate,
    intent.bounce.contactId,
    ({ state }) =>
      decideContact(
        {
          type: 'RecordEmailBounced',
          effect: intent.effect,
          code: bounce.code,
          reason: bounce.reason.slice(0, 1000),
          ...(intent.bounce.meetingId ? { meetingId: intent.bounce.meetingId } : {}),
          now,
        },
        state,
      ),
    { eventIds: () => bounceEventId(intent.effect) },
  );
}

/** A draft for the seeker's review, on the stream of the contact the email is about, its id derived from the effect. */
async function recordDraft(ctx: AppContext, data: EmailEffectData, intent: EmailIntent, deps: EmailDeps): Promise<EmailOutcome> {
  const words = deps.sender.render(intent);
  const draftId = draftIdFor(data.key);
  await execute(
    ctx,
    contactAggregate,
    data.contactId,
    ({ state }) =>
      decideContact(
        {
          type: 'RecordDraft',
          draft: {
            draftId,
            effect: data.key,
            kind: data.kind,
            toContactId: intent.toContactId ?? data.contactId,
            ...(data.meetingId ? { meetingId: data.meetingId } : {}),
            subject: words.subject,
            text: words.text,
            draftedAt: deps.clock(),
          },
          now: deps.clock(),
        },
        state,
      ),
    { eventIds: () => derivedId(`${data.key}:drafted`) },
  );
  return { outcome: 'drafted', draftId };
}

/** After the last retry: the failure becomes part of the contact's history. */
export async function recordEmailFailed(data: EffectData, deps: Pick<EmailDeps, 'store' | 'clock'>, attempts: number, reason: string) {
  await execute(
    contextFor(data, deps),
    contactAggregate,
    data.contactId,
    ({ state }) =>
      decideContact(
        {
          type: 'RecordEmailFailed',
          effect: data.key,
          reason: reason.slice(0, 1000),
          attempts,
          ...(data.meetingId ? { meetingId: data.meetingId } : {}),
          now: deps.clock(),
        },
        state,
      ),
    { eventIds: () => derivedId(`${data.key}:failed`) },
  );
}
