import { describe, expect, it } from 'vitest';
import { bodyText, headerText, tag, url } from '../../../src/domain/values.ts';

const accepts = (schema: { safeParse(v: unknown): { success: boolean } }, v: string) => expect(schema.safeParse(v).success, JSON.stringify(v)).toBe(true);
const refuses = (schema: { safeParse(v: unknown): { success: boolean } }, v: string) => expect(schema.safeParse(v).success, JSON.stringify(v)).toBe(false);
const name = headerText(120);

describe('text that reaches a header', () => {
  it('names in any script, with accents, apostrophes, hyphens and brackets, are accepted', () => {
    for (const v of ['Ünïcödé, Jr.', 'José Núñez', "Siobhán O'Brien-Smith", 'Zoë (she/her)', '李小龙', "Ngũgĩ wa Thiong'o"]) accepts(name, v);
  });

  it('an RFC 2047 encoded word is refused: a mail client would decode it into a line break', () => {
    refuses(name, '=?UTF-8?Q?Eve=0D=0ABcc:_x@evil.example?=');
    refuses(name, 'Eve =?utf-8?b?RXZlDQpCY2M6IHhAZXZpbC5leGFtcGxl?=');
  });

  it('an address in angle brackets is refused: it would make a second address', () => {
    refuses(name, '"Ünïcödé, Jr." <x@y.example>');
  });

  it('C0 and C1 control characters and DEL are refused', () => {
    for (const v of ['a\u0000b', 'a\u000bb', 'a\u001bb', 'a\u007fb', 'a\u0085b', 'a\u009bb']) refuses(name, v);
  });

  it('line and paragraph separators, bidi overrides and zero-width characters are refused', () => {
    for (const v of ['a\u2028b', 'a\u2029b', 'evil\u202Etxt.exe', 'a\u200Bb', 'a\uFEFFb']) refuses(name, v);
  });

  it('a tab or an odd-width space is refused; the ordinary space is fine', () => {
    refuses(name, 'a\tb');
    refuses(name, 'a\u00A0b');
    accepts(name, 'a b');
  });
});

describe('text that stays in a body', () => {
  it('line breaks and tabs are kept', () => accepts(bodyText(), 'first line\nsecond\tline'));

  it('NUL and other control characters are refused', () => {
    refuses(bodyText(), 'nul\u0000');
    refuses(bodyText(), 'escape\u001b[31m');
  });
});

describe('tags and links', () => {
  it('a tag with a control character is refused', () => refuses(tag, 'fintech\u0000'));

  it('a link is http or https only', () => {
    accepts(url, 'https://meet.example/abc');
    accepts(url, 'http://intranet.example/room');
    for (const v of ['javascript:alert(1)//', 'data:text/html,<b>x</b>', 'ftp://files.example/x', 'file:///etc/passwd']) refuses(url, v);
  });
});
