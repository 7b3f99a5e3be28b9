import type { Decider } from './decider.ts';
import type { EventOf, WorkspaceEvent } from './events.ts';
import { illegal, invalid } from './errors.ts';
import type { BusinessHours } from './values.ts';

export type WorkspaceConfig = Omit<EventOf<'WorkspaceConfigured'>['data'], 'configuredAt'>;

export type WorkspaceState = {
  configured: boolean;
  config?: WorkspaceConfig;
  calendar: { connected: boolean; calendarId?: string; disconnectReason?: string };
  /** Careers being explored, in the order they were added. */
  targets: string[];
  /** The seeker's mailbox as the mailbox worker last found it: absent until it was first read. */
  mailbox?: { connected: boolean; provider: 'imap' | 'gmail'; reason?: 'auth-failed' | 'revoked'; at: string };
};

export const workspaceDefaults = {
  businessHours: { start: '09:00', end: '17:30', days: [1, 2, 3, 4, 5] } satisfies BusinessHours,
  thankYouDelay: 'PT2H',
  thankYouDeadline: 'PT24H',
  keepInTouchCadence: 'P6W',
  nudgeAfter: 'P5D',
  dailySendLimit: 50,
} as const;

export const initialWorkspace = (): WorkspaceState => ({ configured: false, calendar: { connected: false }, targets: [] });

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The workspace's spelling of a target named in any case, if it is one. */
export const targetNamed = (state: WorkspaceState, name: string) => state.targets.find((t) => same(t, name.trim()));

const MAX_TARGETS = 12;

export function evolveWorkspace(state: WorkspaceState, event: WorkspaceEvent): WorkspaceState {
  switch (event.type) {
    case 'WorkspaceConfigured': {
      const { configuredAt: _at, ...config } = event.data;
      return { ...state, configured: true, config };
    }
    case 'CalendarConnected':
      return { ...state, calendar: { connected: true, calendarId: event.data.calendarId } };
    case 'CalendarDisconnected':
      return { ...state, calendar: { connected: false, disconnectReason: event.data.reason } };
    case 'MailboxConnected':
      return { ...state, mailbox: { connected: true, provider: event.data.provider, at: event.data.connectedAt } };
    case 'MailboxDisconnected':
      return { ...state, mailbox: { connected: false, provider: event.data.provider, reason: event.data.reason, at: event.data.disconnectedAt } };
    case 'CareerTargetAdded':
      return { ...state, targets: [...state.targets, event.data.target] };
    case 'CareerTargetRemoved':
      return { ...state, targets: state.targets.filter((t) => !same(t, event.data.target)) };
  }
}

export type WorkspaceCommand =
  | { type: 'ConfigureWorkspace'; config: Partial<WorkspaceConfig>; now: string }
  | { type: 'ConnectCalendar'; calendarId: string; accountEmail?: string; now: string }
  | { type: 'DisconnectCalendar'; reason: 'user' | 'revoked' | 'invalid_grant'; now: string }
  | { type: 'ConnectMailbox'; provider: 'imap' | 'gmail'; now: string }
  | { type: 'DisconnectMailbox'; provider: 'imap' | 'gmail'; reason: 'auth-failed' | 'revoked'; now: string }
  | { type: 'AddCareerTarget'; target: string; now: string }
  | { type: 'RemoveCareerTarget'; target: string; now: string };

export function decideWorkspace(command: WorkspaceCommand, state: WorkspaceState): WorkspaceEvent[] {
  switch (command.type) {
    case 'ConfigureWorkspace': {
      // A later configure changes only what it names; the first one must name the essentials.
      const merged = { ...workspaceDefaults, ...state.config, ...command.config };
      for (const field of ['ownerName', 'ownerEmail', 'objective', 'timezone'] as const) {
        if (merged[field] === undefined) throw invalid(field, `the workspace is not configured yet, so ${field} is required`);
      }
      return [{ type: 'WorkspaceConfigured', data: { ...(merged as WorkspaceConfig), configuredAt: command.now } }];
    }
    case 'ConnectCalendar':
      if (!state.configured) throw illegal('configure the workspace before connecting a calendar');
      return [
        {
          type: 'CalendarConnected',
          data: {
            provider: 'google',
            calendarId: command.calendarId,
            ...(command.accountEmail ? { accountEmail: command.accountEmail } : {}),
            connectedAt: command.now,
          },
        },
      ];
    case 'DisconnectCalendar':
      if (!state.calendar.connected) return [];
      return [{ type: 'CalendarDisconnected', data: { provider: 'google', reason: command.reason, disconnectedAt: command.now } }];
    // Recorded when it changes only: a worker that reads the mailbox every minute writes nothing while it works.
    case 'ConnectMailbox':
      if (state.mailbox?.connected && state.mailbox.provider === command.provider) return [];
      return [{ type: 'MailboxConnected', data: { provider: command.provider, connectedAt: command.now } }];
    case 'DisconnectMailbox':
      if (state.mailbox && !state.mailbox.connected && state.mailbox.provider === command.provider && state.mailbox.reason === command.reason) return [];
      return [{ type: 'MailboxDisconnected', data: { provider: command.provider, reason: command.reason, disconnectedAt: command.now } }];
    case 'AddCareerTarget': {
      if (!state.configured) throw illegal('configure the workspace before naming the careers you explore');
      const known = targetNamed(state, command.target);
      if (known) throw illegal(`"${known}" is already a career target`);
      if (state.targets.length >= MAX_TARGETS) throw illegal(`at most ${MAX_TARGETS} career targets; remove one first`);
      return [{ type: 'CareerTargetAdded', data: { target: command.target.trim(), addedAt: command.now } }];
    }
    case 'RemoveCareerTarget': {
      const known = targetNamed(state, command.target);
      if (!known) throw invalid('target', `"${command.target}" is not a career target (known: ${state.targets.join(', ') || 'none'})`);
      return [{ type: 'CareerTargetRemoved', data: { target: known, removedAt: command.now } }];
    }
  }
}

export const workspaceDecider: Decider<WorkspaceState, WorkspaceCommand, WorkspaceEvent> = {
  initialState: initialWorkspace,
  evolve: evolveWorkspace,
  decide: decideWorkspace,
};
