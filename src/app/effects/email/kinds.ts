import type { MeetingState } from '../../../domain/meeting.ts';
import type { EmailEffect } from '../effect.ts';
import type { EmailKind } from './templates.ts';

/** The template an email effect is written with: a request through a gatekeeper reads differently. */
export function templateOf(kind: EmailEffect, meeting: MeetingState): EmailKind {
  if (kind === 'request-email') return meeting.request?.via === 'gatekeeper' ? 'meeting-request-gatekeeper' : 'meeting-request-direct';
  if (kind === 'calendar-cancel') return 'meeting-cancelled';
  return kind;
}
