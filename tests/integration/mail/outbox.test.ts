import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth';
import { derivedId } from '../../../src/app/ids.ts';
import { isOutreachError } from '../../../src/domain/errors.ts';
import { buildIcs } from '../../../src/infra/mail/ics.ts';
import { buildMail, messageIdFor } from '../../../src/infra/mail/message.ts';
import { createMailTransport, outboxFileName } from '../../../src/infra/mail/transport.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-outbox-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ics = buildIcs({
  uid: 'm1@seeker.example',
  sequence: 0,
  method: 'REQUEST',
  start: '2026-12-01T10:00:00-05:00',
  minutes: 20,
  timezone: 'America/New_York',
  summary: 'Informational interview',
  description: 'Twenty minutes',
  organizer: { name: 'Ann', email: 'ann@seeker.example' },
  attendee: { name: 'Bob', email: 'bob@acme.example' },
  now: '2026-11-20T00:00:00Z',
});

const message = (key: string, text = 'Thank you for your time.\n') =>
  buildMail({
    from: { name: 'Ann Seeker', email: 'ann@seeker.example' },
    to: { name: 'Bob Contact', email: 'bob@acme.example' },
    subject: 'Confirmed: Tuesday 1 December 2026, 10:00',
    text,
    html: `<p>${text}</p>`,
    messageId: messageIdFor(key, 'seeker.example'),
    unsubscribeUrl: 'https://outreach.example/u/u1.abc.def',
    ics: { content: ics, method: 'REQUEST' },
  });

describe('outbox transport', () => {
  it('writes a real, parseable .eml named after the Message-ID', async () => {
    const dir = join(tempDir(), 'outbox');
    const outbox = createMailTransport({ kind: 'outbox', dir });
    const mail = message('booking-confirmation:evt-1');
    const result = await outbox.send(mail);
    const name = `${derivedId('booking-confirmation:evt-1')}@seeker.example.eml`;
    expect(result).toMatchObject({ messageId: mail.messageId, accepted: ['bob@acme.example'], file: join(dir, name) });
    expect(readdirSync(dir)).toEqual([name]);

    const raw = readFileSync(join(dir, name));
    expect(raw.toString('utf8').replace(/\r\n/g, '')).not.toMatch(/\n/); // CRLF throughout, as on the wire
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe(mail.messageId);
    expect(parsed.subject).toBe('Confirmed: Tuesday 1 December 2026, 10:00');
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(parsed.attachments.find((a) => a.contentType === 'text/calendar')?.content.toString('utf8')).toBe(ics);
  });

  it('a re-send of the same message overwrites its file instead of adding one', async () => {
    const dir = tempDir();
    const outbox = createMailTransport({ kind: 'outbox', dir });
    await outbox.send(message('thank-you:evt-2', 'first attempt\n'));
    await outbox.send(message('thank-you:evt-2', 'second attempt\n'));
    await Promise.all([1, 2, 3, 4].map(() => outbox.send(message('thank-you:evt-2', 'concurrent attempt\n'))));
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const parsed = await simpleParser(readFileSync(join(dir, files[0]!)));
    expect(parsed.text).toBe('concurrent attempt\n');
    await outbox.send(message('thank-you:evt-3'));
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('leaves no temporary files behind', async () => {
    const dir = tempDir();
    const outbox = createMailTransport({ kind: 'outbox', dir });
    await Promise.all(Array.from({ length: 20 }, (_, i) => outbox.send(message(`nudge:evt-${i}`))));
    const files = readdirSync(dir);
    expect(files).toHaveLength(20);
    expect(files.every((f) => f.endsWith('.eml') && !f.startsWith('.'))).toBe(true);
  });

  it('signs with DKIM when configured', async () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = tempDir();
    const outbox = createMailTransport({
      kind: 'outbox',
      dir,
      dkim: { domainName: 'seeker.example', keySelector: 'box', privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    const { file } = await outbox.send(message('thank-you:evt-9'));
    const p = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const verdict = await dkimVerify(readFileSync(file!), {
      resolver: async (name: string) => {
        if (name === 'box._domainkey.seeker.example') return [[`v=DKIM1; k=rsa; p=${p}`]];
        throw Object.assign(new Error('no record'), { code: 'ENOTFOUND' });
      },
    });
    expect(verdict.results[0]!.status.result).toBe('pass');
  });

  it('verify() fails with a config error when the folder cannot be made', async () => {
    const blocker = join(tempDir(), 'a-file');
    writeFileSync(blocker, 'x');
    const outbox = createMailTransport({ kind: 'outbox', dir: join(blocker, 'outbox') });
    const error = await outbox.verify().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOutreachError(error, 'config')).toBe(true);
    expect((error as Error).message).toContain('is not writable');
  });

  it('makes safe file names of any Message-ID', () => {
    expect(outboxFileName('<abc@seeker.example>')).toBe('abc@seeker.example.eml');
    expect(outboxFileName('<../../etc/passwd@x>')).toBe('__.._etc_passwd@x.eml');
    expect(outboxFileName('<a/b\\c d@x>')).toBe('a_b_c_d@x.eml');
  });
});
