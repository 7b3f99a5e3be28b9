import type { ContactState } from './contact.ts';
import type { ContactEvent } from './events.ts';
import type { InboundClassification } from './inbound-mail.ts';

/** What the seeker's mailbox said about a contact: a classified message other than one to ignore. */
export type InboundFact = Exclude<InboundClassification, { kind: 'ignore' }>;

/** Characters an event's text may not hold (controls, bidirectional overrides): mail may carry any of them. */
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
/** A text from a message made fit for an event: unsafe characters dropped, trimmed, cut; undefined when nothing is left. */
export const cleanText = (text: string, max: number): string | undefined => {
  const clean = text.replace(UNSAFE, '').trim().slice(0, max).trim();
  return clean.length > 0 ? clean : undefined;
};

const isIsoDate = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);

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
    case 'reply': {
      const summary = cleanText(fact.excerpt, 5000);
      return [{ type: 'ReplyReceived', data: { ...(summary ? { summary } : {}), source: 'mailbox', ...meeting, receivedAt } }];
    }
    case 'opt-out':
      if (state.status === 'opted_out') return [];
      return [{ type: 'ContactOptedOut', data: { source: 'reply', optedOutAt: receivedAt } }];
    case 'auto-reply':
      return [
        {
          type: 'AutoReplyReceived',
          data: {
            ...meeting,
            ...(fact.returnsOn && isIsoDate(fact.returnsOn) ? { returnsOn: fact.returnsOn } : {}),
            signal: cleanText(fact.signal, 200) ?? 'automatic',
            receivedAt,
          },
        },
      ];
    case 'bounce': {
      if (!email || (fact.recipient && fact.recipient.toLowerCase() !== email)) return [];
      if (state.bouncedEmail?.toLowerCase() === email) return [];
      const reason = cleanText(`${fact.status} ${fact.diagnostic}`, 1000) ?? '';
      const code = codeOfStatus(fact.status, fact.diagnostic);
      return [{ type: 'EmailBounced', data: { effect: 'delivery-report', email: state.details!.email!, code, reason, ...meeting, bouncedAt: receivedAt } }];
    }
    case 'delayed':
      if (!email || (fact.recipient && fact.recipient.toLowerCase() !== email)) return [];
      return [
        { type: 'EmailDelayed', data: { email: state.details!.email!, status: fact.status.replace(UNSAFE, '').slice(0, 20), ...meeting, notedAt: receivedAt } },
      ];
  }
}
