import { IANAZone } from 'luxon';
import { z } from 'zod';
import { addContactInput, bookMeetingInput, configureWorkspaceInput } from '../app/inputs.ts';
import { instant, isoDuration, phoneNumber, timezone, url, workspaceId } from '../domain/values.ts';

/**
 * The JSON Schema of a command's input for the OpenAPI document, stating every rule the zod schema
 * checks, so that a client generated from the document never sends a "valid" request the server
 * refuses. zod writes most of it; what it cannot see inside a refinement or a coercion (time zones,
 * durations, business hours and days, the date in an instant, the minutes a meeting may last, rules
 * that tie two fields together) is written here. Where the document is stricter than the server
 * (lower-case day names, durations of at most six digits per part) a client loses nothing.
 */
export type JsonSchema = Record<string, unknown>;

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** IANA zones this runtime knows (the server checks with luxon, which also takes aliases such as US/Eastern). */
export const ZONES = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].filter((zone) => IANAZone.isValidZone(zone)).sort();

/** As `instant` in src/domain/values.ts checks it; `format: date-time` adds the check that the day exists in its month. */
export const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T([01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?(Z|[+-](?:[01]\\d|2[0-3]):?[0-5]\\d)$';

/** A positive ISO 8601 duration such as PT2H, P5D or P6W: at least one part, and not all of them zero. */
export const DURATION_PATTERN =
  '^(?=.*[1-9])P(?!$)(?:\\d{1,6}Y)?(?:\\d{1,6}M)?(?:\\d{1,6}W)?(?:\\d{1,6}D)?(?:T(?=\\d)(?:\\d{1,6}H)?(?:\\d{1,6}M)?(?:\\d{1,6}S)?)?$';

/** Phone numbers as the server reads them after trimming: 4 to 30 of digits, spaces and + ( ) . / -. */
export const PHONE_PATTERN = '^(?! )(?!.* $)\\+?[0-9 ()./-]{4,30}$';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

/**
 * An http(s) link to a host name (letters, digits, hyphens; the last label starting with a letter,
 * since a URL parser reads a host ending in a number as an IPv4 address), an optional port, then
 * anything without spaces.
 */
export const LINK_PATTERN = `^https?://(?:${LABEL}\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?::[0-9]{1,4})?(?:[/?#]\\S*)?$`;

/** Workspace ids, as `workspaceId` in src/domain/values.ts has them. */
export const WORKSPACE_PATTERN = String((z.toJSONSchema(workspaceId) as JsonSchema)['pattern']);

/** Days such as mon-fri or mon,tue,thu: each part one day or a range that does not run backwards. */
export const BUSINESS_DAYS_PATTERN = (() => {
  const item = DAYS.map((d, i) => `${d}(?:-(?:${DAYS.slice(i).join('|')}))?`).join('|');
  return `^(?:${item})(?:,(?:${item}))*$`;
})();

const HOURS_FORMAT = '^([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-3]):[0-5]\\d$';

/**
 * HH:MM-HH:MM with the start before the end, compared digit by digit: the first digit that differs
 * is smaller in the start, and the digits before it are equal (back-references, one group per branch).
 */
export const BUSINESS_HOURS_ORDER = (() => {
  const alts = ['0\\d:\\d\\d-[12]\\d:\\d\\d', '1\\d:\\d\\d-2\\d:\\d\\d'];
  let group = 0;
  for (let d = 0; d <= 8; d++) alts.push(`(\\d)${d}:\\d\\d-\\${++group}[${d + 1}-9]:\\d\\d`);
  for (let d = 0; d <= 4; d++) alts.push(`(\\d\\d):${d}\\d-\\${++group}:[${d + 1}-5]\\d`);
  for (let d = 0; d <= 8; d++) alts.push(`(\\d\\d:\\d)${d}-\\${++group}[${d + 1}-9]`);
  return `^(?:${alts.join('|')})$`;
})();

type Def = { type: string; checks?: { _zod: { def: { check: string } } }[]; in?: z.ZodType; out?: z.ZodType; innerType?: z.ZodType };
const defOf = (s: unknown) => (s as { _zod: { def: Def } })._zod.def;

/** Adds a pattern; a second one goes into allOf (a schema object holds one `pattern`). */
function addPattern(json: JsonSchema, pattern: string) {
  if (json['pattern'] === undefined) json['pattern'] = pattern;
  else json['allOf'] = [...((json['allOf'] as JsonSchema[] | undefined) ?? []), { pattern }];
}

function replace(json: JsonSchema, by: JsonSchema) {
  for (const k of Object.keys(json)) if (k !== 'default' && k !== 'description') delete json[k];
  Object.assign(json, by);
}

/** `{anyOf: [{type: number, enum: [15]}, …]}` (a union of literals) as one enum of integers. */
function literalUnion(json: JsonSchema): JsonSchema | null {
  const branches = json['anyOf'] as JsonSchema[] | undefined;
  if (!branches?.every((b) => Array.isArray(b['enum']) && Object.keys(b).every((k) => k === 'type' || k === 'enum'))) return null;
  const values = branches.flatMap((b) => b['enum'] as unknown[]);
  return { type: values.every((v) => Number.isInteger(v)) ? 'integer' : typeof values[0], enum: values };
}

/**
 * A pipe is validated by both its sides: coercion or a preprocess before it, the checks after it.
 * With the types checked at the edge (no coercion), both sides' rules hold for the value sent.
 */
function merged(input: JsonSchema, output: JsonSchema): JsonSchema {
  if (Object.keys(output).length === 0) return input;
  const out = literalUnion(output) ?? output;
  const result: JsonSchema = { ...input };
  for (const [k, v] of Object.entries(out)) {
    if (k === 'pattern' && result['pattern'] !== undefined && result['pattern'] !== v) addPattern(result, String(v));
    else if (k === 'type' && result['type'] === 'integer' && v === 'number') continue;
    else result[k] = v;
  }
  return result;
}

const named: [z.ZodType, JsonSchema][] = [
  [timezone, { type: 'string', enum: ZONES, description: 'an IANA time zone such as Europe/London' }],
  [isoDuration, { type: 'string', pattern: DURATION_PATTERN, description: 'a positive ISO 8601 duration such as PT2H, P5D or P6W' }],
  // The CLI also takes words ("2 hours"); the API takes the ISO form, which every client can send.
  [
    configureWorkspaceInput.shape.thankYouDelay.unwrap(),
    { type: 'string', pattern: DURATION_PATTERN, description: 'a positive ISO 8601 duration such as PT2H, P5D or P6W' },
  ],
  [instant, { type: 'string', format: 'date-time', pattern: INSTANT_PATTERN, description: 'an ISO 8601 date-time with an offset (Z or +01:00)' }],
  [phoneNumber, { type: 'string', pattern: PHONE_PATTERN, description: 'digits, spaces and + ( ) . / -' }],
  [url, { type: 'string', format: 'uri', maxLength: 2000, pattern: LINK_PATTERN, description: 'an http or https link to a named host' }],
  [configureWorkspaceInput.shape.businessDays.unwrap(), { type: 'string', pattern: BUSINESS_DAYS_PATTERN, description: 'days such as mon-fri or mon,tue,thu' }],
  [
    configureWorkspaceInput.shape.businessHours.unwrap(),
    { type: 'string', pattern: HOURS_FORMAT, allOf: [{ pattern: BUSINESS_HOURS_ORDER }], description: 'HH:MM-HH:MM, the start before the end' },
  ],
];

/** Rules that tie two fields of one command together. */
const together: [z.ZodType, JsonSchema][] = [
  [addContactInput, { anyOf: [{ not: { required: ['referralMeeting'] } }, { required: ['referredBy'] }] }],
  [bookMeetingInput, { not: { required: ['location', 'videoUrl'] } }],
];

function override(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }) {
  const { zodSchema, jsonSchema } = ctx;
  const exact = named.find(([s]) => s === zodSchema);
  if (exact) return replace(jsonSchema, { ...exact[1] });
  const joint = together.find(([s]) => s === zodSchema);
  if (joint) Object.assign(jsonSchema, joint[1]);
  const def = defOf(zodSchema);
  if (def.type === 'object') requireNonEmptyLists(jsonSchema);
  if (def.type === 'pipe' && def.out) replace(jsonSchema, merged({ ...jsonSchema }, documented(def.out)));
  // A trimmed string that must not be empty must hold something other than spaces.
  if (def.type === 'string' && def.checks?.some((c) => c._zod.def.check === 'overwrite') && Number(jsonSchema['minLength'] ?? 0) >= 1)
    addPattern(jsonSchema, '\\S');
}

/** A list that must have an item (questions) is required even where a missing one reads as an empty list. */
function requireNonEmptyLists(json: JsonSchema) {
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] as string[] | undefined) ?? []);
  for (const [name, p] of Object.entries(properties)) if (Number(p['minItems'] ?? 0) >= 1) required.add(name);
  if (required.size > 0) json['required'] = [...required];
}

/** The documented JSON Schema of a zod input schema (OpenAPI 3.0 dialect). */
export function documented(schema: z.ZodType): JsonSchema {
  const { $schema: _s, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0', override }) as JsonSchema;
  return json;
}
