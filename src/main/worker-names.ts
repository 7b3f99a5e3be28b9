/** The workers `outreach worker` runs, in the order they start. */
export const WORKERS = ['reactor', 'email', 'calendar', 'projector', 'mailbox'] as const;
