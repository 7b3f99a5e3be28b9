import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dkimVerify } from 'mailauth';
import type { ParsedMail } from 'mailparser';
import { buildIcs } from '../../../src/infra/mail/ics.ts';
import { buildMail, messageIdFor } from '../../../src/infra/mail/message.ts';
import { classifySendError } from '../../../src/infra/mail/errors.ts';
import { createMailTransport, type MailTransport } from '../../../src/infra/mail/transport.ts';
import { startSmtpServer, type SmtpStandIn } from '../../support/smtp-server.ts';

/*
 * nodemailer's pooled SMTP transport against a real smtp-server on loopback. One server and one
 * transport for the file: each new connection costs smtp-server's 100 ms greeting delay.
 */
const DOMAIN = 'seeker.example';
const SELECTOR = 'out2026';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKeyB64 = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** DNS for DKIM without DNS: the one TXT record mailauth will ask for. */
const resolver = async (name: string, rrtype: string) => {
  if (rrtype === 'TXT' && name === `${SELECTOR}._domainkey.${DOMAIN}`) return [[`v=DKIM1; k=rsa; p=${publicKeyB64}`]];
  throw Object.assign(new Error(`no ${rrtype} record for ${name}`), { code: 'ENOTFOUND' });
};

const header = (parsed: ParsedMail, key: string) => parsed.headerLines.find((h) => h.key === key)?.line;

let server: SmtpStandIn;
let transport: MailTransport;
let counter = 0;

const mail = (over: Partial<Parameters<typeof buildMail>[0]> = {}) => {
  counter += 1;
  return buildMail({
    from: { name: 'Ann Seeker', email: 'ann@seeker.example' },
    to: { name: 'Bob Contact', email: 'bob@acme.example' },
    subject: `Thank you, Bob (${counter})`,
    text: 'Thank you for taking the time to speak with me.\n',
    html: '<p>Thank you for taking the time to speak with me.</p>',
    messageId: messageIdFor(`thank-you:evt-${counter}`, DOMAIN),
    ...over,
  });
};

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the send to fail');
};

beforeAll(async () => {
  server = await startSmtpServer();
  transport = createMailTransport({
    kind: 'smtp',
    url: server.url,
    pool: { maxConnections: 2 },
    maxRequeues: 1,
    dkim: { domainName: DOMAIN, keySelector: SELECTOR, privateKey },
  });
  await transport.verify();
});
afterAll(async () => {
  await transport?.close();
  await server?.stop();
});
afterEach(() => server.reset());

