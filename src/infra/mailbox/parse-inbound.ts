import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail, type SimpleParserOptions } from 'mailparser';
import {
  newTextOf,
  ruleHeaders,
  type DeliveryReport,
  type InboundHeaders,
  type InboundMessage,
  type MailAddress,
  type ReportRecipient,
  type RuleHeader,
} from '../../domain/inbound-mail.ts';
import { boundedMap } from '../../domain/bounded-map.ts';
import { idsIn, parseHeaderBlock, parsePlainMessage } from './parse-headers.ts';

/**
 * Raw RFC 5322 mail (from IMAP or the Gmail API's raw format) into the domain's inbound types.
 *
 * mailparser is asked to keep `message/delivery-status` parts as attachments (by default it appends
 * them to the text) and not to parse embedded `message/rfc822` parts (by default an inline one is
 * merged into the text): the report's fields and the returned message's headers are read here.
 */
const OPTIONS: SimpleParserOptions = {
  keepDeliveryStatus: true,
  ignoreEmbedded: true,
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  checksumAlgo: false,
  maxHtmlLengthToParse: 2_000_000,
};

const ruleHeaderSet: ReadonlySet<string> = new Set(ruleHeaders);

/** The header block of a message (everything before the first empty line), or the whole input when it is only headers. */
export function headerBlockOf(raw: Buffer | string): string {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  return end ? text.slice(0, end.index) : text.replace(/\s+$/, '');
}

const unfold = (value: string) => value.replace(/\r?\n[ \t]+/g, ' ').trim();

const rawHeader = (parsed: ParsedMail, key: string): string | undefined => {
  const lines = parsed.headerLines.filter((h) => h.key === key).map((h) => unfold(h.line.slice(h.line.indexOf(':') + 1)));
  return lines.length > 0 ? lines.join(', ') : undefined;
};

const addressesOf = (value: AddressObject | AddressObject[] | undefined): MailAddress[] => {
  const flat = (entries: EmailAddress[]): MailAddress[] =>
    entries.flatMap((e) => (e.group ? flat(e.group) : e.address ? [{ address: e.address.toLowerCase(), ...(e.name ? { name: e.name } : {}) }] : []));
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((o) => flat(o.value));
};

function headersOf(parsed: ParsedMail): InboundHeaders {
  const inReplyTo = idsIn(rawHeader(parsed, 'in-reply-to'));
  const references = idsIn(rawHeader(parsed, 'references'));
  // More than one id in In-Reply-To (rare): the others still name the thread.
  for (const id of inReplyTo.slice(1)) if (!references.includes(id)) references.push(id);
  const contentType = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const type = (contentType?.value ?? 'text/plain').toLowerCase();
  const reportType = contentType?.params?.['report-type'];
  const headers: Partial<Record<RuleHeader, string>> = {};
  for (const key of new Set(parsed.headerLines.map((h) => h.key))) {
    if (ruleHeaderSet.has(key)) headers[key as RuleHeader] = rawHeader(parsed, key) ?? '';
  }
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null;
  return {
    messageId: idsIn(rawHeader(parsed, 'message-id'))[0] ?? null,
    inReplyTo: inReplyTo[0] ?? null,
    references,
    from: addressesOf(parsed.from)[0] ?? null,
    to: addressesOf(parsed.to),
    cc: addressesOf(parsed.cc),
    subject: (parsed.subject ?? '').replace(/\s+/g, ' ').trim(),
    date,
    contentType: reportType ? { type, reportType: reportType.toLowerCase() } : { type },
    headers,
  };
}

/** The headers alone (an IMAP `BODY.PEEK[HEADER]` fetch, or a whole message whose body is not read). */
export async function parseInboundHeaders(raw: Buffer | string): Promise<InboundHeaders> {
  return headersOf(await simpleParser(`${headerBlockOf(raw)}\r\n\r\n`, OPTIONS));
}

// ---------------------------------------------------------------------------------------------
// Delivery status notifications

/** "Name: value" fields of one block, names lower-cased, continuation lines unfolded. */
function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of unfold(block).split(/\r?\n/)) {
    const m = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(line);
    if (m && !fields.has(m[1]!.toLowerCase())) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  return fields;
}

const addressOfField = (value: string | undefined) => {
  if (!value) return undefined;
  const address = value
    .replace(/^[A-Za-z0-9.-]+\s*;\s*/, '')
    .trim()
    .replace(/^<|>$/g, '')
    .trim();
  return address.length > 0 ? address.toLowerCase() : undefined;
};

