import type { z } from 'zod';
import { eventSchemas, isEventType } from './events.ts';
import { personalData } from './values.ts';

/**
 * Where personal data sits in each event type, read from the schemas' `personal(...)` marks so
 * that a field marked later is encrypted (and erased by forget) without a second list to keep.
 * `*` in a path stands for every item of an array.
 */
export type PersonalField = {
  path: readonly string[];
  /** An optional field is removed once its subject is forgotten; a required one gets this value. */
  optional: boolean;
  /** A value the field's schema accepts, standing in for data that was erased. */
  placeholder: string;
};

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

const PLACEHOLDERS = ['[forgotten]', 'forgotten@forgotten.invalid', '+00000', 'https://forgotten.invalid/'];

function placeholderFor(schema: z.ZodType, where: string): string {
  const fits = PLACEHOLDERS.find((p) => schema.safeParse(p).success);
  if (!fits) throw new Error(`personal field ${where} accepts none of the erasure placeholders`);
  return fits;
}

function walk(schema: z.ZodType, path: string[], optional: boolean, out: PersonalField[], where: string) {
  if (personalData.has(schema)) {
    out.push({ path, optional, placeholder: placeholderFor(schema, where) });
    return;
  }
  const def = defOf(schema);
  if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) {
    walk(def.innerType, path, true, out, where);
  } else if (def.type === 'array' && def.element) {
    walk(def.element, [...path, '*'], false, out, where);
  } else if (def.type === 'object' && def.shape) {
    for (const [key, child] of Object.entries(def.shape)) walk(child, [...path, key], false, out, `${where}.${key}`);
  }
}

const byType = new Map<string, readonly PersonalField[]>(
  Object.entries(eventSchemas).map(([type, schema]) => {
    const out: PersonalField[] = [];
    walk(schema as z.ZodType, [], false, out, type);
    return [type, out];
  }),
);

/** The personal fields of an event type; none for a type the domain does not know. */
export const personalFieldsOf = (type: string): readonly PersonalField[] => (isEventType(type) ? byType.get(type)! : []);

/** Whose data the events of a stream hold: the subject whose key encrypts it and whose forgetting erases it. */
export const subjectOfStream = (stream: string): string => {
  const dash = stream.indexOf('-');
  return dash > 0 ? `${stream.slice(0, dash)}:${stream.slice(dash + 1)}` : `stream:${stream}`;
};

/** The subject an event erases: forgetting a contact erases everything held under `contact:<id>`. */
export const subjectForgottenBy = (type: string, stream: string): string | null => (type === 'ContactForgotten' ? subjectOfStream(stream) : null);
