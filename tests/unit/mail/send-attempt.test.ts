import { describe, expect, it } from 'vitest';
import { classifySendAttempt } from '../../../src/infra/mail/errors.ts';
import { classifyGoogleAttempt, GoogleApiError } from '../../../src/infra/google/errors.ts';

/** Errors shaped as nodemailer rejects with them (code, command, responseCode). */
const smtp = (fields: Record<string, unknown>) => Object.assign(new Error('failed'), fields);

describe('a failed send, for the retry budget', () => {
  it('given no answer from the server (timeouts, refused or cut connections, a full pool), then it did not reach it', () => {
    for (const code of ['ETIMEDOUT', 'ECONNECTION', 'ESOCKET', 'ECONNREFUSED', 'ECONNRESET', 'EDNS', 'EMAXLIMIT', 'ECLOSED']) {
      expect(classifySendAttempt(smtp({ code, command: 'CONN' })), code).toBe('not-reached');
    }
  });

  it('given a 4xx at any stage, then the server asked to try later', () => {
    expect(classifySendAttempt(smtp({ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' }))).toBe('try-later');
    expect(classifySendAttempt(smtp({ code: 'EMESSAGE', responseCode: 421, command: 'DATA' }))).toBe('try-later');
    expect(classifySendAttempt(smtp({ code: 'EAUTH', responseCode: 454, command: 'AUTH PLAIN' }))).toBe('try-later');
  });

  it('given a 5xx, a protocol error or an error we cannot place, then it was refused (it spends an attempt)', () => {
    expect(classifySendAttempt(smtp({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }))).toBe('refused');
    expect(classifySendAttempt(smtp({ code: 'EPROTOCOL' }))).toBe('refused');
    expect(classifySendAttempt(new TypeError('a message we failed to build'))).toBe('refused');
    expect(classifySendAttempt('a string')).toBe('refused');
  });

  it("given Gmail's API, then 429 and 503 ask to try later and other statuses refuse", () => {
    expect(classifySendAttempt(new GoogleApiError('messages.send', 'busy', { status: 503 }))).toBe('try-later');
    expect(classifySendAttempt(new GoogleApiError('messages.send', 'bad', { status: 400 }))).toBe('refused');
  });
});

describe('a failed Google Calendar call, for the retry budget', () => {
  it('given a network error with no answer, then it did not reach Google', () => {
    expect(classifyGoogleAttempt(new GoogleApiError('events.insert', 'reset', { code: 'ECONNRESET' }))).toBe('not-reached');
    expect(classifyGoogleAttempt(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('not-reached');
  });

  it('given an HTTP status or an unknown error, then it was refused', () => {
    expect(classifyGoogleAttempt(new GoogleApiError('events.insert', 'boom', { status: 500 }))).toBe('refused');
    expect(classifyGoogleAttempt(new Error('a bug'))).toBe('refused');
  });
});