describe('SMTP transport', () => {
  it('delivers with Message-ID, threading, one-click unsubscribe and the .ics invitation', async () => {
    const first = messageIdFor('request-email:evt-0', DOMAIN);
    const ics = buildIcs({
      uid: `m1@${DOMAIN}`,
      sequence: 0,
      method: 'REQUEST',
      start: '2026-12-01T10:00:00-05:00',
      minutes: 20,
      timezone: 'America/New_York',
      summary: 'Informational interview',
      description: 'Twenty minutes, as agreed.',
      organizer: { name: 'Ann Seeker', email: 'ann@seeker.example' },
      attendee: { name: 'Bob Contact', email: 'bob@acme.example' },
      now: '2026-11-20T00:00:00Z',
    });
    const message = mail({
      inReplyTo: first,
      references: [first],
      unsubscribeUrl: 'https://outreach.example/u/u1.abc.def',
      ics: { content: ics, method: 'REQUEST' },
    });
    const result = await transport.send(message);
    expect(result.messageId).toBe(message.messageId);
    expect(result.accepted).toEqual(['bob@acme.example']);
    expect(result.response).toMatch(/^250 /);

    const [received] = await server.waitFor(1);
    const parsed = received!.parsed;
    expect(received!.envelope).toEqual({ from: 'ann@seeker.example', to: ['bob@acme.example'] });
    expect(parsed.messageId).toBe(message.messageId);
    expect(parsed.inReplyTo).toBe(first);
    expect(parsed.references).toBe(first);
    expect(header(parsed, 'list-unsubscribe')).toBe('List-Unsubscribe: <https://outreach.example/u/u1.abc.def>');
    expect(header(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const invite = parsed.attachments.find((a) => a.contentType === 'text/calendar');
    expect(invite?.content.toString('utf8')).toBe(ics);
    expect(received!.raw.toString('utf8')).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
    expect(parsed.text).toContain('Thank you for taking the time');
  });

  it('signs with DKIM so that mailauth verifies it, covering the unsubscribe headers', async () => {
    await transport.send(mail({ unsubscribeUrl: 'https://outreach.example/u/u1.abc.def' }));
    const [received] = await server.waitFor(1);
    const verdict = await dkimVerify(received!.raw, { resolver });
    expect(verdict.results).toHaveLength(1);
    const result = verdict.results[0]!;
    expect(result.status.result).toBe('pass');
    expect(result.signingDomain).toBe(DOMAIN);
    expect(result.selector).toBe(SELECTOR);
    const signature =
      received!.raw
        .toString('utf8')
        .match(/DKIM-Signature:[^]*?\r\n(?=\S)/)?.[0]
        .replace(/\r\n\s+/g, '') ?? '';
    const signed =
      signature
        .match(/\bh=([^;]+)/)?.[1]
        ?.toLowerCase()
        .split(':') ?? [];
    expect(signed).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
  });

  it('a message altered after signing does not pass DKIM (the check is real)', async () => {
    await transport.send(mail());
    const [received] = await server.waitFor(1);
    const raw = received!.raw.toString('utf8');
    const header = await dkimVerify(Buffer.from(raw.replace(/^Subject: .*$/m, 'Subject: Pay this invoice')), { resolver });
    expect(header.results[0]!.status.result).toBe('fail');
    // mailauth reports a body-hash mismatch as "neutral" (body hash did not verify), never "pass"
    const body = await dkimVerify(Buffer.from(raw.replace('Thank you for taking', 'Thank you for wasting')), { resolver });
    expect(body.results[0]!.status.result).not.toBe('pass');
  });

  it('reuses pooled connections across a batch', async () => {
    const before = server.connectionCount;
    await Promise.all(Array.from({ length: 30 }, () => transport.send(mail())));
    await server.waitFor(30);
    expect(server.connectionCount - before).toBeLessThanOrEqual(2);
  });

  it('a 451 reply is transient, and the same message goes through once the server recovers', async () => {
    server.failNext(2, 451);
    const message = mail();
    for (let i = 0; i < 2; i++) {
      const verdict = classifySendError(await failure(transport.send(message)));
      expect(verdict).toMatchObject({ kind: 'transient', code: 451 });
    }
    await transport.send(message);
    const received = await server.waitFor(1);
    expect(received.map((r) => r.parsed.messageId)).toEqual([message.messageId]);
  });

  it('a 421 reply is transient', async () => {
    server.failNext(1, 421);
    expect(classifySendError(await failure(transport.send(mail())))).toMatchObject({ kind: 'transient', code: 421 });
  });

  it('a 550 after DATA is permanent, with its code and reply', async () => {
    server.failNext(1, 550, { message: 'No such user here' });
    const verdict = classifySendError(await failure(transport.send(mail())));
    expect(verdict).toMatchObject({ kind: 'permanent', code: 550 });
    expect(verdict.reason).toContain('No such user here');
    expect(server.messages).toHaveLength(0);
  });

  it('a 550 to RCPT TO is permanent and says which command', async () => {
    server.failNext(1, 550, { stage: 'rcpt', message: 'Mailbox unavailable' });
    const verdict = classifySendError(await failure(transport.send(mail())));
    expect(verdict).toMatchObject({ kind: 'permanent', code: 550 });
    expect(verdict.command).toMatch(/^RCPT/);
  });

  it('a 550 to MAIL FROM refuses our sender, not the contact: transient, never a bounce', async () => {
    server.failNext(1, 550, { stage: 'mail', message: 'Sender address rejected' });
    const verdict = classifySendError(await failure(transport.send(mail())));
    expect(verdict).toMatchObject({ kind: 'transient', code: 550 });
    expect(verdict.command).toMatch(/^MAIL/);
  });

  it('a 452 to RCPT TO is transient', async () => {
    server.failNext(1, 452, { stage: 'rcpt', message: 'Too many recipients, try later' });
    expect(classifySendError(await failure(transport.send(mail())))).toMatchObject({ kind: 'transient', code: 452 });
  });

  it('a connection dropped mid-DATA fails the send as transient, delivers nothing, and the pool recovers', async () => {
    // nodemailer's pool requeues (maxRequeues) only a connection that closes without an error;
    // a socket cut mid-DATA reaches the caller as ECONNECTION, and the queue's retry takes over.
    server.dropNext(1);
    const message = mail();
    const verdict = classifySendError(await failure(transport.send(message)));
    expect(verdict.kind).toBe('transient');
    expect(verdict.reason).toMatch(/^ECONNECTION/);
    expect(server.messages).toHaveLength(0);
    await transport.send(message);
    const received = await server.waitFor(1);
    expect(received.map((r) => r.parsed.messageId)).toEqual([message.messageId]);
  });

  it('a refused connection is transient', async () => {
    const gone = await startSmtpServer();
    const url = gone.url;
    await gone.stop();
    const dead = createMailTransport({ kind: 'smtp', url, maxRequeues: 0, timeouts: { connectionMs: 2_000 } });
    try {
      const verdict = classifySendError(await failure(dead.send(mail())));
      expect(verdict.kind).toBe('transient');
      expect(verdict.reason).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    } finally {
      await dead.close();
    }
  });
});

describe('SMTP transport with authentication', () => {
  it('logs in with the URL credentials, and a wrong password is a transient config problem, not a bounce', async () => {
    const authed = await startSmtpServer({ auth: { user: 'mailer', pass: 's3cret' } });
    const good = createMailTransport({ kind: 'smtp', url: authed.url, pool: { maxConnections: 1 } });
    const bad = createMailTransport({ kind: 'smtp', url: authed.url.replace('s3cret', 'wrong'), pool: { maxConnections: 1 }, maxRequeues: 0 });
    try {
      await good.send(mail());
      const [received] = await authed.waitFor(1);
      expect(received!.user).toBe('mailer');
      expect(good.description).not.toContain('s3cret');
      const verdict = classifySendError(await failure(bad.send(mail())));
      expect(verdict).toMatchObject({ kind: 'transient', code: 535 });
      await expect(bad.verify()).rejects.toThrow();
    } finally {
      await good.close();
      await bad.close();
      await authed.stop();
    }
  });
});
