import { describe, it } from 'vitest';
import { workspaceDecider, type WorkspaceCommand } from '../../../src/domain/workspace.ts';
import { deciderSpec } from '../../support/decider-spec.ts';
import { configured, NOW } from '../../support/domain-fixtures.ts';

const spec = deciderSpec(workspaceDecider, undefined);

describe('workspace', () => {
  it('the first configuration needs the owner, their email, the objective and the time zone', () => {
    spec
      .given([])
      .when({ type: 'ConfigureWorkspace', config: { ownerName: 'Sam', ownerEmail: 'sam@example.com', timezone: 'Europe/London' }, now: NOW })
      .thenRefused('validation', /objective is required/);
  });

  it("the method's defaults apply when not given: thank-you after PT2H within PT24H, nudge after P5D, keep in touch every P6W", () => {
    spec
      .given([])
      .when({
        type: 'ConfigureWorkspace',
        config: { ownerName: 'Sam Seeker', ownerEmail: 'sam@example.com', objective: 'Learn how data teams hire', timezone: 'Europe/London' },
        now: NOW,
      })
      .then([configured()]);
  });

  it('a later configuration changes only what it names', () => {
    spec
      .given([configured()])
      .when({ type: 'ConfigureWorkspace', config: { dailySendLimit: 10 }, now: NOW })
      .then([configured({ dailySendLimit: 10 })]);
  });

  it('a calendar is connected only to a configured workspace', () => {
    spec
      .given([])
      .when({ type: 'ConnectCalendar', calendarId: 'primary', now: NOW })
      .thenRefused('illegal_state', /configure the workspace/);
  });

  it('disconnecting a calendar that is not connected records nothing', () => {
    spec.given([configured()]).when({ type: 'DisconnectCalendar', reason: 'user', now: NOW }).thenNothing();
  });

  it('a career target is named once, whatever its case', () => {
    spec
      .given([configured(), { type: 'CareerTargetAdded', data: { target: 'UX research', addedAt: NOW } }])
      .when({ type: 'AddCareerTarget', target: 'ux Research', now: NOW })
      .thenRefused('illegal_state', /"UX research" is already a career target/);
  });

  it('career targets are named only in a configured workspace', () => {
    spec
      .given([])
      .when({ type: 'AddCareerTarget', target: 'UX research', now: NOW })
      .thenRefused('illegal_state', /configure the workspace/);
  });

  it('a career target is added trimmed, as the seeker spelled it', () => {
    spec
      .given([configured()])
      .when({ type: 'AddCareerTarget', target: '  Data analytics ', now: NOW })
      .then([{ type: 'CareerTargetAdded', data: { target: 'Data analytics', addedAt: NOW } }]);
  });

  it('removing a career target names it as the workspace spells it', () => {
    spec
      .given([configured(), { type: 'CareerTargetAdded', data: { target: 'UX research', addedAt: NOW } }])
      .when({ type: 'RemoveCareerTarget', target: 'ux research', now: NOW })
      .then([{ type: 'CareerTargetRemoved', data: { target: 'UX research', removedAt: NOW } }]);
  });

  it('removing a career target that is not one is refused, listing those there are', () => {
    spec
      .given([configured(), { type: 'CareerTargetAdded', data: { target: 'UX research', addedAt: NOW } }])
      .when({ type: 'RemoveCareerTarget', target: 'Law', now: NOW })
      .thenRefused('validation', /"Law" is not a career target \(known: UX research\)/);
  });
});
