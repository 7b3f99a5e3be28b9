import { type Clock, type InboundClassification, type InboundMatch, type InboundMessage, type Known, type ReportRecipient } from './types.ts';
import { contactFor, sentFor, toSeeker } from './known.ts';
import { autoReplySignal, isBulkOrList, isDeliveryReportType, isMailSystemSender, isUnsubscribeSubject } from './headers.ts';
import { asksToStop, excerptOf } from './text.ts';
import { checkClock, returnDateOf } from './return-date.ts';

export const STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})$/;
export const statusOf = (r: ReportRecipient): string => {
  const s = /[245]\.\d{1,3}\.\d{1,3}/.exec(r.status)?.[0];
  if (s) return s;
  const fromDiagnostic = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])/.exec(r.diagnostic ?? '')?.[1];
  if (fromDiagnostic) return fromDiagnostic;
  const code = /(?<!\d)([45])\d\d(?!\d)/.exec(r.diagnostic ?? '')?.[1];
  return code ? `${code}.0.0` : '';
};

export type Outcome = 'failed' | 'delayed' | 'other';
/** failed with 5.x.x is permanent; delayed, or given up on after 4.x.x, is temporary. */
export function outcomeOf(r: ReportRecipient, status: string): Outcome {
  const action = r.action.trim().toLowerCase();
  const klass = STATUS.exec(status)?.[1];
  if (action === 'delayed') return 'delayed';
  if (action === 'failed') return klass === '4' ? 'delayed' : 'failed';
  if (action === '' && klass === '5') return 'failed';
  if (action === '' && klass === '4') return 'delayed';
  return 'other';
}

export const bare = (address: string | undefined) =>
  address
    ? address
        .replace(/^[\w.-]+;\s*/, '')
        .trim()
        .replace(/^<|>$/g, '')
    : undefined;
export const DIAGNOSTIC_MAX = 1000;

export function classifyReport(message: InboundMessage, match: Extract<InboundMatch, { look: true }>, known: Known): InboundClassification {
  const report = message.report;
  if (!report || report.recipients.length === 0) return { kind: 'ignore', reason: 'a delivery notification with no recipient that could be read' };
  const originalMessageId = report.originalMessageId;
  const sent = sentFor(known, originalMessageId);
  const owner = sent
    ? { contactId: sent.contactId, meetingId: sent.meetingId }
    : match.why === 'our-thread' && match.contactId
      ? { contactId: match.contactId, meetingId: match.meetingId }
      : undefined;
  const ids = originalMessageId ? { originalMessageId } : {};
  const judged = report.recipients.map((r) => {
    const status = statusOf(r);
    return { r, status, outcome: outcomeOf(r, status), recipient: bare(r.originalRecipient) ?? bare(r.finalRecipient) ?? '' };
  });
  let failures = 0;
  for (const wanted of ['failed', 'delayed'] as const) {
    for (const { r, status, outcome, recipient } of judged.filter((j) => j.outcome === wanted)) {
      failures++;
      const byAddress = contactFor(known, bare(r.originalRecipient)) ?? contactFor(known, bare(r.finalRecipient));
      // Our message went to one contact: another contact's address in its report is not about it.
      if (owner && byAddress !== undefined && byAddress !== owner.contactId) continue;
      const who = owner ?? (byAddress ? { contactId: byAddress, meetingId: undefined } : undefined);
      if (!who) continue;
      const meeting = who.meetingId ? { meetingId: who.meetingId } : {};
      if (outcome === 'failed') {
        const diagnostic = (r.diagnostic ?? '').replace(/\s+/g, ' ').trim().slice(0, DIAGNOSTIC_MAX);
        return { kind: 'bounce', contactId: who.contactId, ...meeting, recipient, status: status || '5.0.0', diagnostic, ...ids };
      }
      return { kind: 'delayed', contactId: who.contactId, ...meeting, recipient, status: status || '4.0.0', ...ids };
    }
  }
  return failures > 0
    ? { kind: 'ignore', reason: 'a delivery notification about mail that is not ours' }
    : { kind: 'ignore', reason: 'a delivery notification without a failure' };
}

/**
 * What an inbound message means. A delivery notification is read from its report; an automatic
 * reply is never a reply nor an opt-out; a request to stop counts only in the new text's first lines.
 */
export function classifyInbound(message: InboundMessage, match: InboundMatch, known: Known, clock: Clock): InboundClassification {
  checkClock(clock);
  if (!match.look) return { kind: 'ignore', reason: match.why };
  const headers = message.headers;
  if (message.report || isDeliveryReportType(headers) || isMailSystemSender(headers)) return classifyReport(message, match, known);
  const inOurThread = match.why === 'our-thread';
  const contactId = match.contactId;
  if (!contactId) return { kind: 'ignore', reason: 'no contact to attribute it to' };
  const meeting = match.meetingId ? { meetingId: match.meetingId } : {};
  const newText = message.newText;
  // Our List-Unsubscribe mailto: a mail client writes it when the person clicks, automatically or not.
  if (isUnsubscribeSubject(headers.subject) && toSeeker(headers, known)) return { kind: 'opt-out', contactId, ...meeting, excerpt: excerptOf(newText) };
  const signal = autoReplySignal(headers, inOurThread);
  if (signal) return { kind: 'auto-reply', contactId, ...meeting, returnsOn: returnDateOf(newText || message.fullText, clock), signal };
  if (!inOurThread && isBulkOrList(headers)) return { kind: 'ignore', reason: 'bulk or list mail from a contact, not a reply' };
  if (asksToStop(newText)) return { kind: 'opt-out', contactId, ...meeting, excerpt: excerptOf(newText) };
  return { kind: 'reply', contactId, ...meeting, excerpt: excerptOf(newText) };
}
