import addressparser from 'nodemailer/lib/addressparser';
import {
  newTextOf,
  ruleHeaders,
  type DeliveryReport,
  type InboundHeaders,
  type InboundMessage,
  type MailAddress,
  type RuleHeader,
} from '../../domain/inbound-mail.ts';

/**
 * The headers alone, read without mailparser: the reader looks at every message's headers to tell
 * ours from the rest, and mailparser's stream machinery costs about a millisecond a message there.
 * Gives what parseInbound gives for the same message (tests/unit/mailbox/parse-headers.test.ts
 * holds the two equal over the corpus).
 */

const MESSAGE_IDS = /<[^<>\s]+>/g;
/** Message-IDs in a header value; a bare id (some clients drop the brackets) is taken when it has an "@". */
export const idsIn = (value: string | undefined): string[] => {
  if (!value) return [];
  const bracketed = value.match(MESSAGE_IDS);
  if (bracketed) return bracketed;
  return value
    .split(/[\s,]+/)
    .filter((v) => /^[^@\s]+@[^@\s]+$/.test(v))
    .map((v) => `<${v}>`);
};

const decoderFor = (charset: string): TextDecoder => {
  try {
    return new TextDecoder(charset.replace(/\*.*$/, '').toLowerCase());
  } catch {
    return new TextDecoder('utf-8');
  }
};

/** RFC 2047 encoded-words decoded (B and Q), whitespace between two of them dropped. */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  const words = /=\?([^?\s]+)\?([BbQq])\?([^?]*)\?=/g;
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?]*\?=)/g, '$1')
    .replace(words, (_m, charset: string, enc: string, text: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
              'latin1',
            );
      return decoderFor(charset).decode(bytes);
    });
}

const ruleHeaderSet: ReadonlySet<string> = new Set(ruleHeaders);

/** Unfolded "name: value" pairs of a header block, names lower-cased, in order. */
function fieldsOf(block: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return out;
}

const addressesOf = (values: string[]): MailAddress[] =>
  values.flatMap((v) =>
    (addressparser(v, { flatten: true }) as { name?: string; address?: string }[]).flatMap((a) => {
      if (!a.address || !a.address.includes('@')) return [];
      const name = a.name ? decodeWords(a.name).trim() : '';
      return [{ address: a.address.toLowerCase(), ...(name ? { name } : {}) }];
    }),
  );

export function parseHeaderBlock(block: string): InboundHeaders {
  const fields = fieldsOf(block);
  const all = (name: string) => fields.filter(([k]) => k === name).map(([, v]) => v);
  const joined = (name: string) => (all(name).length > 0 ? all(name).join(', ') : undefined);
  const inReplyTo = idsIn(joined('in-reply-to'));
  const references = idsIn(joined('references'));
  for (const id of inReplyTo.slice(1)) if (!references.includes(id)) references.push(id);
  const ct = all('content-type')[0] ?? 'text/plain';
  const type = (ct.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
  const reportType = /;\s*report-type\s*=\s*"?([^";\s]+)"?/i.exec(ct)?.[1];
  const headers: Partial<Record<RuleHeader, string>> = {};
  for (const [k] of fields) if (ruleHeaderSet.has(k) && headers[k as RuleHeader] === undefined) headers[k as RuleHeader] = joined(k) ?? '';
  const dateRaw = all('date')[0];
  const date = dateRaw ? new Date(dateRaw.replace(/\s*\([^)]*\)\s*$/, '')) : null;
  return {
    messageId: idsIn(joined('message-id'))[0] ?? null,
    inReplyTo: inReplyTo[0] ?? null,
    references,
    from: addressesOf(all('from').slice(0, 1))[0] ?? null,
    to: addressesOf(all('to')),
    cc: addressesOf(all('cc')),
    subject: decodeWords(all('subject')[0] ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
    date: date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
    contentType: reportType ? { type, reportType: reportType.toLowerCase() } : { type },
    headers,
  };
}

const param = (value: string, name: string) => new RegExp(`;\\s*${name}\\s*=\\s*"?([^";\\s]+)"?`, 'i').exec(value)?.[1];

const decodeQuotedPrintable = (body: string): Buffer =>
  Buffer.from(
    body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  );

/**
 * A message of one text/plain part (no attachment, not format=flowed), read without mailparser; null
 * for anything else. Gives what parseInbound gives (tests/unit/mailbox/parse-headers.test.ts).
 */
export function parsePlainMessage(
  raw: Buffer,
  reportOf: (headers: InboundHeaders, fullText: string) => DeliveryReport | undefined,
  headersOf: (block: string) => InboundHeaders = parseHeaderBlock,
): InboundMessage | null {
  const text = raw.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  if (!end) return null;
  // Header bytes as UTF-8 (RFC 6532 lets them be), as mailparser reads them.
  const block = raw.subarray(0, end.index).toString('utf8');
  const fields = fieldsOf(block);
  const first = (name: string) => fields.find(([k]) => k === name)?.[1];
  const ct = first('content-type') ?? 'text/plain';
  if ((ct.split(';')[0] ?? '').trim().toLowerCase() !== 'text/plain' || /format\s*=\s*"?flowed/i.test(ct)) return null;
  if (first('content-disposition') && !/^\s*inline\b/i.test(first('content-disposition')!)) return null;
  const cte = (first('content-transfer-encoding') ?? '7bit').toLowerCase().trim();
  const body = text.slice(end.index + end[0].length);
  let bytes: Buffer;
  if (['7bit', '8bit', 'binary', ''].includes(cte)) bytes = raw.subarray(end.index + end[0].length);
  else if (cte === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else if (cte === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else return null;
  const charset = (param(ct, 'charset') ?? 'utf-8').toLowerCase();
  const decoded = charset === 'us-ascii' || charset === 'ascii' ? bytes.toString('utf8') : decoderFor(charset).decode(bytes);
  const headers = headersOf(block);
  const fullText = decoded.replace(/\r\n?/g, '\n').trim();
  const report = reportOf(headers, fullText);
  return { headers, newText: newTextOf(fullText), fullText, ...(report ? { report } : {}) };
}
