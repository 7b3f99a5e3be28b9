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
import { loadExisting } from '../../app/handle.ts';
import { invalid } from '../../domain/errors.ts';
import { act, collect, leaf } from '../define.ts';
import { progressBar } from '../output.ts';

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
    .option('--tag <tag>', 'a tag (repeatable)', collect);

export function contactCommands(program: Command) {
  const contact = program.command('contact').description('the networking list: people to learn from');

  act(
    contactOptions(leaf(contact, 'add', 'add a person to the networking list').requiredOption('--name <name>', 'full name'))
      .option(
        '--source <source>',
        'friend | family | colleague | organisation | neighbour | community | linkedin | social | directory | association | referral | other',
      )
      .option('--referred-by <contactId>', 'the contact who referred this person')
      .option('--referral-meeting <meetingId>', 'the meeting in which the referral was given'),
    async ({ ctx }, _args, input, out) => {
      const r = await addContact(ctx, input);
      out.result({ id: r.id, ...r.contact }, `Added ${r.contact.name} (contact ${r.id})`);
    },
  );

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
        `Imported ${r.imported} of ${r.rows} rows (${r.format} format) in ${seconds.toFixed(1)} s`,
        `  duplicates skipped: ${r.duplicates}`,
        `  rejected:           ${r.rejected.length}`,
        ...r.rejected.slice(0, 50).map((x) => `    line ${x.line}: ${x.reason}`),
        ...(r.rejected.length > 50 ? [`    … and ${r.rejected.length - 50} more (use --json for all)`] : []),
      ].join('\n'),
    );
  });

  act(
    contactOptions(leaf(contact, 'change <contactId>', "correct a contact's details").option('--name <name>', 'full name')),
    async ({ ctx }, [id], input, out) => {
      const r = await changeContact(ctx, { contact: id, ...input });
      out.result(r, `Changed contact ${id}`);
    },
  );

  act(leaf(contact, 'show <contactId>', 'show a contact'), async ({ ctx }, [id], _input, out) => {
    const { state } = await loadExisting(ctx, contactAggregate, id!);
    out.result({ id, ...state }, () =>
      [
        `${state.details?.name ?? '(forgotten)'}${state.details?.email ? ` <${state.details.email}>` : ''} — ${state.status.replace('_', ' ')}`,
        ...(state.details?.organisation ? [`  ${state.details.role ?? ''}${state.details.role ? ' at ' : ''}${state.details.organisation}`] : []),
        `  source: ${state.source ?? '-'}${state.referredBy ? `, referred by ${state.referredBy.contactId}` : ''}`,
        `  meetings: ${state.meetingIds.length ? state.meetingIds.join(', ') : 'none'}; research notes: ${state.researchNotes}; questions: ${state.questions}`,
      ].join('\n'),
    );
  });

  act(leaf(contact, 'note <contactId>', 'add a research note').requiredOption('--text <text>', 'the note'), async ({ ctx }, [id], input, out) =>
    out.result(await addResearchNote(ctx, { contact: id, ...input }), `Noted on contact ${id}`),
  );

  act(
    leaf(contact, 'questions <contactId>', 'prepare questions for the conversation').requiredOption('--question <text>', 'a question (repeatable)', collect),
    async ({ ctx }, [id], input, out) => out.result(await prepareQuestions(ctx, { contact: id, ...input }), `Questions prepared for contact ${id}`),
  );

  act(
    leaf(contact, 'reply <contactId>', 'record that the contact replied (stops nudges and keep-in-touch)').option('--summary <text>', 'what they said'),
    async ({ ctx }, [id], input, out) => out.result(await recordReply(ctx, { contact: id, ...input }), `Reply recorded for contact ${id}`),
  );

  act(
    leaf(contact, 'update <contactId>', 'your news for their next keep-in-touch note (without one, the note waits)').requiredOption(
      '--text <text>',
      'what you have done since, e.g. "I started the data course you recommended"',
    ),
    async ({ ctx }, [id], input, out) =>
      out.result(await writeUpdate(ctx, { contact: id, ...input }), `Update written: it goes with the next keep-in-touch note to contact ${id}`),
  );

  act(leaf(contact, 'opt-out <contactId>', 'the contact asked for no more email'), async ({ ctx }, [id], _input, out) =>
    out.result(await optOut(ctx, { contact: id }), `Contact ${id} opted out: no more email will be sent`),
  );

  act(leaf(contact, 'forget <contactId>', "erase the contact's personal data (right to be forgotten)"), async ({ ctx }, [id], _input, out) =>
    out.result(await forgetContact(ctx, { contact: id }), `Contact ${id} forgotten`),
  );

  act(
    leaf(contact, 'lead <contactId>', 'record a job lead that came from this contact')
      .requiredOption('--description <text>', 'the lead')
      .option('--org <organisation>', 'the hiring organisation')
      .option('--meeting <meetingId>', 'the meeting it came from'),
    async ({ ctx }, [id], input, out) => out.result(await reportJobLead(ctx, { contact: id, ...input }), `Job lead recorded for contact ${id}`),
  );
}
