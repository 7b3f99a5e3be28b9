import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import {
  addContact,
  addResearchNote,
  changeContact,
  forgetContact,
  optOut,
  prepareQuestions,
  recordReply,
  reportJobLead,
  writeUpdate,
} from '../../app/contact-commands.ts';
import { importContacts } from '../../app/contact-import.ts';
import { contactAggregate } from '../../app/aggregates.ts';
import { load } from '../../app/handle.ts';
import { illegal, invalid, OutreachError } from '../../domain/errors.ts';
import { act, collect, leaf } from '../define.ts';
import { confirm } from '../confirm.ts';
import { contactIdOf, meetingIdOf, readModelsOf } from '../lookup.ts';
import { progressBar } from '../output.ts';
import type { Session } from '../session.ts';
import { counted, shortId } from '../words.ts';
import { contactShowCommand } from './contact-show.ts';

const contactOptions = (cmd: Command) =>
  cmd
    .option('--email <email>', 'email address')
    .option('--phone <phone>', 'phone number')
    .option('--org <organisation>', 'organisation')
    .option('--role <role>', 'role or title')
    .option('--level <level>', 'entry | mid | senior | executive')
    .option('--industry <industry>', 'industry')
    .option('--timezone <zone>', "IANA time zone (default: the workspace's)")
    .option('--linkedin-url <url>', 'profile URL')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--target <career>', 'the career target they can tell you about (see `workspace target add`)');

/** A person's name for the sentence that reports what was done to them. */
const nameOf = async (session: Session, id: string) => (await load(session.ctx, contactAggregate, id)).state.details?.name ?? `contact ${shortId(id)}`;

/** The same address twice is nearly always a mistake: refused, naming who has it, unless the seeker insists. */
async function refuseDuplicate(session: Session, email: unknown) {
  if (typeof email !== 'string' || !email.includes('@')) return;
  const [existing] = (await readModelsOf(session)).findContacts(email.trim(), session.ctx.workspaceId);
  if (existing) {
    throw illegal(
      `email: ${existing.name} (contact ${shortId(existing.contactId)}) already has ${email.trim()}; add --allow-duplicate to add another contact with it`,
    );
  }
}

function addCommand(contact: Command) {
  act(
    contactOptions(leaf(contact, 'add', 'add a person to the networking list').requiredOption('--name <name>', 'full name'))
      .option(
        '--source <source>',
        'friend | family | colleague | organisation | neighbour | community | linkedin | social | directory | association | referral | other',
      )
      .option('--referred-by <contact>', 'the contact who referred this person (id, email or name)')
      .option('--referral-meeting <meeting>', "the meeting in which the referral was given (default: the referrer's latest)")
      .option('--allow-duplicate', 'add even if a contact already has this email'),
    async (session, _args, input, out) => {
      const { allowDuplicate, referredBy, referralMeeting, ...rest } = input;
      if (!allowDuplicate) await refuseDuplicate(session, rest['email']);
      const referrer = referredBy ? await contactIdOf(session, String(referredBy), 'referredBy') : undefined;
      const meeting = referralMeeting ? await meetingIdOf(session, String(referralMeeting), 'referralMeeting') : undefined;
      const r = await addContact(session.ctx, { ...rest, ...(referrer ? { referredBy: referrer } : {}), ...(meeting ? { referralMeeting: meeting } : {}) });
      out.result({ id: r.id, ...r.contact }, `Added ${r.contact.name} (contact ${shortId(r.id)})`);
    },
  );
}

function importCommand(contact: Command) {
  act(leaf(contact, 'import <file>', "import LinkedIn's Connections.csv or a CSV with the columns of `contact add`"), async ({ ctx }, [file], _input, out) => {
    const text = await readFile(file!, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw invalid('file', e.code === 'ENOENT' ? `${file} does not exist` : e.message);
    });
    const bar = progressBar('importing', !out.json);
    const started = Date.now();
    const r = await importContacts(ctx, text, (done, total) => bar.update(done, total));
    bar.end();
    const seconds = (Date.now() - started) / 1000;
    out.result({ ...r, seconds }, () =>
      [
        `Imported ${r.imported} of ${counted(r.rows, 'row')} (${r.format} format) in ${seconds.toFixed(1)} s`,
        `  duplicates skipped: ${r.duplicates}`,
        ...(r.warnings.length
          ? [`  imported with a warning: ${r.warnings.length}`, ...r.warnings.slice(0, 50).map((w) => `    line ${w.line}: ${w.reason}`)]
          : []),
        `  rejected:           ${r.rejected.length}`,
        ...r.rejected.slice(0, 50).map((x) => `    line ${x.line}: ${x.reason}`),
        ...(r.rejected.length > 50 ? [`    … and ${r.rejected.length - 50} more (use --json for all)`] : []),
        ...(r.imported ? ['  see them with `outreach contacts`'] : []),
      ].join('\n'),
    );
    if (r.rows > 0 && r.imported === 0 && r.duplicates === 0) {
      throw new OutreachError('validation', `file: every row was rejected (${r.rejected.length} of ${r.rows}); nothing was imported`, { field: 'file' });
    }
  });
}

