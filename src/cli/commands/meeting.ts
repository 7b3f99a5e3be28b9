import type { Command } from 'commander';
import { contactAggregate, meetingAggregate } from '../../app/aggregates.ts';
import { load, loadExisting } from '../../app/handle.ts';
import {
  bookMeeting,
  cancelMeeting,
  holdMeeting,
  logCall,
  recordIntroduction,
  recordNoShow,
  requestMeeting,
  rescheduleMeeting,
} from '../../app/meeting-commands.ts';
import { loadWorkspace } from '../../app/workspace-commands.ts';
import { act, leaf } from '../define.ts';
import { contactIdOf, meetingIdOf } from '../lookup.ts';
import type { Session } from '../session.ts';
import { shortId, when } from '../words.ts';
import { meetingLines } from './contact-show.ts';

/** Who a meeting is with, by name, for the sentence that reports what was done. */
async function withWhom(session: Session, meetingId: string) {
  const { state } = await load(session.ctx, meetingAggregate, meetingId);
  const contact = state.request ? (await load(session.ctx, contactAggregate, state.request.contactId)).state.details?.name : undefined;
  return contact ?? `meeting ${shortId(meetingId)}`;
}

/** The booked time as a person reads it, in the meeting's zone: "Thu, 10 Dec 2026, 10:00 (Europe/London)". */
async function bookedTime(session: Session, meetingId: string) {
  const { booking } = (await load(session.ctx, meetingAggregate, meetingId)).state;
  return booking ? `${when(booking.start, booking.timezone)} (${booking.timezone}), ${booking.minutes} minutes` : 'the time given';
}

/**
 * A command on one meeting: its id first (an id prefix, or a contact's name or email for their
 * latest meeting); `--meeting <id>` is still accepted, as earlier versions had it.
 */
function onMeeting(
  parent: Command,
  spec: string,
  description: string,
  build: (cmd: Command) => Command,
  run: (session: Session, id: string, input: Record<string, unknown>) => Promise<{ data: unknown; said: string }>,
) {
  act(
    build(leaf(parent, `${spec} [meeting]`, description).option('--meeting <meeting>', '(the same as the first argument)')),
    async (session, args, input, out) => {
      const { meeting: option, ...rest } = input;
      const id = await meetingIdOf(session, (args as string[])[0] ?? (option as string | undefined));
      const { data, said } = await run(session, id, rest);
      out.result(data, said);
    },
  );
}

function requestCommand(meeting: Command) {
  act(
    leaf(meeting, 'request [contact]', 'ask a contact for a short conversation (by email, by telephone, or through a gatekeeper)')
      .option('--contact <contact>', '(the same as the first argument)')
      .requiredOption('--minutes <n>', '15, 20 or 30')
      .option('--via <how>', 'direct | gatekeeper (default direct)')
      .option('--gatekeeper <contact>', 'through a gatekeeper: the contact asked to introduce you (a receptionist, an assistant, a colleague)')
      .option('--referral <contact>', 'the contact whose name opens the door')
      .option('--channel <channel>', 'email | phone | in-person (default email)')
      .option('--target <career>', "the career target it is about (default: the contact's)"),
    async (session, args, input, out) => {
      const { contact: option, referral, gatekeeper, ...rest } = input;
      const contact = await contactIdOf(session, (args as string[])[0] ?? (option as string | undefined));
      const refs = {
        ...(referral ? { referral: await contactIdOf(session, String(referral), 'referral') } : {}),
        ...(gatekeeper ? { gatekeeper: await contactIdOf(session, String(gatekeeper), 'gatekeeper') } : {}),
      };
      const r = await requestMeeting(session.ctx, { contact, ...rest, ...refs });
      const how =
        String(input['channel'] ?? '').toLowerCase() === 'phone'
          ? `by telephone: \`outreach call ${shortId(r.id)}\` prints your script`
          : input['via'] === 'gatekeeper'
            ? 'the email goes to the gatekeeper, asking for an introduction'
            : 'the request email goes in their business hours (or waits for your review: `outreach drafts`)';
      out.result(r, `Requested a meeting with ${await withWhom(session, r.id)} (meeting ${shortId(r.id)}); ${how}`);
    },
  );
}

