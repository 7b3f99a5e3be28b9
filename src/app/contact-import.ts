import { CsvError, parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { decideContact, initialContact } from '../domain/contact.ts';
import { isOutreachError, OutreachError } from '../domain/errors.ts';
import { addContactInput } from './inputs.ts';
import { contactAggregate } from './aggregates.ts';
import { contactFromInput } from './contact-commands.ts';
import { decideNew, type AppContext } from './handle.ts';
import { ImportBatch } from './import-batch.ts';
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

/** The first `n` lines, without splitting a whole 5 MB file to read its head. */
function firstLines(text: string, n: number): string[] {
  let end = 0;
  for (let i = 0; i < n && end !== -1; i++) end = text.indexOf('\n', end + 1);
  return (end === -1 ? text : text.slice(0, end)).split(/\r?\n/);
}

/** LinkedIn's export starts with a few lines of notes; the data begins at the header that names its columns. */
function findHeader(text: string): { format: ImportReport['format']; headerLine: number } {
  const lines = firstLines(text, 50);
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
      // LinkedIn's "Email Address", "Company" and "Position" arrive under our names (COLUMN_ALIASES).
      email: get('email'),
      org: get('org'),
      role: get('role'),
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
export async function existingContactKeys(ctx: AppContext, pause?: () => Promise<void>): Promise<Set<string>> {
  const keys = new Set<string>();
  let after: bigint | null = null;
  for (;;) {
    // Smaller batches when the caller must keep answering others: each one is read (and opened) at one go.
    const batch = await ctx.store.readAll({ after, maxCount: pause ? 500 : 5000 });
    await pause?.();
    if (batch.length === 0) break;
    for (const e of batch) {
      if (e.type === 'ContactAdded' && e.metadata['workspaceId'] === ctx.workspaceId) keys.add(dedupeKey(e.data as Parameters<typeof dedupeKey>[0]));
    }
    after = batch.at(-1)!.position;
  }
  return keys;
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

/** Names a spreadsheet is likely to use for our columns: a newcomer's "Organisation" is our "org". */
const COLUMN_ALIASES: Record<string, string> = {
  organisation: 'org',
  organization: 'org',
  company: 'org',
  'e-mail': 'email',
  'email address': 'email',
  title: 'role',
  position: 'role',
  'job title': 'role',
  'referred by': 'referred-by',
  linkedin: 'linkedin-url',
  'linkedin url': 'linkedin-url',
  'time zone': 'timezone',
};
const columnName = (h: string) => {
  const k = h.trim().toLowerCase();
  return COLUMN_ALIASES[k] ?? k;
};

type Parsed = { record: Record<string, string>; info: { lines: number } }[];

const parseOptions = (headerLine: number) => ({
  from_line: headerLine,
  columns: (header: string[]) => header.map(columnName),
  skip_empty_lines: true,
  // ",,,," (a spreadsheet's blank row) is not a person: skipped, not reported as rejected.
  skip_records_with_empty_values: true,
  relax_column_count: true,
  info: true,
});

/** A quote left open or closed mid-field is a mistake in the file, named with its line, not an internal error. */
const fileError = (e: unknown) => (e instanceof CsvError ? new OutreachError('validation', `file: ${e.message}`, { field: 'file', cause: e }) : e);

/** The file's format and the line its header is on; refuses a file without a header or with unknown columns. */
export function importHeader(text: string): { format: ImportReport['format']; headerLine: number } {
  const clean = text.replace(/^\uFEFF/, '');
  const found = findHeader(clean);
  if (found.format === 'plain') {
    let columns: string[] = [];
    try {
      columns = (
        (
          parse(
            firstLines(clean, found.headerLine)
              .slice(found.headerLine - 1)
              .join('\n'),
            { to_line: 1 },
          ) as string[][]
        )[0] ?? []
      ).map(columnName);
    } catch (e) {
      throw fileError(e);
    }
    const unknown = columns.filter((c) => !PLAIN_COLUMNS.includes(c));
    if (unknown.length > 0)
      throw new OutreachError('validation', `columns: unknown column ${unknown.join(', ')} (known: ${PLAIN_COLUMNS.join(', ')})`, { field: 'columns' });
  }
  return found;
}

/** The whole file parsed at once (the CLI), or 32 KB at a time with `pause` between (a server that must keep answering). */
async function parseRecords(text: string, headerLine: number, pause?: () => Promise<void>): Promise<Parsed> {
  if (!pause) {
    try {
      return parse(text, parseOptions(headerLine)) as Parsed;
    } catch (e) {
      throw fileError(e);
    }
  }
  const parser = parseStream(parseOptions(headerLine));
  const records: Parsed = [];
  let failure: unknown;
  // Only the line of each record is kept from its info: 40,000 full info objects cost a garbage collection that holds the server.
  parser.on('readable', () => {
    for (let r = parser.read() as Parsed[number] | null; r !== null; r = parser.read() as Parsed[number] | null) {
      records.push({ record: r.record, info: { lines: r.info.lines } });
    }
  });
  const ended = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('error', (e) => {
      failure ??= e;
      resolve();
    });
  });
  // Each chunk is parsed before the next is written (the write's callback), so the work is spread
  // between pauses instead of piling up behind a full buffer and running at once.
  const CHUNK = 32 * 1024;
  for (let i = 0; i < text.length && failure === undefined; i += CHUNK) {
    await new Promise<void>((resolve) => parser.write(text.slice(i, i + CHUNK), () => resolve()));
    await pause();
  }
  if (failure === undefined) parser.end();
  await ended;
  if (failure !== undefined) throw fileError(failure);
  return records;
}

export type ImportOptions = {
  /**
   * Called between rows (and between the chunks of the file being parsed); a server passes one that
   * yields to its event loop now and then, so that other requests are answered during a long import.
   */
  pause?: () => Promise<void>;
};

export async function importContacts(
  ctx: AppContext,
  text: string,
  onProgress?: (done: number, total: number) => void,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  await requireWorkspaceConfig(ctx);
  const clean = text.replace(/^\uFEFF/, '');
  const { format, headerLine } = importHeader(clean);
  const records = await parseRecords(clean, headerLine, opts.pause);
  const report: ImportReport = { format, rows: records.length, imported: 0, duplicates: 0, rejected: [], warnings: [], ids: [] };
  const known = await existingContactKeys(ctx, opts.pause);
  const batch = new ImportBatch(ctx, report);
  let done = 0;
  for (const { record, info } of records) {
    done += 1;
    await opts.pause?.();
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
      batch.add(
        info.lines,
        contactId,
        decideNew(ctx, contactAggregate, contactId, (state) => decideContact({ type: 'AddContact', contact, now: contact.addedAt }, state), {
          fromCheckedInput: true,
        }),
      );
      known.add(key);
      if (batch.full) await batch.flush();
    } catch (e) {
      if (!isOutreachError(e)) throw e;
      report.rejected.push({ line: info.lines, reason: e.message });
    }
  }
  await batch.flush();
  // Rows whose append failed are reported when their batch is stored: the report lists them by line all the same.
  report.rejected.sort((x, y) => x.line - y.line);
  onProgress?.(records.length, records.length);
  return report;
}
