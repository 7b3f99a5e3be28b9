/**
 * Inbound mail: which of the seeker's messages concern us (from headers alone), and what each one
 * that does means (a person's reply, an automatic reply, a bounce, a delay, a request to stop).
 * Pure: no I/O, time comes in as `now`; the parser in infra/mailbox turns raw RFC 5322 into these types.
 */

export * from './inbound/types.ts';
export * from './inbound/known.ts';
export * from './inbound/headers.ts';
export * from './inbound/text.ts';
export * from './inbound/return-date.ts';
export * from './inbound/classify.ts';
