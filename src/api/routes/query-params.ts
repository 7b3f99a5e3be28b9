import type { FastifyRequest } from 'fastify';
import { invalid } from '../../domain/errors.ts';
import { levels } from '../../domain/values.ts';
import type { ContactFilter } from '../../read-models/projections/contact-search.ts';

/** The query parameters that narrow a list of contacts, documented and checked alike. */
const STATUSES = ['active', 'opted_out', 'forgotten'] as const;
const TEXT_MAX = 200;

export const contactFilterQuery = {
  search: { type: 'string', maxLength: TEXT_MAX, description: 'text in the name, organisation, role or email' },
  status: { type: 'string', enum: [...STATUSES] },
  tag: { type: 'string', maxLength: TEXT_MAX },
  org: { type: 'string', maxLength: TEXT_MAX, description: 'text in the organisation' },
  level: { type: 'string', enum: [...levels] },
  target: { type: 'string', maxLength: TEXT_MAX, description: 'a career target (case-insensitive)' },
} as const;

const DATE_OR_TIME = 'a day (YYYY-MM-DD, the whole day in UTC) or an ISO 8601 date-time with an offset';
/** A day that exists, or a date-time with seconds and an offset (the server also takes one without seconds). */
const RANGE_END = {
  type: 'string',
  maxLength: 40,
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])(T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?(Z|[+-]([01]\\d|2[0-3]):?[0-5]\\d))?$',
  anyOf: [{ format: 'date' }, { format: 'date-time' }],
} as const;
export const rangeQuery = {
  from: { ...RANGE_END, description: `count from this moment: ${DATE_OR_TIME}` },
  to: { ...RANGE_END, description: `count up to this moment (a day: to its end), after \`from\`: ${DATE_OR_TIME}` },
} as const;

function text(request: FastifyRequest, field: keyof typeof contactFilterQuery): string | undefined {
  const v = (request.query as Record<string, unknown> | undefined)?.[field];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(field, 'must be given once');
  if (v.length > TEXT_MAX) throw invalid(field, `must be at most ${TEXT_MAX} characters`);
  return v.trim() || undefined;
}

export function contactFilterOf(request: FastifyRequest): ContactFilter {
  const status = text(request, 'status')?.toLowerCase();
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw invalid('status', `must be one of ${STATUSES.join(', ')}`);
  const level = text(request, 'level')?.toLowerCase();
  if (level !== undefined && !(levels as readonly string[]).includes(level)) throw invalid('level', `must be one of ${levels.join(', ')}`);
  return { search: text(request, 'search'), status, tag: text(request, 'tag'), org: text(request, 'org'), level, target: text(request, 'target') };
}
