import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../../src/api/csv.ts';

describe('CSV export', () => {
  it('quotes a cell holding a comma, a quote or a line break, doubling the quotes', () => {
    expect(csvCell('Bello, Aisha')).toBe('"Bello, Aisha"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('writes a cell that a spreadsheet would run as a formula with a leading apostrophe', () => {
    for (const f of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(f).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
  });

  it('keeps numbers, including negative ones, as numbers; null as an empty cell; lists joined', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell(['a', 'b'])).toBe('a; b');
  });

  it('has a header of every key in the order first seen and CRLF line ends', () => {
    expect(toCsv([{ a: 1 }, { b: 'x', a: 2 }])).toBe('a,b\r\n1,\r\n2,x\r\n');
  });
});
