import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';

export type OutboxMail = { file: string; date: string; from: string; to: string; subject: string; messageId: string; text: string };

/**
 * The emails in the outbox folder (the default transport), newest first, with their headers
 * decoded as a person reads them ("José Ruiz", not "=?UTF-8?Q?Jos=C3=A9?=").
 */
export async function readOutbox(dir: string): Promise<OutboxMail[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml'));
  const mails = await Promise.all(
    names.map(async (file) => {
      const m = await simpleParser(await readFile(join(dir, file)), { skipImageLinks: true, skipTextToHtml: true });
      return {
        file,
        date: m.date?.toISOString() ?? '',
        from: m.from ? people(m.from) : '',
        to: [m.to ?? []].flat().map(people).join(', '),
        subject: m.subject ?? '',
        messageId: m.messageId ?? '',
        text: m.text ?? '',
      };
    }),
  );
  return mails.sort((a, b) => b.date.localeCompare(a.date) || b.file.localeCompare(a.file));
}

/** "Ada Lovelace <ada@example.org>", as a person writes it: without the quotes the header needs. */
function people(a: AddressObject): string {
  return a.value.map((p) => (p.name ? `${p.name} <${p.address ?? ''}>` : (p.address ?? ''))).join(', ');
}
