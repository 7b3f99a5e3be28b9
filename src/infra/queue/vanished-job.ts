import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * A job whose keys were deleted from Redis while its id still sat in the wait list. BullMQ moves
 * such an id to active all the same, and in doing so writes a new hash for it holding only its
 * bookkeeping (processedOn, ats): no name, no timestamp, no data. Left there, that hash would make
 * the replay that derives the job again (`reactor replay`) take it for a duplicate, and the effect
 * would never happen.
 */
export const hasVanished = (job: Job): boolean => !job.name || !job.timestamp;

/**
 * Removes what BullMQ wrote for a vanished job (its hash, its lock, its place in the active list)
 * and hands it back without a trace: a DelayedError is the one outcome the worker answers by
 * writing nothing about the job. The caller has logged why.
 */
export async function dropVanished(job: Job, connection: Redis): Promise<never> {
  const queue = job.queueQualifiedName;
  const key = `${queue}:${job.id}`;
  await connection.multi().del(key, `${key}:lock`).lrem(`${queue}:active`, 0, String(job.id)).exec();
  throw new DelayedError();
}
