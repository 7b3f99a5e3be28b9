import type { Command } from 'commander';
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
import { meetingAggregate } from '../../app/aggregates.ts';
import { loadExisting } from '../../app/handle.ts';
import { act, leaf } from '../define.ts';

export function meetingCommands(program: Command) {
  const meeting = program.command('meeting').description('informational interviews: request, book, hold');

  act(
    leaf(meeting, 'request', 'ask a contact for a short conversation')
      .requiredOption('--contact <id>', 'who to ask')
      .requiredOption('--minutes <n>', '15, 20 or 30')
      .option('--via <how>', 'direct | gatekeeper (default direct)')
      .option('--gatekeeper <contactId>', 'through a gatekeeper: the contact asked to introduce you (a receptionist, an assistant, a colleague)')
      .option('--referral <contactId>', 'the contact whose name opens the door')
      .option('--channel <channel>', 'email | phone | in-person (default email)'),
    async ({ ctx }, _args, input, out) => {
      const r = await requestMeeting(ctx, input);
      const how =
        input['channel'] === 'phone'
          ? `by telephone: \`outreach call ${r.id}\` prints your script`
          : input['via'] === 'gatekeeper'
            ? 'the email goes to the gatekeeper, asking for an introduction'
            : 'the request email goes in business hours';
      out.result(r, `Requested a meeting with contact ${r.contactId} (meeting ${r.id}); ${how}`);
    },
  );

  act(leaf(meeting, 'introduced <meetingId>', 'the gatekeeper put you in touch: the request now goes to the person'), async ({ ctx }, [id], _input, out) =>
    out.result(
      await recordIntroduction(ctx, { meeting: id }),
      `Introduction recorded for meeting ${id}: the request now goes to the person you were introduced to`,
    ),
  );

  act(
    leaf(meeting, 'call <meetingId>', 'log a telephone call and how it ended')
      .requiredOption('--outcome <outcome>', 'booked | call-back | voicemail | no-answer | declined | gave-name')
      .option('--at <datetime>', 'booked: when the meeting is; call-back: when to call again (ISO 8601 with offset)')
      .option('--minutes <n>', 'booked: the agreed length')
      .option('--location <place>', 'booked: where')
      .option('--video-url <url>', 'booked: video link')
      .option('--notes <text>', 'what was said'),
    async ({ ctx }, [id], input, out) => {
      const r = await logCall(ctx, { meeting: id, ...input });
      out.result(r, `Call logged for meeting ${id}: ${String(input['outcome'])}${r.events.length > 1 ? ` (${r.events.slice(1).join(', ')})` : ''}`);
    },
  );

  act(
    leaf(meeting, 'book', 'book the agreed time')
      .requiredOption('--meeting <id>', 'the meeting')
      .requiredOption('--at <datetime>', 'start, ISO 8601 with offset, e.g. 2026-12-03T10:00:00+01:00')
      .option('--minutes <n>', 'agreed length (default: as requested)')
      .option('--timezone <zone>', "the meeting's time zone (default: the contact's)")
      .option('--location <place>', 'where')
      .option('--video-url <url>', 'video link'),
    async ({ ctx }, _args, input, out) => {
      const r = await bookMeeting(ctx, input);
      out.result(r, `Booked meeting ${r.id} at ${String(input['at'])}`);
    },
  );

  act(
    leaf(meeting, 'reschedule <meetingId>', 'move a booked meeting')
      .requiredOption('--at <datetime>', 'new start, ISO 8601 with offset')
      .option('--minutes <n>', 'new length')
      .option('--timezone <zone>', 'time zone'),
    async ({ ctx }, [id], input, out) => out.result(await rescheduleMeeting(ctx, { meeting: id, ...input }), `Rescheduled meeting ${id}`),
  );

  act(
    leaf(meeting, 'cancel <meetingId>', 'cancel a requested or booked meeting')
      .option('--by <who>', 'seeker | contact (default seeker)')
      .option('--reason <text>', 'why'),
    async ({ ctx }, [id], input, out) => out.result(await cancelMeeting(ctx, { meeting: id, ...input }), `Cancelled meeting ${id}`),
  );

  act(leaf(meeting, 'no-show <meetingId>', 'the contact did not come'), async ({ ctx }, [id], _input, out) =>
    out.result(await recordNoShow(ctx, { meeting: id }), `Recorded a no-show for meeting ${id}`),
  );

  act(
    leaf(meeting, 'held <meetingId>', 'record the conversation (the thank-you is scheduled from it)')
      .requiredOption('--at <datetime>', 'when it ended, ISO 8601 with offset')
      .requiredOption('--minutes <n>', 'how long it actually took')
      .option('--referrals <n>', 'referrals received (the method asks for two)')
      .option('--cards <n>', 'business cards received')
      .option('--sentiment <s>', 'positive | neutral | negative')
      .option('--notes <text>', 'notes')
      .option('--insights <text>', 'a line worth quoting in the thank-you, e.g. "how portfolio work beats certificates"'),
    async ({ ctx }, [id], input, out) => out.result(await holdMeeting(ctx, { meeting: id, ...input }), `Meeting ${id} held`),
  );

  act(leaf(meeting, 'show <meetingId>', 'show a meeting'), async ({ ctx }, [id], _input, out) => {
    const { state } = await loadExisting(ctx, meetingAggregate, id!);
    out.result({ id, ...state }, () =>
      [
        `Meeting ${id} — ${state.status.replace('_', ' ')}`,
        `  contact: ${state.request?.contactId}; ${state.request?.minutes} minutes by ${state.request?.channel} (${state.request?.via})`,
        ...(state.booking ? [`  booked:  ${state.booking.start} (${state.booking.timezone}), ${state.booking.minutes} minutes`] : []),
        ...(state.held ? [`  held:    ${state.held.heldAt}, ${state.held.actualMinutes} minutes, ${state.held.referralsAsked} referrals`] : []),
        ...(state.thankYou ? [`  thanked: ${state.thankYou.sentAt}`] : []),
      ].join('\n'),
    );
  });
}
