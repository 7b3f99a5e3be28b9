import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { invalid } from '../domain/errors.ts';

/**
 * Bodies are checked against the route's JSON Schema (the one the OpenAPI document shows) with no
 * type coercion: `true`, `"15"`, `[15]` or `null` where a number belongs is refused with 400 naming
 * the field, never read as 1, 15 or 0. The constraints themselves (patterns, ranges, enums) are then
 * checked by the command's zod schema, which says what is wrong in the CLI's words; the two agree
 * because the document is made from the zod schema. Query strings and paths are text: the routes
 * read their numbers with `queryInteger` (plain decimal digits, in range).
 */
const ajv = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: true, strict: false, validateFormats: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a JSON object',
  null: 'null',
};

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

const fieldOf = (e: ErrorObject) =>
  e.instancePath === ''
    ? 'body'
    : e.instancePath
        .slice(1)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .join('.');

function valueAt(data: unknown, path: string): unknown {
  let v = data;
  for (const p of path === '' ? [] : path.slice(1).split('/')) v = (v as Record<string, unknown> | undefined)?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}

export const bodyValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (httpPart !== 'body') return () => true;
  const validate = ajv.compile(schema as object);
  return (data: unknown) => {
    // No body at all (Fastify hands that over as null): a command whose only input is the id in its
    // path. A body that is JSON `null` is refused by the route (bodyObject), which can tell the two apart.
    if (data === undefined || data === null || validate(data)) return true;
    const wrongType = validate.errors?.find((e) => e.keyword === 'type');
    if (!wrongType) return true;
    const expected = String(wrongType.params['type'])
      .split(',')
      .map((t) => TYPE_WORDS[t] ?? t)
      .join(' or ');
    return { error: invalid(fieldOf(wrongType), `must be ${expected}, not ${jsonType(valueAt(data, wrongType.instancePath))}`) };
  };
};

/** The largest number a query parameter is read as: nine digits, well inside a safe integer. */
const DECIMAL = /^(0|[1-9][0-9]{0,8})$/;

/**
 * A whole number from the query string, written as plain decimal digits (no sign, no leading zero,
 * no 0x, no exponent, no fraction) and in range; the default when it is absent.
 */
export function queryInteger(request: FastifyRequest, name: string, range: { min: number; max: number; fallback: number }): number {
  const raw = (request.query as Record<string, unknown> | undefined)?.[name];
  if (raw === undefined) return range.fallback;
  if (typeof raw !== 'string' || !DECIMAL.test(raw)) throw invalid(name, `must be a whole number written in decimal digits, from ${range.min} to ${range.max}`);
  const n = Number(raw);
  if (n < range.min) throw invalid(name, `must be at least ${range.min}`);
  if (n > range.max) throw invalid(name, `must be at most ${range.max}`);
  return n;
}