/** The per-recipient blocks of a message/delivery-status body (RFC 3464 section 2.1). */
export function parseDeliveryStatus(body: string): { recipients: ReportRecipient[]; perMessage: Map<string, string> } {
  const blocks = body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(fieldsOf);
  const perMessage = new Map<string, string>();
  const recipients: ReportRecipient[] = [];
  for (const fields of blocks) {
    const finalRecipient = addressOfField(fields.get('final-recipient') ?? fields.get('original-recipient'));
    if (!finalRecipient) {
      for (const [k, v] of fields) if (!perMessage.has(k)) perMessage.set(k, v);
      continue;
    }
    const originalRecipient = addressOfField(fields.get('original-recipient'));
    const diagnostic = fields.get('diagnostic-code')?.replace(/^[A-Za-z0-9.-]+\s*;\s*/, '');
    recipients.push({
      finalRecipient,
      ...(originalRecipient && originalRecipient !== finalRecipient ? { originalRecipient } : {}),
      action: (fields.get('action') ?? '').toLowerCase(),
      status: /[245]\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0] ?? '',
      ...(diagnostic ? { diagnostic } : {}),
    });
  }
  return { recipients, perMessage };
}

/** The Message-ID in a returned message or header block. */
export function messageIdIn(returned: string): string | undefined {
  const block = headerBlockOf(returned.replace(/^\s+/, ''));
  const m = /^Message-ID[ \t]*:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)/im.exec(block) ?? /^Message-ID[ \t]*:[ \t]*(<[^<>\s]+>)/im.exec(returned);
  return m?.[1];
}

const REPORT_PARTS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_PARTS = new Set(['text/rfc822-headers', 'message/rfc822', 'message/global', 'message/global-headers']);
const attachmentText = (a: Attachment) => a.content.toString('utf8');

/** Where a plain-text bounce puts the copy of the message it returns. */
const RETURNED_MARKERS = [
  /^-{2,3} Below this line is a copy of the message\.?\s*$/m,
  /^-{2,3} Enclosed (?:are|is) the original (?:headers|message)[^\n]*$/m,
  /^\s*-{3,} ?Original message ?-{3,}\s*$/im,
  /^\s*-{3,} ?Message header follows ?-{3,}\s*$/im,
  /^\s*-{3,} ?The header of the original message is following\.? ?-{3,}\s*$/im,
  /^\s*-{3,} ?Returned message ?-{3,}\s*$/im,
  /^\s*-{3,} ?This is a copy of (?:the|your) message[^\n]*$/im,
];
const TEMPORARY =
  /not a permanent error|will (?:keep|continue) trying|still trying|will (?:be )?retr(?:y|ied)|has been delayed|temporar(?:y|ily) (?:failure|error|problem)/i;

/**
 * The recipients of a bounce written as plain text: qmail and Yahoo ("<bob@example.org>:" then the
 * remote server's answer), Gmail's older notices ("Delivery to the following recipient failed
 * permanently:"), and any message that names its failed recipients in X-Failed-Recipients.
 */
export function parsePlainBounce(text: string, failedRecipients?: string): DeliveryReport | undefined {
  const t = text.replace(/\r\n?/g, '\n');
  const marker = RETURNED_MARKERS.map((re) => re.exec(t))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => a.index - b.index)[0];
  const notice = marker ? t.slice(0, marker.index) : t;
  const returned = marker ? t.slice(marker.index + marker[0].length) : '';
  const action = TEMPORARY.test(notice) ? 'delayed' : 'failed';
  const recipients: ReportRecipient[] = [];
  // qmail, Yahoo: "<bob@example.org>:" alone on its line, the server's answer below it.
  const blocks = [...notice.matchAll(/^<([^<>\s@]+@[^<>\s]+)>:[ \t]*\n([\s\S]*?)(?=^<[^<>\s@]+@[^<>\s]+>:|\n[ \t]*\n|$(?![\s\S]))/gm)];
  for (const [, address, answer] of blocks) {
    recipients.push({
      finalRecipient: address!.toLowerCase(),
      action,
      status: '',
      diagnostic: unfold(answer ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
    });
  }
  // Gmail (older): the addresses indented under "Delivery to the following recipient(s) failed …:".
  if (recipients.length === 0) {
    const gmail = /Delivery to the following recipients? (failed permanently|has been delayed|failed)[^\n]*:\s*\n([\s\S]*?)\n\s*\n/i.exec(notice);
    if (gmail) {
      const details =
        (/The error that the other server returned was:\s*([\s\S]*)$/i.exec(notice) ??
          /Technical details of (?:permanent|temporary) failure:\s*([\s\S]*)$/i.exec(notice))?.[1] ?? '';
      const diagnostic = details
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' ')
        .slice(0, 1000);
      const gmailAction = /delayed/i.test(gmail[1]!) ? 'delayed' : 'failed';
      for (const address of gmail[2]!.match(/[^\s<>@]+@[^\s<>@]+/g) ?? []) {
        recipients.push({ finalRecipient: address.toLowerCase(), action: gmailAction, status: '', diagnostic });
      }
    }
  }
  if (recipients.length === 0 && failedRecipients) {
    const diagnostic = /^.*\b[45]\d\d[ -].*$/m.exec(notice)?.[0].trim();
    for (const address of failedRecipients
      .split(',')
      .map((a) => a.trim().replace(/^<|>$/g, '').toLowerCase())
      .filter((a) => a.includes('@'))) {
      recipients.push({ finalRecipient: address, action, status: '', ...(diagnostic ? { diagnostic } : {}) });
    }
  }
  if (recipients.length === 0) return undefined;
  const originalMessageId = messageIdIn(returned);
  return { recipients, ...(originalMessageId ? { originalMessageId } : {}) };
}

