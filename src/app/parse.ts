import type { z } from 'zod';
import { OutreachError } from '../domain/errors.ts';

/** Validate input at the edge. The first problem becomes one error that names its field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'input';
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message;
  const fieldOut = issue.code === 'unrecognized_keys' ? issue.keys[0]! : field;
  return fail(fieldOut, message);
}

const fail = (field: string, message: string): never => {
  throw new OutreachError('validation', `${field}: ${message}`, { field });
};

/**
 * What command functions accept: typed input from code, or anything an edge (CLI options, an HTTP
 * body) hands over, which the schema then checks.
 */
export type Untrusted<S extends z.ZodType> = z.input<S> | Record<string, unknown>;
