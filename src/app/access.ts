import { z } from 'zod';
import { DateTime, Duration } from 'luxon';
import { headerText, isoDuration, workspaceId } from '../domain/values.ts';

/**
 * Who may do what through the HTTP API. An admin does everything, makes workspaces and tokens; a
 * coach reads and acts on a list of workspaces (or all of them); a seeker on their own one.
 */
export const roles = ['admin', 'coach', 'seeker'] as const;
export type Role = (typeof roles)[number];

export type Scope = { role: Role; workspaces: 'all' | readonly string[] };

/** Whether a holder of this scope may see or act in the workspace. */
export const mayReach = (scope: Scope, workspace: string): boolean => scope.workspaces === 'all' || scope.workspaces.includes(workspace);

/** A token as listed: never the token itself nor its hash. */
export type TokenInfo = Scope & { id: string; name: string | null; createdAt: string; expiresAt: string | null };

/** A session made from a token: the id is the cookie's value, handed out once. */
export type SessionInfo = { tokenId: string; expiresAt: string };

/**
 * Where tokens and browser sessions are kept (src/infra/access). Only hashes are stored: the file
 * alone lets nobody in. `now` is passed in so that expiry is decided by the caller's clock.
 */
export interface AccessStore {
  createToken(spec: Scope & { name: string | null; expiresAt: string | null }, now: string): { id: string; token: string };
  /** The live (not revoked, not expired) token this secret is, or null. */
  tokenFor(secret: string, now: string): TokenInfo | null;
  tokenById(id: string, now: string): TokenInfo | null;
  listTokens(now: string): TokenInfo[];
  /** Revokes the token and ends every session made from it; false when there was no such live token. */
  revokeToken(id: string, now: string): boolean;
  createSession(tokenId: string, expiresAt: string, now: string): { id: string };
  /** The live session with this id, or null. */
  session(id: string, now: string): SessionInfo | null;
  endSession(id: string): void;
  close(): void;
}

/** What `outreach token create` and `POST /api/tokens` accept, in the CLI's field names. */
export const createTokenInput = z
  .strictObject({
    role: z.enum(roles, { error: 'must be admin, coach or seeker' }),
    workspace: z.array(workspaceId).max(1000, 'at most 1000 workspaces').optional(),
    allWorkspaces: z.boolean().optional(),
    name: headerText(100).optional(),
    expires: isoDuration.optional(),
  })
  .superRefine((t, ctx) => {
    const named = t.workspace?.length ?? 0;
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (t.role === 'admin' && (named > 0 || t.allWorkspaces)) issue('workspace', 'an admin token reaches every workspace: name none');
    if (t.role === 'seeker' && named !== 1) issue('workspace', 'a seeker token names exactly one workspace');
    if (t.role === 'seeker' && t.allWorkspaces) issue('allWorkspaces', 'a seeker token names exactly one workspace');
    if (t.role === 'coach' && named === 0 && !t.allWorkspaces) issue('workspace', 'a coach token names its workspaces, or all of them with --all-workspaces');
    if (t.role === 'coach' && named > 0 && t.allWorkspaces) issue('allWorkspaces', 'give workspaces or all of them, not both');
  });

export type CreateTokenInput = z.infer<typeof createTokenInput>;

/** The scope a checked token request stands for. */
export function scopeOf(t: CreateTokenInput): Scope {
  if (t.role === 'admin' || t.allWorkspaces) return { role: t.role, workspaces: 'all' };
  return { role: t.role, workspaces: [...new Set(t.workspace ?? [])] };
}

/** When a token made now with `expires` (an ISO 8601 duration) stops working; null for never. */
export function expiryFrom(expires: string | undefined, now: string): string | null {
  if (expires === undefined) return null;
  return DateTime.fromISO(now, { setZone: true }).toUTC().plus(Duration.fromISO(expires)).toISO();
}