export function meetingCommands(program: Command) {
  const meeting = program
    .command('meeting')
    .description('informational interviews: request, book, hold (a meeting is named by id, its first 6 characters, or its contact)');
  requestCommand(meeting);

  onMeeting(
    meeting,
    'book',
    'book the agreed time',
    (c) =>
      c
        .requiredOption('--at <datetime>', 'start, ISO 8601 with offset, e.g. 2026-12-03T10:00:00+01:00')
        .option('--minutes <n>', 'agreed length (default: as requested)')
        .option('--timezone <zone>', "the meeting's time zone (default: the contact's)")
        .option('--location <place>', 'where')
        .option('--video-url <url>', 'video link')
        .option('--past', 'record a meeting that already took place (a time in the past is otherwise refused)'),
    async (s, id, input) => {
      const data = await bookMeeting(s.ctx, { meeting: id, ...input });
      return { data, said: `Booked ${await withWhom(s, id)} for ${await bookedTime(s, id)}` };
    },
  );
  onMeeting(
    meeting,
    'reschedule',
    'move a booked meeting',
    (c) =>
      c
        .requiredOption('--at <datetime>', 'new start, ISO 8601 with offset')
        .option('--minutes <n>', 'new length')
        .option('--timezone <zone>', 'time zone')
        .option('--past', 'record that it took place at an earlier time (a time in the past is otherwise refused)'),
    async (s, id, input) => ({
      data: await rescheduleMeeting(s.ctx, { meeting: id, ...input }),
      said: `Moved the meeting with ${await withWhom(s, id)} to ${await bookedTime(s, id)}`,
    }),
  );
  onMeeting(
    meeting,
    'cancel',
    'cancel a requested or booked meeting (also to undo one recorded by mistake)',
    (c) => c.option('--by <who>', 'seeker | contact (default seeker)').option('--reason <text>', 'why'),
    async (s, id, input) => ({ data: await cancelMeeting(s.ctx, { meeting: id, ...input }), said: `Cancelled the meeting with ${await withWhom(s, id)}` }),
  );
  onMeeting(
    meeting,
    'no-show',
    'the contact did not come',
    (c) => c,
    async (s, id) => ({
      data: await recordNoShow(s.ctx, { meeting: id }),
      said: `Recorded that ${await withWhom(s, id)} did not come`,
    }),
  );
  onMeeting(
    meeting,
    'held',
    'record the conversation (the thank-you is scheduled from it)',
    (c) =>
      c
        .requiredOption('--at <datetime>', 'when it ended, ISO 8601 with offset')
        .requiredOption('--minutes <n>', 'how long it actually took')
        .option('--referrals <n>', 'referrals received (the method asks for two)')
        .option('--cards <n>', 'business cards received')
        .option('--sentiment <s>', 'positive | neutral | negative')
        .option('--notes <text>', 'notes')
        .option('--insights <text>', 'a line worth quoting in the thank-you, e.g. "how portfolio work beats certificates"'),
    async (s, id, input) => ({
      data: await holdMeeting(s.ctx, { meeting: id, ...input }),
      said: `Meeting with ${await withWhom(s, id)} held: the thank-you is scheduled`,
    }),
  );
  onMeeting(
    meeting,
    'introduced',
    'the gatekeeper put you in touch: the request now goes to the person',
    (c) => c,
    async (s, id) => ({
      data: await recordIntroduction(s.ctx, { meeting: id }),
      said: `Introduction recorded: the request now goes to ${await withWhom(s, id)} in their business hours (or waits for your review: \`outreach drafts\`)`,
    }),
  );
  onMeeting(
    meeting,
    'call',
    'log a telephone call and how it ended',
    (c) =>
      c
        .requiredOption('--outcome <outcome>', 'booked | call-back | voicemail | no-answer | declined | gave-name')
        .option('--at <datetime>', 'booked: when the meeting is; call-back: when to call again (ISO 8601 with offset)')
        .option('--minutes <n>', 'booked: the agreed length')
        .option('--location <place>', 'booked: where')
        .option('--video-url <url>', 'booked: video link')
        .option('--notes <text>', 'what was said'),
    async (s, id, input) => {
      const r = await logCall(s.ctx, { meeting: id, ...input });
      const settled = r.events.length > 1 ? ` (${r.events.slice(1).join(', ')})` : '';
      return { data: r, said: `Call with ${await withWhom(s, id)} logged: ${String(input['outcome'])}${settled}` };
    },
  );
  onMeeting(
    meeting,
    'show',
    'a meeting: who, when, how it went, what was said',
    (c) => c,
    async (s, id) => {
      const { state } = await loadExisting(s.ctx, meetingAggregate, id);
      const zone = (await loadWorkspace(s.ctx)).config?.timezone ?? 'UTC';
      return { data: { id, ...state }, said: [`Meeting with ${await withWhom(s, id)}`, ...meetingLines(id, state, zone)].join('\n') };
    },
  );
}
