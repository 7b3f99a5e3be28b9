import type { GmailSource } from './ports.ts';
import { fetchChunk, pipeline, recordChunk, zoneOf, type ReadDeps, type SyncResult } from './sync.ts';

/** The most messages a first read, or a read after the history expired, looks at. */
export const GMAIL_SCAN_MAX = 2000;
const CHUNK = 100;

/**
 * One pass over Gmail: the messages added to INBOX since the stored historyId, or, the first time
 * and when Gmail answers 404 for an expired one, a scan bounded by date and count. Each message is
 * recorded under its Message-ID, so a scan that meets messages read before records nothing again.
 */
export async function syncGmail(deps: ReadDeps & { gmail: GmailSource; scanMax?: number }): Promise<SyncResult> {
  await deps.index.catchUp(deps.store);
  const saved = await deps.state.checkpoint(deps.workspaceId);
  let ids: string[];
  let historyId: string;
  const changes = saved?.historyId ? await deps.gmail.addedSince(saved.historyId) : 'expired';
  const rescan = changes === 'expired';
  if (changes === 'expired') {
    historyId = await deps.gmail.currentHistoryId();
    const since = deps.index.scanSince() ?? new Date(Date.parse(deps.clock()) - 30 * 86_400_000);
    // Newest first from Gmail: read oldest first, as IMAP does.
    ids = (await deps.gmail.recent(since, deps.scanMax ?? GMAIL_SCAN_MAX)).reverse();
  } else {
    ({ ids, historyId } = changes);
  }
  const result: SyncResult = { rescan, seen: 0, matched: 0, recorded: 0, kinds: {} };
  const zone = await zoneOf(deps);
  const parts: string[][] = [];
  for (let i = 0; i < ids.length; i += CHUNK) parts.push(ids.slice(i, i + CHUNK));
  await pipeline(
    parts.length,
    async (i) => fetchChunk(deps, await deps.gmail.headers(parts[i]!), (keys) => deps.gmail.bodies(keys)),
    (chunk) => recordChunk(deps, chunk, zone, result),
    async () => {},
  );
  await deps.state.saveCheckpoint(deps.workspaceId, { uidValidity: 'gmail', lastUid: 0, historyId });
  return result;
}
