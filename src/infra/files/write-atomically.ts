import { randomUUID } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';

/**
 * Written next to the final name, then renamed: a reader never sees half a file. The temporary
 * name is this write's own: two effects of one meeting (a booking and its reschedule) can write
 * its file at the same moment, in one process.
 */
export async function writeAtomically(file: string, content: string, mode = 0o644): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}
