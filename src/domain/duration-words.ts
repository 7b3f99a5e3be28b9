import { Duration } from 'luxon';

const UNITS: [keyof Duration & string, string, RegExp][] = [
  ['years', 'year', /^(y|yrs?|years?)$/],
  ['months', 'month', /^(mo|mos|months?)$/],
  ['weeks', 'week', /^(w|wks?|weeks?)$/],
  ['days', 'day', /^(d|days?)$/],
  ['hours', 'hour', /^(h|hrs?|hours?)$/],
  ['minutes', 'minute', /^(m|mins?|minutes?)$/],
  ['seconds', 'second', /^(s|secs?|seconds?)$/],
];

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** An ISO 8601 duration in words: "PT2H" → "2 hours", "P6W" → "6 weeks", "P1DT12H" → "1 day 12 hours". */
export function durationInWords(iso: string): string {
  const d = Duration.fromISO(iso);
  if (!d.isValid) return iso;
  const words = UNITS.map(([key, unit]) => [d.get(key as Parameters<Duration['get']>[0]), unit] as const)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => plural(n, unit));
  return words.length ? words.join(' ') : iso;
}

/**
 * A duration a person typed, as ISO 8601: "2 hours", "2h", "6 weeks", "1 day 12 hours", "90 min".
 * Text that is not such words (an ISO duration already, or a typo) comes back unchanged for the
 * schema to accept or refuse.
 */
export function durationFromWords(text: string): string {
  const parts = [
    ...text
      .trim()
      .toLowerCase()
      .matchAll(/(\d+)\s*([a-z]+)/g),
  ];
  const rest = text
    .trim()
    .toLowerCase()
    .replace(/(\d+)\s*([a-z]+)/g, '')
    .replace(/\b(and)\b|[,\s]/g, '');
  if (!parts.length || rest) return text;
  const values: Record<string, number> = {};
  for (const [, n, word] of parts) {
    const unit = UNITS.find(([, , pattern]) => pattern.test(word!));
    if (!unit) return text;
    values[unit[0]] = (values[unit[0]] ?? 0) + Number(n);
  }
  return Duration.fromObject(values).toISO() ?? text;
}

export const isPositiveDuration = (iso: string) => {
  const d = Duration.fromISO(iso);
  return d.isValid && d.toMillis() > 0;
};
