import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOutreachError } from '../../../src/domain/errors.ts';
import { describeTransport, mailConfigFrom } from '../../../src/infra/mail/config.ts';
import { classifySendError } from '../../../src/infra/mail/errors.ts';

const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const dir = mkdtempSync(join(tmpdir(), 'outreach-mailconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fails = (env: Record<string, string>, variable: string, pattern?: RegExp) => {
  try {
    mailConfigFrom(env, '/data');
  } catch (e) {
    expect(isOutreachError(e, 'config')).toBe(true);
    expect((e as { field?: string }).field).toBe(variable);
    expect((e as Error).message.startsWith(`${variable}:`)).toBe(true);
    if (pattern) expect((e as Error).message).toMatch(pattern);
    return e as Error;
  }
  throw new Error(`expected a config error naming ${variable}`);
};

describe('mailConfigFrom', () => {
  it('defaults to the outbox folder under the data dir', () => {
    expect(mailConfigFrom({}, '/data')).toEqual({ transport: { kind: 'outbox', dir: '/data/outbox' }, publicUrl: undefined, messageDomain: undefined });
  });

  it('reads SMTP with pool size, TLS verification and the public URL and message domain', () => {
    const config = mailConfigFrom(
      {
        SMTP_URL: 'smtps://mailer:s3cr%2Ft@smtp.example.com:465',
        SMTP_POOL_SIZE: '8',
        SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
        OUTREACH_PUBLIC_URL: 'https://outreach.example/',
        OUTREACH_MESSAGE_DOMAIN: 'Seeker.Example',
      },
      '/data',
    );
    expect(config).toEqual({
      transport: {
        kind: 'smtp',
        url: 'smtps://mailer:s3cr%2Ft@smtp.example.com:465',
        pool: { maxConnections: 8 },
        maxRequeues: 2,
        tls: { rejectUnauthorized: false },
      },
      publicUrl: 'https://outreach.example',
      messageDomain: 'seeker.example',
    });
  });

  it('reads DKIM from an inline key (with literal \\n) or from a file', () => {
    const inline = mailConfigFrom({ DKIM_DOMAIN: 'seeker.example', DKIM_SELECTOR: 'out1', DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }, '/data');
    expect(inline.transport.dkim).toEqual({ domainName: 'seeker.example', keySelector: 'out1', privateKey: pem });
    const file = join(dir, 'dkim.pem');
    writeFileSync(file, pem);
    const fromFile = mailConfigFrom(
      { SMTP_URL: 'smtp://127.0.0.1:2525', DKIM_DOMAIN: 'seeker.example', DKIM_SELECTOR: 'out1', DKIM_PRIVATE_KEY_FILE: file },
      '/data',
    );
    expect(fromFile.transport.dkim?.privateKey).toBe(pem);
  });

  it('names the variable to fix', () => {
    fails({ SMTP_URL: 'http://smtp.example.com' }, 'SMTP_URL', /smtp:\/\/ or smtps:\/\//);
    fails({ SMTP_URL: 'not a url' }, 'SMTP_URL');
    fails({ SMTP_URL: 'smtp://h', SMTP_POOL_SIZE: 'five' }, 'SMTP_POOL_SIZE');
    fails({ SMTP_URL: 'smtp://h', SMTP_POOL_SIZE: '0' }, 'SMTP_POOL_SIZE');
    fails({ SMTP_URL: 'smtp://h', SMTP_TLS_REJECT_UNAUTHORIZED: 'maybe' }, 'SMTP_TLS_REJECT_UNAUTHORIZED');
    fails({ DKIM_DOMAIN: 'seeker.example' }, 'DKIM_SELECTOR', /missing DKIM_SELECTOR, DKIM_PRIVATE_KEY/);
    fails({ DKIM_DOMAIN: 'seeker.example', DKIM_SELECTOR: 's' }, 'DKIM_PRIVATE_KEY');
    fails({ DKIM_DOMAIN: 'seeker.example', DKIM_SELECTOR: 's', DKIM_PRIVATE_KEY_FILE: join(dir, 'absent.pem') }, 'DKIM_PRIVATE_KEY_FILE', /cannot read/);
    fails({ DKIM_DOMAIN: 'seeker.example', DKIM_SELECTOR: 's', DKIM_PRIVATE_KEY: pem, DKIM_PRIVATE_KEY_FILE: '/x' }, 'DKIM_PRIVATE_KEY', /not both/);
    fails({ OUTREACH_PUBLIC_URL: 'http://outreach.example' }, 'OUTREACH_PUBLIC_URL', /https/);
    fails({ OUTREACH_MESSAGE_DOMAIN: 'not a domain' }, 'OUTREACH_MESSAGE_DOMAIN');
  });

  it('never echoes a private key that does not parse', () => {
    const error = fails(
      { DKIM_DOMAIN: 'seeker.example', DKIM_SELECTOR: 's', DKIM_PRIVATE_KEY: 'TOPSECRET-not-a-pem' },
      'DKIM_PRIVATE_KEY',
      /not a PEM private key/,
    );
    expect(error.message).not.toContain('TOPSECRET');
  });
});

describe('describeTransport', () => {
  it('masks the SMTP password and secret query parameters', () => {
    const text = describeTransport({ kind: 'smtp', url: 'smtp://mailer:hunter2@smtp.example.com:587?token=abc&pool=true', pool: { maxConnections: 3 } });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abc');
    expect(text).toContain('mailer:***@smtp.example.com:587');
    expect(text).toContain('pool 3');
    expect(describeTransport({ kind: 'outbox', dir: '/data/outbox' })).toBe('outbox /data/outbox');
  });

  it('keeps the DKIM key out of the description', () => {
    const text = describeTransport({ kind: 'outbox', dir: '/d', dkim: { domainName: 'seeker.example', keySelector: 's1', privateKey: pem } });
    expect(text).toBe('outbox /d, DKIM d=seeker.example s=s1');
  });
});

describe('classifySendError', () => {
  // Shapes nodemailer gives; the integration tests get the same from a real server.
  it('5xx to RCPT or DATA is permanent with its code', () => {
    expect(
      classifySendError(
        Object.assign(new Error('Message failed: 550 mailbox unavailable'), {
          code: 'EMESSAGE',
          responseCode: 550,
          command: 'DATA',
          response: '550 mailbox unavailable',
        }),
      ),
    ).toEqual({ kind: 'permanent', code: 550, command: 'DATA', reason: '550 mailbox unavailable' });
    expect(classifySendError({ code: 'EENVELOPE', responseCode: 553, command: 'RCPT TO', message: 'Recipient command failed' }).kind).toBe('permanent');
  });

  it('4xx and 503 are transient', () => {
    expect(classifySendError({ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', message: 'try later' })).toMatchObject({
      kind: 'transient',
      code: 451,
    });
    expect(classifySendError({ code: 'EPROTOCOL', responseCode: 503, command: 'DATA' }).kind).toBe('transient');
  });

  it('a 5xx to AUTH or EHLO is a session problem, not a bounce', () => {
    expect(classifySendError({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN', response: '535 Authentication failed' })).toMatchObject({
      kind: 'transient',
      code: 535,
      reason: expect.stringMatching(/SMTP_URL/),
    });
  });

  it('connection-level errors are transient', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ESOCKET', 'ECONNECTION', 'EDNS', 'ETLS']) {
      expect(classifySendError(Object.assign(new Error('boom'), { code })).kind, code).toBe('transient');
    }
  });

  it('anything unknown is transient, so it ends in EmailFailed rather than a false bounce', () => {
    expect(classifySendError(new Error('something odd')).kind).toBe('transient');
    expect(classifySendError('a string').kind).toBe('transient');
    expect(classifySendError(undefined).kind).toBe('transient');
  });
});
