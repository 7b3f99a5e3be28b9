import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Clock } from '../app/clock.ts';
import type { AppContext } from '../app/handle.ts';
import type { ReadModels } from '../read-models/queries.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Queue } from 'bullmq';
import { invalid, OutreachError } from '../domain/errors.ts';
import { workspaceId as workspaceIdSchema } from '../domain/values.ts';

/** What the routes work with; the server factory is given it, so tests can hand in their own. */
export type ApiDeps = {
  store: EventStore;
  readModels: ReadModels;
  clock: Clock;
  /** Workspace for commands that name none. */
  defaultWorkspace: string;
  /** The contact an unsubscribe link names, or null when its signature does not hold. */
  verifyUnsubscribe: (token: string) => { workspaceId: string; contactId: string } | null;
  /** Redis and the queues; null when the server runs without Redis (queues then read as unavailable). */
  redis: Redis | null;
  queues: Record<'email' | 'calendar', Queue> | null;
  /** Jobs per queue and state, and the next due ones (src/infra/queue/idle.ts). */
  queueSnapshots: (() => Promise<QueueSnapshot[]>) | null;
  /**
   * How long a computed /api/dashboard answer may be served again (default 1000 ms; 0: never).
   * An answer is dropped at once when any projection moves on, so a change applied by the
   * projector shows at the next request; only the passing of time shows up to this much later.
   */
  dashboardCacheMs?: number;
  /** The projector's position, when this process runs it. */
  projectorPosition?: () => bigint | null;
};

export type QueueSnapshot = { queue: string; counts: Record<string, number>; next: { id: string; name: string; dueAt: string }[] };

export const ACTOR = 'api';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function checkWorkspace(value: unknown, field = 'workspace'): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a workspace id');
  const parsed = workspaceIdSchema.safeParse(value);
  if (!parsed.success) throw new OutreachError('validation', `${field}: ${parsed.error.issues[0]!.message}`, { field });
  return parsed.data;
}

/**
 * The workspace a command acts in: the X-Workspace header, else `workspace` in the body or the
 * query, else the server's default. Two of them naming different workspaces is an error.
 */
export function commandWorkspace(request: FastifyRequest, body: Record<string, unknown>, fallback: string): string {
  const given: [string, unknown][] = [];
  const h = header(request, 'x-workspace');
  if (h !== undefined) given.push(['X-Workspace', h]);
  if (body['workspace'] !== undefined) given.push(['workspace', body['workspace']]);
  const q = (request.query as Record<string, unknown> | undefined)?.['workspace'];
  if (q !== undefined) given.push(['workspace', q]);
  const ids = given.map(([field, v]) => checkWorkspace(v, field === 'X-Workspace' ? 'workspace' : field));
  if (new Set(ids).size > 1) throw invalid('workspace', `given twice with different values (${[...new Set(ids)].join(', ')})`);
  return ids[0] ?? fallback;
}

/** The optional ?workspace= filter of a read; absent means every workspace (a coach's view). */
export function readWorkspace(request: FastifyRequest): string | undefined {
  const q = (request.query as Record<string, unknown> | undefined)?.['workspace'];
  const h = header(request, 'x-workspace');
  if (q !== undefined && q !== '') return checkWorkspace(q, 'workspace');
  if (h !== undefined && h !== '') return checkWorkspace(h, 'workspace');
  return undefined;
}

/** The body as an object; `workspace` is taken out (it is addressing, not command input). */
export function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('body', 'must be a JSON object');
  return body as Record<string, unknown>;
}

export function withoutWorkspace(body: Record<string, unknown>): Record<string, unknown> {
  const { workspace: _w, ...rest } = body;
  return rest;
}

export function commandContext(deps: ApiDeps, workspaceId: string): AppContext {
  return { store: deps.store, clock: deps.clock, workspaceId, actor: ACTOR };
}

/** Context, input and workspace for one command request. */
export function commandRequest(deps: ApiDeps, request: FastifyRequest) {
  const body = bodyObject(request);
  const workspaceId = commandWorkspace(request, body, deps.defaultWorkspace);
  return { ctx: commandContext(deps, workspaceId), input: withoutWorkspace(body) };
}
