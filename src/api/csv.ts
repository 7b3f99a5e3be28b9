import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../domain/errors.ts';

/**
 * Lists as CSV (RFC 4180) for a spreadsheet. A cell a spreadsheet would run as a formula (starting
 * with = + - @, or a tab or carriage return that some strip first) is written with a leading
 * apostrophe: a contact's name or a note comes from other people and must not become a formula
 * on the coach's machine (OWASP "CSV injection").
 */

const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) text = value.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))).join('; ');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The columns: every key of the rows, in the order they first appear. */
export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [cols.map(csvCell).join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** `?format=csv`, or an Accept header asking for text/csv (and `?format=json` to insist on JSON). */
export function wantsCsv(request: FastifyRequest): boolean {
  const format = (request.query as Record<string, unknown> | undefined)?.['format'];
  if (format !== undefined && format !== 'csv' && format !== 'json') throw invalid('format', 'must be csv or json');
  if (format !== undefined) return format === 'csv';
  const accept = String(request.headers.accept ?? '').toLowerCase();
  return /(^|,)\s*text\/csv\s*(;|,|$)/.test(accept) && !/(^|,)\s*application\/json/.test(accept);
}

export const formatQuery = { type: 'string', enum: ['json', 'csv'], description: 'csv: the rows as CSV (as `Accept: text/csv` does)' } as const;

export function sendCsv(reply: FastifyReply, name: string, rows: Record<string, unknown>[]) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name.replace(/[^a-z0-9-]/gi, '_')}.csv"`)
    .header('cache-control', 'no-store')
    .send(toCsv(rows));
}
