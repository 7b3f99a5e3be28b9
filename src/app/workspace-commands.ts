import type { z } from 'zod';
import { decideWorkspace, targetNamed, type WorkspaceCommand, type WorkspaceConfig, type WorkspaceState } from '../domain/workspace.ts';
import { illegal, OutreachError } from '../domain/errors.ts';
import { workspaceAggregate } from './aggregates.ts';
import { execute, load, type AppContext } from './handle.ts';
import { careerTargetInput, configureWorkspaceInput } from './inputs.ts';
import { parseInput, type Untrusted } from './parse.ts';
import type { EventStore } from '../eventstore/port.ts';

export async function configureWorkspace(ctx: AppContext, input: Untrusted<typeof configureWorkspaceInput>) {
  const i = parseInput(configureWorkspaceInput, input);
  const result = await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) => decideWorkspace(configureCommand(i, state, ctx.clock()), state));
  const configured = result.events.find((e) => e.type === 'WorkspaceConfigured');
  return { id: ctx.workspaceId, events: result.events.map((e) => e.type), config: configured?.type === 'WorkspaceConfigured' ? configured.data : undefined };
}

/** The ConfigureWorkspace command for checked input: what was given, over the current business hours. */
export function configureCommand(i: z.infer<typeof configureWorkspaceInput>, state: WorkspaceState, now: string): WorkspaceCommand {
  const config: Partial<WorkspaceConfig> = {};
  if (i.ownerName) config.ownerName = i.ownerName;
  if (i.ownerEmail) config.ownerEmail = i.ownerEmail;
  if (i.objective) config.objective = i.objective;
  if (i.timezone) config.timezone = i.timezone;
  if (i.thankYouDelay) config.thankYouDelay = i.thankYouDelay;
  if (i.thankYouDeadline) config.thankYouDeadline = i.thankYouDeadline;
  if (i.keepInTouch) config.keepInTouchCadence = i.keepInTouch;
  if (i.nudgeAfter) config.nudgeAfter = i.nudgeAfter;
  if (i.dailyLimit) config.dailySendLimit = i.dailyLimit;
  if (i.review) config.review = i.review;
  const hours = { ...(state.config?.businessHours ?? { start: '09:00', end: '17:30', days: [1, 2, 3, 4, 5] }) };
  if (i.businessHours) [hours.start, hours.end] = i.businessHours.split('-') as [string, string];
  if (i.businessDays) hours.days = i.businessDays;
  return { type: 'ConfigureWorkspace', config: { ...config, businessHours: hours }, now };
}

export async function loadWorkspace(ctx: AppContext): Promise<WorkspaceState> {
  return (await load(ctx, workspaceAggregate, ctx.workspaceId)).state;
}

/** The workspace's spelling of a career target, or a validation error naming the ones there are. */
export async function knownTarget(ctx: AppContext, name: string | undefined): Promise<string | undefined> {
  if (name === undefined) return undefined;
  const state = await loadWorkspace(ctx);
  const known = targetNamed(state, name);
  if (!known) {
    const list = state.targets.length ? `the workspace's targets are ${state.targets.map((t) => `"${t}"`).join(', ')}` : 'the workspace has none yet';
    // Like a contact named by an id that does not exist: the data, not the input's form, says no.
    throw new OutreachError('not_found', `target: "${name}" is not a career target (${list}); add it with \`outreach workspace target add "${name}"\``, {
      field: 'target',
    });
  }
  return known;
}

export async function addCareerTarget(ctx: AppContext, input: Untrusted<typeof careerTargetInput>) {
  const i = parseInput(careerTargetInput, input);
  const r = await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) =>
    decideWorkspace({ type: 'AddCareerTarget', target: i.target, now: ctx.clock() }, state),
  );
  return { target: i.target, events: r.events.map((e) => e.type) };
}

export async function removeCareerTarget(ctx: AppContext, input: Untrusted<typeof careerTargetInput>) {
  const i = parseInput(careerTargetInput, input);
  const r = await execute(ctx, workspaceAggregate, ctx.workspaceId, ({ state }) =>
    decideWorkspace({ type: 'RemoveCareerTarget', target: i.target, now: ctx.clock() }, state),
  );
  return { target: i.target, events: r.events.map((e) => e.type) };
}

/** The configuration, or an error telling the user to configure first. */
export async function requireWorkspaceConfig(ctx: AppContext): Promise<WorkspaceConfig> {
  const state = await loadWorkspace(ctx);
  if (!state.config) throw illegal(`workspace ${ctx.workspaceId} is not configured: run \`outreach workspace configure\` first`);
  return state.config;
}

const seenConfigured = new WeakMap<EventStore, Set<string>>();

/**
 * That the workspace is configured, for commands that need nothing more (adding a person): being
 * configured is final (no event undoes it), so once seen it is not read again — a revision check
 * per command saved.
 */
export async function requireConfigured(ctx: AppContext): Promise<void> {
  const seen = seenConfigured.get(ctx.store);
  if (seen?.has(ctx.workspaceId)) return;
  await requireWorkspaceConfig(ctx);
  if (seen) seen.add(ctx.workspaceId);
  else seenConfigured.set(ctx.store, new Set([ctx.workspaceId]));
}
