import { invalid } from '../domain/errors.ts';

/**
 * The period a coach or a seeker looks at: from (included) to (excluded), both UTC instants in the
 * stored form, either one open. Every figure of the dashboard is counted inside it.
 */
export type Range = { from?: string | undefined; to?: string | undefined };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const DAY = 86_400_000;

/**
 * One end of a range as a person gives it: a day (`2026-11-02`, the whole day in UTC, so `to` a day
 * includes that day) or an ISO 8601 date-time with its offset.
 */
export function rangeEnd(field: 'from' | 'to', value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !(DATE.test(value) || DATE_TIME.test(value)))
    throw invalid(field, 'must be a day (YYYY-MM-DD) or an ISO 8601 date-time with an offset');
  const ms = Date.parse(DATE.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms) || (DATE.test(value) && new Date(ms).toISOString().slice(0, 10) !== value)) throw invalid(field, `${value} is not a date that exists`);
  return new Date(field === 'to' && DATE.test(value) ? ms + DAY : ms).toISOString();
}

export function parseRange(query: { from?: unknown; to?: unknown }): Range {
  const from = rangeEnd('from', query.from);
  const to = rangeEnd('to', query.to);
  if (from !== undefined && to !== undefined && from >= to) throw invalid('to', 'must come after from');
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export const isOpen = (r: Range | undefined) => r === undefined || (r.from === undefined && r.to === undefined);

/** The SQL condition "column inside the range" (NULL never is), with @from and @to bound by `rangeParams`. */
export const within = (column: string) => `(${column} IS NOT NULL AND (@from IS NULL OR ${column} >= @from) AND (@to IS NULL OR ${column} < @to))`;

export const rangeParams = (r: Range | undefined) => ({ from: r?.from ?? null, to: r?.to ?? null });

/** Whether an instant (as text, any ISO form) falls inside the range. */
export function inRange(r: Range | undefined, at: string | null | undefined): boolean {
  if (isOpen(r)) return true;
  if (!at) return false;
  const t = new Date(at).toISOString();
  return (r!.from === undefined || t >= r!.from) && (r!.to === undefined || t < r!.to);
}
