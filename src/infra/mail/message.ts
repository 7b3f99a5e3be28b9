import type { SendMailOptions } from 'nodemailer';
import { OutreachError } from '../../domain/errors.ts';
import type { IcsMethod } from './ics.ts';

/** An address as the app holds it ({ name, email }, like the .ics people) or as nodemailer does. */
export type MailAddress = string | { name: string; email: string } | { name: string; address: string };
export type OutgoingMail = SendMailOptions & { messageId: string };

const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;

export { messageIdFor } from '../../app/effects/email/message-id.ts';

export type BuildMailInput = {
  from: MailAddress;
  to: MailAddress;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The Message-ID this one answers (the first request), for the nudge and the thank-you. */
  inReplyTo?: string | undefined;
  /** The thread so far, oldest first; defaults to inReplyTo alone. */
  references?: readonly string[] | undefined;
  unsubscribeUrl?: string | undefined;
  ics?: { content: string; method: IcsMethod } | undefined;
  replyTo?: MailAddress | undefined;
  /** The Date header; the transport's clock when not given. */
  date?: string | undefined;
};

const toNodemailer = (field: string, a: MailAddress) => {
  const address = typeof a === 'string' ? a : 'email' in a ? a.email : a.address;
  const name = typeof a === 'string' ? undefined : a.name;
  if (/[\r\n]/.test(address) || (name !== undefined && /[\r\n]/.test(name))) {
    throw new OutreachError('validation', `${field}: must not contain a line break`, { field });
  }
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(typeof a === 'string' ? a.replace(/^.*<([^<>]+)>\s*$/, '$1') : address)) {
    throw new OutreachError('validation', `${field}: no email address`, { field });
  }
  return name === undefined ? address : { name, address };
};

const checkId = (field: string, value: string) => {
  if (!MESSAGE_ID.test(value)) throw new OutreachError('validation', `${field}: ${JSON.stringify(value)} is not a <id@domain> Message-ID`, { field });
  return value;
};

/** nodemailer message options for one email; no transport-specific settings. */
export function buildMail(input: BuildMailInput): OutgoingMail {
  if (/[\r\n]/.test(input.subject)) throw new OutreachError('validation', 'subject: must be one line', { field: 'subject' });
  const headers: Record<string, string> = {};
  if (input.unsubscribeUrl !== undefined) {
    if (/^mailto:[^\s<>@]+@[^\s<>]+$/.test(input.unsubscribeUrl)) {
      // RFC 2369: the recipient's client writes to the seeker, who reads it like any reply.
      headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>`;
    } else if (/^https:\/\/[^\s<>]+$/.test(input.unsubscribeUrl)) {
      // RFC 8058 one-click: mail providers POST "List-Unsubscribe=One-Click" to the URL, no page to visit.
      headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    } else {
      throw new OutreachError('validation', 'unsubscribeUrl: must be an https URL or a mailto: address, without spaces or angle brackets', {
        field: 'unsubscribeUrl',
      });
    }
  }
  const inReplyTo = input.inReplyTo === undefined ? undefined : checkId('inReplyTo', input.inReplyTo);
  const references = (input.references ?? (inReplyTo ? [inReplyTo] : [])).map((r) => checkId('references', r));
  const mail: OutgoingMail = {
    from: toNodemailer('from', input.from),
    to: toNodemailer('to', input.to),
    subject: input.subject,
    text: input.text,
    html: input.html,
    messageId: checkId('messageId', input.messageId),
    headers,
  };
  if (input.replyTo !== undefined) mail.replyTo = toNodemailer('replyTo', input.replyTo);
  if (input.date !== undefined) mail.date = new Date(input.date);
  if (inReplyTo) mail.inReplyTo = inReplyTo;
  if (references.length > 0) mail.references = references.join(' ');
  if (input.ics) {
    // One calendar part: the text/calendar alternative, which Gmail and Outlook turn into an invitation
    // (a second copy as an attachment made some clients show the meeting twice).
    // nodemailer's icalEvent would add an application/ics attachment beside it: the alternative is given directly instead.
    mail.alternatives = [{ contentType: `text/calendar; charset=utf-8; method=${input.ics.method}`, content: input.ics.content }];
  }
  return mail;
}
