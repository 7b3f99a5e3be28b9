import { z } from 'zod';
import { instant } from './values.ts';

/**
 * A version of a Google event as Google answered it (our write) or listed it (a calendar edit): its
 * etag, when it changed, its sequence, and the time it holds. The poller compares what it lists with
 * the last version known, so that only a version we did not write counts as an edit in the calendar.
 */
export const calendarVersion = z.object({
  etag: z.string().min(1).max(200),
  updated: instant.optional(),
  sequence: z.number().int().min(0).optional(),
  start: instant.optional(),
  minutes: z.number().int().min(1).max(100_000).optional(),
});

/**
 * An edit made in the calendar that no meeting can take — made all-day, or stretched or shrunk
 * outside 5–240 minutes — recorded for the seeker to decide on rather than dropped: what the event
 * holds now, and the version it was read from.
 */
export const calendarEditNeedsDecision = z.object({
  reason: z.enum(['all-day', 'length']),
  start: instant.optional(),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  minutes: z.number().int().min(0).max(1_000_000).optional(),
  calendarVersion: calendarVersion.optional(),
  seenAt: instant,
});
