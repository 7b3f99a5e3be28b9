/** Queue names and the key prefix; every Redis key of a deployment (or of a test run) starts with the prefix. */
export const QUEUES = { email: 'email', calendar: 'calendar' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const queuePrefixFrom = (env: NodeJS.ProcessEnv = process.env) => env['OUTREACH_QUEUE_PREFIX'] || 'outreach';

/**
 * BullMQ refuses custom job ids with one colon; the effect key `<effect>:<sourceEventId>` becomes
 * `<effect>.<sourceEventId>` as a job id and maps back one to one.
 */
export const jobIdFor = (effectKey: string) => effectKey.replace(':', '.');
export const effectKeyOf = (jobId: string) => jobId.replace('.', ':');
