import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EraseIntent } from '../../app/effects/erase/decide.ts';
import type { CopiesEraser } from '../../app/effects/erase/run.ts';
import { ABOUT_SEPARATOR } from './transport.ts';

/**
 * Deletes the outbox's .eml files about a contact (named `<contactId>--…`) and the .ics files of
 * their meetings. Without an outbox (mail goes over SMTP) there is nothing of theirs locally but the .ics.
 */
export function localCopiesEraser(dirs: { outboxDir?: string | undefined; calendarDir: string }): CopiesEraser {
  return {
    async erase(intent: EraseIntent) {
      let files = 0;
      const remove = async (file: string) => {
        await rm(file, { force: true });
        files++;
      };
      if (dirs.outboxDir) {
        const prefix = `${intent.contactId}${ABOUT_SEPARATOR}`;
        const names = await readdir(dirs.outboxDir).catch(() => [] as string[]);
        for (const name of names) if (name.startsWith(prefix)) await remove(join(dirs.outboxDir, name));
      }
      const ics = new Set(await readdir(dirs.calendarDir).catch(() => [] as string[]));
      for (const m of intent.meetingIds) if (ics.has(`${m}.ics`)) await remove(join(dirs.calendarDir, `${m}.ics`));
      return files;
    },
  };
}
