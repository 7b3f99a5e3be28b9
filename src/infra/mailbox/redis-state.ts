import type { Redis } from 'ioredis';
import type { MailboxCheckpoint, MailboxState, MailboxStatus } from '../../app/mailbox/ports.ts';

/**
 * The reader's checkpoint and status in Redis, beside the calendar's sync tokens: derived state.
 * Losing the checkpoint costs one re-read bounded by date, which records nothing twice.
 */
export function redisMailboxState(redis: Redis, prefix: string): MailboxState {
  const key = (ws: string, what: string) => `${prefix}:mailbox:${what}:${ws}`;
  const read = async <T>(k: string): Promise<T | null> => {
    const v = await redis.get(k);
    return v ? (JSON.parse(v) as T) : null;
  };
  return {
    checkpoint: (ws) => read<MailboxCheckpoint>(key(ws, 'checkpoint')),
    saveCheckpoint: async (ws, cp) => {
      await redis.set(key(ws, 'checkpoint'), JSON.stringify(cp));
    },
    status: (ws) => read<MailboxStatus>(key(ws, 'status')),
    saveStatus: async (ws, status) => {
      await redis.set(key(ws, 'status'), JSON.stringify(status));
    },
  };
}
