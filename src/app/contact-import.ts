import { CsvError, parse } from 'csv-parse/sync';
import { decideContact, initialContact } from '../domain/contact.ts';
import { isOutreachError, OutreachError } from '../domain/errors.ts';
import { addContactInput } from './inputs.ts';
import { contactAggregate } from './aggregates.ts';
import { contactFromInput } from './contact-commands.ts';
import { execute, type AppContext } from './handle.ts';
import { newId } from './ids.ts';
import { parseInput } from './parse.ts';
import { requireWorkspaceConfig } from './workspace-commands.ts';

export type ImportReport = {
  format: 'linkedin' | 'plain';
  rows: number;
  imported: number;
  duplicates: number;
  rejected: { line: number; reason: string }[];
  /** Rows imported with something left out (a malformed email): the person is there, the field is not. */
  warnings: { line: number; reason: string }[];
  ids: string[];
};

/** A row whose only fault is its email imports the person without one: a LinkedIn export often has a broken address. */
function rowInput(row: Record<string, unknown>, warn: (reason: string) => void) {
  try {
    return parseInput(addContactInput, row);
  } catch (e) {
    if (!isOutreachError(e, 'validation') || e.field !== 'email' || row['email'] === undefined) throw e;
    const { email: _bad, ...rest } = row;
    const input = parseInput(addContactInput, rest);
    warn(`${e.message}; imported without an email`);
    return input;
  }
}

const LINKEDIN_HEADER = ['first name', 'last name', 'url', 'email address', 'company', 'position'];

/** LinkedIn's export starts with a few lines of notes; the data begins at the header that names its columns. */
function findHeader(text: string): { format: ImportReport['format']; headerLine: number } {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < Math.min(lines.length, 50); i++) {
    const cells = lines[i]!.toLowerCase()
      .split(',')
      .map((c) => c.trim().replace(/^"|"$/g, ''));
    if (LINKEDIN_HEADER.every((h) => cells.includes(h))) return { format: 'linkedin', headerLine: i + 1 };
    if (cells.includes('name')) return { format: 'plain', headerLine: i + 1 };
  }
  throw new OutreachError(
    'validation',
    'file: no header found: expected LinkedIn columns (First Name, Last Name, URL, Email Address, Company, Position) or a "name" column',
    { field: 'file' },
  );
}

const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

function rowToInput(format: ImportReport['format'], row: Record<string, string>): Record<string, unknown> {
  const get = (k: string) => blankToUndefined(row[k]);
  if (format === 'linkedin') {
    const name = [get('first name'), get('last name')].filter(Boolean).join(' ');
    return {
      name,
      email: get('email address'),
      org: get('company'),
      role: get('position'),
      linkedinUrl: get('url'),
      source: 'linkedin',
      tag: [],
    };
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const v = blankToUndefined(value);
    if (v === undefined) continue;
    const camel = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    input[camel === 'tags' ? 'tag' : camel] =
      camel === 'tag' || camel === 'tags'
        ? v
            .split(/[;|]/)
            .map((t) => t.trim())
            .filter(Boolean)
        : v;
  }
  input['tag'] ??= [];
  return input;
}

/** The key two rows share when they are the same person: the email, else the profile URL, else name and organisation. */
export function dedupeKey(c: {
  name?: string;
  email?: string | undefined;
  linkedinUrl?: string | undefined;
  organisation?: string | undefined;
  org?: string | undefined;
}): string {
  if (c.email) return `email:${c.email.toLowerCase()}`;
  if (c.linkedinUrl) return `url:${c.linkedinUrl.toLowerCase().replace(/\/+$/, '')}`;
  return `name:${(c.name ?? '').toLowerCase()}|${(c.organisation ?? c.org ?? '').toLowerCase()}`;
}

/** Keys of the contacts this workspace already has, read from the log. */
export async function existingContactKeys(ctx: AppContext): Promise<Set<string>> {
  const keys = new Set<string>();
  let after: bigint | null = null;
  for (;;) {
    const batch = await ctx.store.readAll({ after, maxCount: 5000 });
    if (batch.length === 0) break;
    for (const e of batch) {
      if (e.type === 'ContactAdded' && e.metadata['workspaceId'] === ctx.workspaceId) keys.add(dedupeKey(e.data as Parameters<typeof dedupeKey>[0]));
    }
    after = batch.at(-1)!.position;
  }
  return keys;
}

export async function importContacts(ctx: AppContext, text: string, onProgress?: (done: number, total: number) => void): Promise<ImportReport> {
  await requireWorkspaceConfig(ctx);
  const { format, headerLine } = findHeader(text.replace(/^\uFEFF/, ''));
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      from_line: headerLine,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as typeof records;
  } catch (e) {
    // A quote left open or closed mid-field is a mistake in the file, named with its line, not an internal error.
    if (e instanceof CsvError) throw new OutreachError('validation', `file: ${e.message}`, { field: 'file', cause: e });
    throw e;
  }
  const PLAIN_COLUMNS = [
    'name',
    'email',
    'phone',
    'org',
    'role',
    'level',
    'industry',
    'source',
    'referred-by',
    'referral-meeting',
    'timezone',
    'tag',
    'tags',
    'linkedin-url',
    'target',
  ];
  const unknown = format === 'plain' ? Object.keys(records[0]?.record ?? {}).filter((c) => !PLAIN_COLUMNS.includes(c)) : [];
  if (unknown.length > 0)
    throw new OutreachError('validation', `columns: unknown column ${unknown.join(', ')} (known: ${PLAIN_COLUMNS.join(', ')})`, { field: 'columns' });
  const report: ImportReport = { format, rows: records.length, imported: 0, duplicates: 0, rejected: [], warnings: [], ids: [] };
  const known = await existingContactKeys(ctx);
  let done = 0;
  for (const { record, info } of records) {
    done += 1;
    if (done % 250 === 0) onProgress?.(done, records.length);
    try {
      const input = rowInput(rowToInput(format, record) as Record<string, unknown>, (reason) => report.warnings.push({ line: info.lines, reason }));
      const key = dedupeKey(input);
      if (known.has(key)) {
        report.duplicates += 1;
        continue;
      }
      const contactId = newId();
      const contact = await contactFromInput(ctx, input, contactId);
      await execute(ctx, contactAggregate, contactId, ({ state }) => decideContact({ type: 'AddContact', contact, now: contact.addedAt }, state), {
        newStream: true,
      });
      known.add(key);
      report.imported += 1;
      report.ids.push(contactId);
    } catch (e) {
      if (!isOutreachError(e)) throw e;
      report.rejected.push({ line: info.lines, reason: e.message });
    }
  }
  onProgress?.(records.length, records.length);
  return report;
}
