import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mailParser, parseInbound } from '../../../src/infra/mailbox/parse-inbound.ts';
import { decodeWords } from '../../../src/infra/mailbox/parse-headers.ts';

const DIR = 'tests/fixtures/inbound';
const files = readdirSync(DIR).filter((f) => f.endsWith('.eml'));

describe('the headers read without mailparser', () => {
  it.each(files)('%s: the same as the whole message parsed by mailparser', async (file) => {
    const raw = readFileSync(join(DIR, file));
    expect(await mailParser.headers(raw)).toEqual((await parseInbound(raw)).headers);
  });

  it.each(files)('%s: the whole message as the reader parses it is what mailparser gives', async (file) => {
    const raw = readFileSync(join(DIR, file));
    expect(await mailParser.message(raw)).toEqual(await parseInbound(raw));
  });

  it.each([
    [
      'base64, UTF-8',
      'Content-Transfer-Encoding: base64',
      Buffer.from('Très bien, jeudi à 15 h.\r\n\r\nOn Mon, 7 Dec 2026 at 09:00, Sam <sam@example.com> wrote:\r\n> hi\r\n').toString('base64'),
    ],
    ['8bit, UTF-8', 'Content-Transfer-Encoding: 8bit', 'Gern, Donnerstag um 15 Uhr passt.\r\n-- \r\nJürgen'],
    ['no encoding named', '', 'Please remove me from your list.\r\n'],
  ])('a single text/plain part (%s) reads as mailparser reads it', async (_what, cte, body) => {
    const raw = Buffer.from(
      `From: Jürgen <j@example.org>\r\nTo: sam@example.com\r\nSubject: Re: =?UTF-8?Q?Caf=C3=A9?=\r\nMessage-ID: <x1@example.org>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n${cte ? `${cte}\r\n` : ''}\r\n${body}`,
    );
    expect(await mailParser.message(raw)).toEqual(await parseInbound(raw));
  });

  it('a header block read from the header fetch is not parsed again with the whole message', async () => {
    const head =
      'From: Priya <priya@contoso.example>\r\nTo: sam@example.com\r\nSubject: Re: a question\r\nMessage-ID: <once@contoso.example>\r\nContent-Type: text/plain; charset=utf-8\r\n';
    const headers = await mailParser.headers(Buffer.from(`${head}\r\n`));
    const message = await mailParser.message(Buffer.from(`${head}\r\nHappy to talk.\r\n`));
    expect(message.headers).toBe(headers);
    expect(message.newText).toBe('Happy to talk.');
    // Another block (one header changed) is its own.
    const other = await mailParser.message(Buffer.from(`${head.replace('once@', 'twice@')}\r\nHappy to talk.\r\n`));
    expect(other.headers.messageId).toBe('<twice@contoso.example>');
  });

  it('decodes RFC 2047 words in B and Q, joining adjacent ones', () => {
    expect(decodeWords('=?UTF-8?Q?R=C3=A9ponse_automatique?= =?UTF-8?B?OiBhYnNlbnQ=?=')).toBe('Réponse automatique: absent');
    expect(decodeWords('=?iso-8859-1?q?Abwesenheitsnotiz_f=FCr?= Max')).toBe('Abwesenheitsnotiz für Max');
  });
});
