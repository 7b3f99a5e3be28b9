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
