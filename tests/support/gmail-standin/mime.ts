/**
 * Just enough RFC 5322 / MIME to build Gmail's `payload` (format=full|metadata) and `snippet` from
 * a stored raw message: header unfolding, RFC 2047 encoded-words, multipart splitting,
 * base64 / quoted-printable decoding. Bodies are given as Gmail gives them: the transfer encoding
 * undone, the charset left as it is, base64url in body.data.
 */

export type Header = { name: string; value: string };

export type MessagePart = {
  partId: string;
  mimeType: string;
  filename: string;
  headers: Header[];
  body: { size: number; data?: string; attachmentId?: string };
  parts?: MessagePart[];
};

/** Where the header block ends: [end of headers, start of body]. */
function split(raw: Buffer): [Buffer, Buffer] {
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return [raw, Buffer.alloc(0)];
  return [raw.subarray(0, m.index), raw.subarray(m.index + m[0].length)];
}

const decoder = (charset: string) => {
  try {
    return new TextDecoder(charset.toLowerCase());
  } catch {
    return new TextDecoder('utf-8');
  }
};

/** RFC 2047 encoded-words (B and Q), adjacent ones joined as the RFC says. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([bBqQ])\?([^?]*)\?=/g, (_, charset: string, enc: string, text: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            );
      return decoder(charset).decode(bytes);
    });
}

/** Headers in order, unfolded, encoded-words decoded; raw 8-bit header bytes read as UTF-8. */
export function parseHeaders(block: Buffer): Header[] {
  const text = block.toString('utf8').replace(/\r?\n(?=[ \t])/g, '');
  const headers: Header[] = [];
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    headers.push({ name: line.slice(0, i).trim(), value: decodeWords(line.slice(i + 1).trim()) });
  }
  return headers;
}

export const headerOf = (headers: Header[], name: string): string | undefined => headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** `type/subtype; a=b; c="d"` → { type, params } (lower-cased type and parameter names). */
export function contentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type = 'text/plain', ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    params[p.slice(0, i).trim().toLowerCase()] = p
      .slice(i + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params };
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable': {
      const text = body.toString('latin1').replace(/=\r?\n/g, '');
      return Buffer.from(
        text.replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      );
    }
    default:
      return body;
  }
}

function multipartBodies(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let at = text.startsWith(delimiter) ? 0 : text.indexOf(`\n${delimiter}`);
  if (at < 0) return parts;
  if (at > 0) at += 1;
  for (;;) {
    const lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) break;
    if (text.slice(at, at + delimiter.length + 2) === `${delimiter}--`) break;
    const next = text.indexOf(`\n${delimiter}`, lineEnd);
    const end = next < 0 ? text.length : next;
    // The CRLF before a delimiter belongs to the delimiter.
    const content = text.slice(lineEnd + 1, end).replace(/\r$/, '');
    parts.push(Buffer.from(content, 'latin1'));
    if (next < 0) break;
    at = next + 1;
  }
  return parts;
}

export type ParsedPart = MessagePart & { decoded: Buffer };

/** The MIME tree of a raw message in Gmail's MessagePart shape (attachment ids assigned by `attachmentId`). */
export function parsePart(raw: Buffer, partId = '', attachmentId: (partId: string) => string = (p) => `ANGjdJ_${p}`): ParsedPart {
  const [head, body] = split(raw);
  const headers = parseHeaders(head);
  const ct = contentType(headerOf(headers, 'content-type'));
  const disposition = contentType(headerOf(headers, 'content-disposition'));
  const filename = disposition.params['filename'] ?? ct.params['name'] ?? '';
  if (ct.type.startsWith('multipart/') && ct.params['boundary']) {
    const children = multipartBodies(body, ct.params['boundary']).map((b, i) => parsePart(b, partId === '' ? String(i) : `${partId}.${i}`, attachmentId));
    return { partId, mimeType: ct.type, filename, headers, body: { size: 0 }, parts: children, decoded: Buffer.alloc(0) };
  }
  const decoded = decodeBody(body, headerOf(headers, 'content-transfer-encoding'));
  const isAttachment = filename !== '' || disposition.type === 'attachment';
  return {
    partId,
    mimeType: ct.type,
    filename: decodeWords(filename),
    headers,
    body: isAttachment ? { attachmentId: attachmentId(partId), size: decoded.length } : { size: decoded.length, data: decoded.toString('base64url') },
    decoded,
  };
}

/** Removes the decoded buffers (kept for attachments.get and snippets) from a parsed tree. */
export function publicPart(p: ParsedPart): MessagePart {
  const { decoded: _d, parts, ...rest } = p;
  return { ...rest, ...(parts ? { parts: (parts as ParsedPart[]).map(publicPart) } : {}) };
}

export function* walk(p: ParsedPart): Generator<ParsedPart> {
  yield p;
  for (const c of (p.parts ?? []) as ParsedPart[]) yield* walk(c);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Gmail's snippet: the start of the first text part, whitespace collapsed, HTML-escaped. */
export function snippetOf(root: ParsedPart): string {
  let text = '';
  for (const p of walk(root)) {
    if (p.body.attachmentId) continue;
    if (p.mimeType === 'text/plain') {
      text = decoder(contentType(headerOf(p.headers, 'content-type')).params['charset'] ?? 'utf-8').decode(p.decoded);
      break;
    }
    if (p.mimeType === 'text/html' && !text)
      text = decoder('utf-8')
        .decode(p.decoded)
        .replace(/<[^>]*>/g, ' ');
  }
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return escapeHtml(collapsed.length > 200 ? collapsed.slice(0, 200) : collapsed);
}

/** Addresses in an address-list header value (display names dropped, lower-cased). */
export function addresses(value: string | undefined): string[] {
  if (!value) return [];
  const found = value.match(/[^\s<>",;:()]+@[^\s<>",;:()]+/g) ?? [];
  return found.map((a) => a.toLowerCase());
}

/** Message-IDs in a References / In-Reply-To value. */
export const messageIds = (value: string | undefined): string[] => (value ? (value.match(/<[^<>\s]+>/g) ?? []) : []);

/** A subject without its reply/forward prefixes, for Gmail's "Subject headers must match". */
export const baseSubject = (subject: string | undefined): string => {
  let s = (subject ?? '').trim();
  for (;;) {
    const next = s.replace(/^(re|fwd?|aw|sv|tr|rv)\s*(\[\d+\])?\s*:\s*/i, '').trim();
    if (next === s) return s.toLowerCase().replace(/\s+/g, ' ');
    s = next;
  }
};
