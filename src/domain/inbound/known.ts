import { type InboundHeaders, type Known, type SentMessage } from './types.ts';

/** A Message-ID without its angle brackets or folding whitespace, the domain part lower-cased. */
export function normaliseMessageId(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const bracketed = /<([^<>]+)>/.exec(raw);
  const id = (bracketed ? bracketed[1]! : raw).replace(/\s+/g, '');
  if (!id) return null;
  const at = id.lastIndexOf('@');
  return at <= 0 || at === id.length - 1 ? id : `${id.slice(0, at)}@${id.slice(at + 1).toLowerCase()}`;
}

/** The stable key of an inbound message (its normalised Message-ID), or null when it has none. */
export const inboundKey = (message: { headers: Pick<InboundHeaders, 'messageId'> }): string | null => normaliseMessageId(message.headers.messageId);

export const normaliseAddress = (a: string) => a.trim().replace(/^<|>$/g, '').trim().toLowerCase();

export const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

/** Our message with that id, looked up with and without angle brackets. */
export const sentFor = (known: Known, id: string | null | undefined): SentMessage | undefined => {
  const key = normaliseMessageId(id);
  return key ? (own(known.sent, `<${key}>`) ?? own(known.sent, key)) : undefined;
};
export const contactFor = (known: Known, address: string | null | undefined) => (address ? own(known.contacts, normaliseAddress(address)) : undefined);
export const isSeeker = (known: Known, address: string | null | undefined) =>
  !!address && known.seeker.some((s) => normaliseAddress(s) === normaliseAddress(address));
export const toSeeker = (headers: InboundHeaders, known: Known) => [...headers.to, ...headers.cc].some((a) => isSeeker(known, a.address));
