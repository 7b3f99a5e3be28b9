import type { ContactState } from './contact.ts';
import type { ContactEvent } from './events.ts';
import type { InboundClassification } from './inbound-mail.ts';

/** What the seeker's mailbox said about a contact: a classified message other than one to ignore. */
export type InboundFact = Exclude<InboundClassification, { kind: 'ignore' }>;

/** An RFC 3463 class 5 status as the SMTP reply code a refusal would have had. */
export const codeOfStatus = (status: string, diagnostic: string): number => {
  const smtp = /(?<!\d)(5\d\d)(?!\d)/.exec(diagnostic)?.[1];
  return smtp ? Number(smtp) : 550;
};

/**
 * What an inbound message records on its contact. Nothing is recorded about a forgotten contact
 * (their words are not kept again), a bounce or delay of an address that is no longer theirs, or
 * a second opt-out. A reply after an opt-out is still a reply: the seeker may want to answer it.
 */
export function decideInbound(fact: InboundFact, state: ContactState, receivedAt: string): ContactEvent[] {
  if (state.status === 'none' || state.status === 'forgotten') return [];
  const meeting = fact.meetingId ? { meetingId: fact.meetingId } : {};
  const email = state.details?.email?.toLowerCase();
  switch (fact.kind) {
    case 'reply':
      return [{ type: 'ReplyReceived', data: { ...(fact.excerpt ? { summary: fact.excerpt } : {}), source: 'mailbox', ...meeting, receivedAt } }];
    case 'opt-out':
      if (state.status === 'opted_out') return [];
      return [{ type: 'ContactOptedOut', data: { source: 'reply', optedOutAt: receivedAt } }];
    case 'auto-reply':
      return [
        {
          type: 'AutoReplyReceived',
          data: { ...meeting, ...(fact.returnsOn ? { returnsOn: fact.returnsOn } : {}), signal: fact.signal.slice(0, 200), receivedAt },
        },
      ];
    case 'bounce': {
      if (!email || (fact.recipient && fact.recipient.toLowerCase() !== email)) return [];
      if (state.bouncedEmail?.toLowerCase() === email) return [];
      const reason = `${fact.status} ${fact.diagnostic}`.trim().slice(0, 1000);
      const code = codeOfStatus(fact.status, fact.diagnostic);
      return [{ type: 'EmailBounced', data: { effect: 'delivery-report', email: state.details!.email!, code, reason, ...meeting, bouncedAt: receivedAt } }];
    }
    case 'delayed':
      if (!email || (fact.recipient && fact.recipient.toLowerCase() !== email)) return [];
      return [{ type: 'EmailDelayed', data: { email: state.details!.email!, status: fact.status.slice(0, 20), ...meeting, notedAt: receivedAt } }];
  }
}
