import { describe, expect, it } from 'vitest';
import { isOutreachError } from '../../../src/domain/errors.ts';
import { mailConfigFrom } from '../../../src/infra/mail/config.ts';
import { imapConfigFrom, mailboxConfigFrom } from '../../../src/infra/mailbox/config.ts';

const fails = (fn: () => unknown, variable: string, pattern?: RegExp) => {
  try {
    fn();
  } catch (e) {
    expect(isOutreachError(e, 'config')).toBe(true);
    expect((e as { field?: string }).field).toBe(variable);
    if (pattern) expect((e as Error).message).toMatch(pattern);
    expect((e as Error).message).not.toContain('hunter2');
    return;
  }
  throw new Error(`expected a config error naming ${variable}`);
};

describe('IMAP_URL and MAIL_TRANSPORT', () => {
  it('reads imaps:// with URL-encoded credentials, port 993 by default, and masks the password in its description', () => {
    const c = imapConfigFrom('imaps://sam%40example.com:hunter2%3Ax@imap.example.com');
    expect(c).toMatchObject({ host: 'imap.example.com', port: 993, secure: true, user: 'sam@example.com', pass: 'hunter2:x', rejectUnauthorized: true });
    expect(c.description).toBe('imaps://sam%40example.com:***@imap.example.com');
  });

  it('imap:// is port 143 (STARTTLS when offered); IMAP_TLS_REJECT_UNAUTHORIZED=false accepts a self-signed certificate', () => {
    expect(imapConfigFrom('imap://u:hunter2@127.0.0.1:1143', { IMAP_TLS_REJECT_UNAUTHORIZED: 'false' })).toMatchObject({
      port: 1143,
      secure: false,
      rejectUnauthorized: false,
    });
    expect(imapConfigFrom('imap://u:hunter2@mail.example')).toMatchObject({ port: 143 });
  });

  it('a wrong scheme, no credentials or no URL at all is one error naming IMAP_URL, never echoing the password', () => {
    fails(() => imapConfigFrom('pop3://u:hunter2@mail.example'), 'IMAP_URL', /imap:\/\/ or imaps:\/\//);
    fails(() => imapConfigFrom('imaps://mail.example'), 'IMAP_URL', /user and the password/);
    fails(() => imapConfigFrom('not a url hunter2'), 'IMAP_URL');
  });

  it('MAIL_TRANSPORT defaults to smtp when SMTP_URL is set, else outbox', () => {
    expect(mailboxConfigFrom({}).transport).toBe('outbox');
    expect(mailboxConfigFrom({ SMTP_URL: 'smtp://h:25' }).transport).toBe('smtp');
    expect(mailboxConfigFrom({ SMTP_URL: 'smtp://h:25', MAIL_TRANSPORT: 'outbox' }).transport).toBe('outbox');
  });

  it('MAIL_TRANSPORT=outbox keeps mail in the folder even with SMTP_URL set; smtp without SMTP_URL and unknown values are refused', () => {
    expect(mailConfigFrom({ SMTP_URL: 'smtp://h:25', MAIL_TRANSPORT: 'outbox' }, '/data').transport).toEqual({ kind: 'outbox', dir: '/data/outbox' });
    fails(() => mailConfigFrom({ MAIL_TRANSPORT: 'smtp' }, '/data'), 'SMTP_URL', /MAIL_TRANSPORT=smtp/);
    fails(() => mailConfigFrom({ MAIL_TRANSPORT: 'pigeon' }, '/data'), 'MAIL_TRANSPORT', /outbox, smtp or gmail/);
    fails(() => mailboxConfigFrom({ MAIL_TRANSPORT: 'pigeon' }), 'MAIL_TRANSPORT');
  });

  it('IMAP_POLL_MS is a whole number of milliseconds', () => {
    expect(mailboxConfigFrom({ IMAP_POLL_MS: '5000' }).pollMs).toBe(5000);
    fails(() => mailboxConfigFrom({ IMAP_POLL_MS: 'soon' }), 'IMAP_POLL_MS');
  });
});