/** A command on one contact, found by id, email or name. */
function onContact(
  contact: Command,
  spec: string,
  description: string,
  build: (cmd: Command) => Command,
  run: (session: Session, id: string, input: Record<string, unknown>) => Promise<{ data: unknown; said: string }>,
) {
  act(build(leaf(contact, spec, description)), async (session, [text], input, out) => {
    const id = await contactIdOf(session, text);
    const { data, said } = await run(session, id, input);
    out.result(data, said);
  });
}

export function contactCommands(program: Command) {
  const contact = program
    .command('contact')
    .description('the networking list: people to learn from (a contact is named by id, its first 6 characters, email or name)');
  addCommand(contact);
  importCommand(contact);
  contactShowCommand(contact);
  const same = (cmd: Command) => cmd;

  onContact(
    contact,
    'change <contact>',
    "correct a contact's details",
    (c) => contactOptions(c).option('--name <name>', 'full name'),
    async (s, id, input) => ({
      data: await changeContact(s.ctx, { contact: id, ...input }),
      said: `Changed ${await nameOf(s, id)}`,
    }),
  );
  onContact(
    contact,
    'note <contact>',
    'add a research note',
    (c) => c.requiredOption('--text <text>', 'the note'),
    async (s, id, input) => ({
      data: await addResearchNote(s.ctx, { contact: id, ...input }),
      said: `Noted on ${await nameOf(s, id)}`,
    }),
  );
  onContact(
    contact,
    'questions <contact>',
    'prepare questions for the conversation',
    (c) => c.requiredOption('--question <text>', 'a question (repeatable)', collect),
    async (s, id, input) => ({ data: await prepareQuestions(s.ctx, { contact: id, ...input }), said: `Questions prepared for ${await nameOf(s, id)}` }),
  );
  onContact(
    contact,
    'reply <contact>',
    'record that the contact replied (stops nudges and keep-in-touch)',
    (c) => c.option('--summary <text>', 'what they said'),
    async (s, id, input) => ({
      data: await recordReply(s.ctx, { contact: id, ...input }),
      said: `Reply from ${await nameOf(s, id)} recorded: their nudges and keep-in-touch notes are withdrawn`,
    }),
  );
  onContact(
    contact,
    'update <contact>',
    'your news for their next keep-in-touch note (without one, the note waits)',
    (c) => c.requiredOption('--text <text>', 'what you have done since, e.g. "I started the data course you recommended"'),
    async (s, id, input) => ({
      data: await writeUpdate(s.ctx, { contact: id, ...input }),
      said: `Update written: it goes with the next keep-in-touch note to ${await nameOf(s, id)}`,
    }),
  );
  onContact(contact, 'opt-out <contact>', 'the contact asked for no more email', same, async (s, id) => ({
    data: await optOut(s.ctx, { contact: id }),
    said: `${await nameOf(s, id)} opted out: no more email will be sent`,
  }));
  onContact(
    contact,
    'forget <contact>',
    "erase the contact's personal data for good (right to be forgotten); asks first on a terminal",
    (c) => c.option('--yes', 'do not ask (scripts)'),
    async (s, id, input) => {
      const name = await nameOf(s, id);
      if (!input['yes'] && !(await confirm(`Forget ${name} for good? Their details, notes and emails cannot be read again. Type "yes": `))) {
        throw illegal('forget: not confirmed; nothing was changed (add --yes in scripts)');
      }
      return { data: await forgetContact(s.ctx, { contact: id }), said: `${name} forgotten` };
    },
  );
  onContact(
    contact,
    'lead <contact>',
    'record a job lead that came from this contact',
    (c) =>
      c
        .requiredOption('--description <text>', 'the lead')
        .option('--org <organisation>', 'the hiring organisation')
        .option('--meeting <meeting>', 'the meeting it came from'),
    async (s, id, input) => {
      const meeting = input['meeting'] ? await meetingIdOf(s, String(input['meeting'])) : undefined;
      return {
        data: await reportJobLead(s.ctx, { contact: id, ...input, ...(meeting ? { meeting } : {}) }),
        said: `Job lead recorded for ${await nameOf(s, id)}`,
      };
    },
  );
}
