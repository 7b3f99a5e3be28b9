/** "1 meeting", "2 meetings". */
export const counted = (n: number, noun: string, plural = `${noun}s`) => `${n} ${n === 1 ? noun : plural}`;

/** An instant as a person reads it, in a zone: "Mon 23 Nov 2026, 10:26". */
export function when(iso: string | null | undefined, zone: string): string {
  if (!iso) return '–';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(at)
      .replace(/ at /, ', ');
  } catch {
    return iso;
  }
}

export { durationInWords } from '../domain/duration-words.ts';

/** A table for a terminal: columns padded to their widest cell, long cells cut. */
export function table(header: string[], rows: string[][], max = 40): string {
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const cells = [header, ...rows].map((r) => r.map((c) => cut(c ?? '')));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The part of an id a person types: its last 8 characters. Ids are UUIDv7, whose first characters
 * are the time they were made, so ids made together begin alike and end apart.
 */
export const shortId = (id: string | null | undefined) => (id ? id.slice(-8) : '–');