const BOUNCE_SUBJECT =
  /delivery status notification|undeliver|failure notice|returned mail|delivery failure|mail delivery failed|delivery has failed|could not be delivered|nicht zustellbar|non remis|no se puede entregar/i;
const MAIL_SYSTEM_LOCAL = /^(?:mailer-daemon|mailerdaemon|mail-daemon|postmaster)$/i;

export function reportOf(parsed: Pick<ParsedMail, 'attachments'>, headers: InboundHeaders, fullText: string): DeliveryReport | undefined {
  const statusParts = parsed.attachments.filter((a) => REPORT_PARTS.has(a.contentType.toLowerCase()));
  const returnedPart = parsed.attachments.find((a) => RETURNED_PARTS.has(a.contentType.toLowerCase()));
  const returnedId = returnedPart ? messageIdIn(attachmentText(returnedPart)) : undefined;
  if (statusParts.length > 0) {
    const recipients: ReportRecipient[] = [];
    let perMessageId: string | undefined;
    for (const part of statusParts) {
      const status = parseDeliveryStatus(attachmentText(part));
      recipients.push(...status.recipients);
      perMessageId ??= idsIn(status.perMessage.get('x-original-message-id'))[0];
    }
    const originalMessageId = returnedId ?? perMessageId;
    return { recipients, ...(originalMessageId ? { originalMessageId } : {}) };
  }
  const fromSystem = MAIL_SYSTEM_LOCAL.test(headers.from?.address.split('@')[0] ?? '');
  if (!fromSystem && headers.headers['x-failed-recipients'] === undefined && !BOUNCE_SUBJECT.test(headers.subject)) return undefined;
  if (!fromSystem && headers.contentType.type !== 'multipart/report' && headers.headers['x-failed-recipients'] === undefined) return undefined;
  const plain = parsePlainBounce(fullText, headers.headers['x-failed-recipients']);
  if (!plain) return undefined;
  const originalMessageId = returnedId ?? plain.originalMessageId;
  return { recipients: plain.recipients, ...(originalMessageId ? { originalMessageId } : {}) };
}

/** A whole message: headers, its text (text/plain, or the HTML as text), the new part of it, and its delivery report if it is one. */
export async function parseInbound(raw: Buffer | string): Promise<InboundMessage> {
  const parsed = await simpleParser(raw, OPTIONS);
  const headers = headersOf(parsed);
  const fullText = (parsed.text ?? '').replace(/\r\n?/g, '\n').trim();
  const report = reportOf(parsed, headers, fullText);
  return { headers, newText: newTextOf(fullText), fullText, ...(report ? { report } : {}) };
}

/**
 * The reader parses a message's header block from the header fetch (to tell ours from the rest) and
 * again with the whole message: the blocks parsed last are remembered by their text, so the second
 * parse is a lookup. Parsed headers are never changed after parsing, so sharing them is safe.
 */
const recentHeaders = boundedMap<string, InboundHeaders>(512);
const headersOfBlock = (block: string): InboundHeaders => {
  let headers = recentHeaders.get(block);
  if (!headers) recentHeaders.set(block, (headers = parseHeaderBlock(block)));
  return headers;
};

/**
 * The parser as the mailbox reader takes it: headers without mailparser (every message's are read),
 * a single text/plain part read directly, anything else by mailparser.
 */
export const mailParser = {
  headers: async (raw: Buffer) => headersOfBlock(headerBlockOf(raw.toString('utf8'))),
  message: async (raw: Buffer) =>
    parsePlainMessage(raw, (headers, fullText) => reportOf({ attachments: [] }, headers, fullText), headersOfBlock) ?? parseInbound(raw),
};
