import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Clock } from '../app/clock.ts';
import type { AppContext } from '../app/handle.ts';
import type { ReadModels } from '../read-models/queries.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Queue } from 'bullmq';
import { invalid, isOutreachError, notFound, OutreachError } from '../domain/errors.ts';
import { HttpRefusal } from './errors.ts';
import { streams } from '../domain/events.ts';
import { mayReach, type AccessStore } from '../app/access.ts';
import type { Principal } from './auth.ts';
import type { Heartbeat } from '../app/worker-health.ts';
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
  /** The worker processes heard from (heartbeats in Redis); null without Redis. */
  heartbeats?: (() => Promise<Heartbeat[]>) | null;
  /** The projector's position, when this process runs it. */
  projectorPosition?: () => bigint | null;
  /** API tokens and browser sessions (access.db). */
  access: AccessStore;
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

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`${request.method} ${request.url}: no principal on a protected route`);
  return request.principal;
}

/** Another seeker's workspace reads as one that does not exist: its name is not confirmed either. */
const outOfReach = (workspace: string) => notFound('workspace', workspace);

/** A workspace named in the request, checked against what the caller may reach. */
export function reachable(request: FastifyRequest, workspace: string): string {
  if (!mayReach(principalOf(request), workspace)) throw outOfReach(workspace);
  return workspace;
}

/** The one workspace a request that names none acts in: the seeker's own, or the server's default. */
function implicitWorkspace(p: Principal, fallback: string): string {
  if (p.workspaces === 'all' || p.workspaces.includes(fallback)) return fallback;
  if (p.workspaces.length === 1) return p.workspaces[0]!;
  throw invalid('workspace', `name one of your workspaces (${p.workspaces.join(', ')})`);
}

/**
 * The workspace a command acts in: the X-Workspace header, else `workspace` in the body or the
 * query, else the caller's own (a seeker's) or the server's default. Two of them naming different
 * workspaces is an error; one the caller may not reach is 404.
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
  const p = principalOf(request);
  return ids[0] === undefined ? implicitWorkspace(p, fallback) : reachable(request, ids[0]);
}

/**
 * The ?workspace= filter of a read. Without it an admin or a coach of every workspace reads them
 * all together; a seeker reads their own; a coach of a few names one.
 */
export function readWorkspace(request: FastifyRequest): string | undefined {
  const q = (request.query as Record<string, unknown> | undefined)?.['workspace'];
  const h = header(request, 'x-workspace');
  const named = q !== undefined && q !== '' ? checkWorkspace(q, 'workspace') : h !== undefined && h !== '' ? checkWorkspace(h, 'workspace') : undefined;
  if (named !== undefined) return reachable(request, named);
  const p = principalOf(request);
  if (p.workspaces === 'all') return undefined;
  if (p.workspaces.length === 1) return p.workspaces[0]!;
  throw invalid('workspace', `name one of your workspaces (${p.workspaces.join(', ')})`);
}

/** The body as an object; `workspace` is taken out (it is addressing, not command input). */
export function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === '') return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'must be a JSON object');
  return body as Record<string, unknown>;
}

export function withoutWorkspace(body: Record<string, unknown>): Record<string, unknown> {
  const { workspace: _w, ...rest } = body;
  return rest;
}

export function commandContext(deps: ApiDeps, workspaceId: string): AppContext {
  return { store: deps.store, clock: deps.clock, workspaceId, actor: ACTOR };
}

const known = new WeakMap<EventStore, Set<string>>();

/**
 * Commands act only in a workspace that exists (was configured): naming a new one does not make
 * it. Workspaces are never deleted, so one seen once is remembered.
 */
export async function requireWorkspace(deps: ApiDeps, workspace: string): Promise<void> {
  let seen = known.get(deps.store);
  if (!seen) known.set(deps.store, (seen = new Set()));
  if (seen.has(workspace)) return;
  if ((await deps.store.streamRevision(streams.workspace(workspace))) < 0) {
    throw new OutreachError('not_found', `workspace ${workspace} does not exist: an admin makes it (POST /api/workspace or outreach workspace configure)`, {
      field: 'workspace',
    });
  }
  if (seen.size > 100_000) seen.clear();
  seen.add(workspace);
}

/**
 * Context, input and workspace for one command request, in a workspace the caller may reach and
 * that exists; `mayCreate` (configuring a workspace): an admin may also name a new one.
 */
export async function commandRequest(deps: ApiDeps, request: FastifyRequest, opts: { mayCreate?: boolean } = {}) {
  const body = bodyObject(request);
  const workspaceId = commandWorkspace(request, body, deps.defaultWorkspace);
  try {
    await requireWorkspace(deps, workspaceId);
  } catch (e) {
    if (!opts.mayCreate || !isOutreachError(e, 'not_found')) throw e;
    if (principalOf(request).role !== 'admin')
      throw new HttpRefusal(403, 'forbidden', `workspace ${workspaceId} does not exist: only an admin makes workspaces`, 'workspace');
  }
  return { ctx: commandContext(deps, workspaceId), input: withoutWorkspace(body) };
}
