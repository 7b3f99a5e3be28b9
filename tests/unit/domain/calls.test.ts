import { describe, expect, it } from 'vitest';
import { proposedCallTimes } from '../../../src/domain/calls.ts';
import type { ContactEvent, MeetingEvent } from '../../../src/domain/events.ts';
import { meetingDecider, type MeetingCommand } from '../../../src/domain/meeting.ts';
import { deciderSpec } from '../../support/decider-spec.ts';
import { CONTACT_ID, contactAdded, contactWith, NOW, requested } from '../../support/domain-fixtures.ts';

const GATEKEEPER = '01a22886-c6a0-70f9-ab35-52ff5a5432c9';
const contact = contactWith(contactAdded({ timezone: 'Europe/London' }));
const gatekeeper = contactWith(contactAdded({ contactId: GATEKEEPER, name: 'Dana Reyes', email: 'dana@front.example' }) as ContactEvent);
const spec = deciderSpec(meetingDecider, { contact, gatekeeper });
const london = { zone: 'Europe/London', hours: { start: '09:00', end: '17:30', days: [1, 2, 3, 4, 5] } };
// Monday 30 November 2026, noon.
const call = (
  outcome: Extract<MeetingCommand, { type: 'LogCall' }>['outcome'],
  extra: Partial<Extract<MeetingCommand, { type: 'LogCall' }>> = {},
): MeetingCommand => ({
  type: 'LogCall',
  outcome,
  window: london,
  now: NOW,
  ...extra,
});
const byPhone = requested({ channel: 'phone' });
const logged = (attempt: number, outcome: 'voicemail' | 'no-answer' | 'call-back' = 'voicemail'): MeetingEvent => ({
  type: 'CallLogged',
  data: { outcome, attempt, calledAt: '2026-11-27T10:00:00Z' },
});

describe('telephone calls', () => {
  it('a call-back is due when they asked to be called', () => {
    spec
      .given([byPhone])
      .when(call('call-back', { callBackAt: '2026-12-01T14:00:00Z' }))
      .then([{ type: 'CallLogged', data: { outcome: 'call-back', attempt: 1, nextCallAt: '2026-12-01T14:00:00Z', calledAt: NOW } }]);
  });

  it('a call-back needs the time they asked for', () => {
    spec
      .given([byPhone])
      .when(call('call-back'))
      .thenRefused('illegal_state', /needs the time/);
  });

  it('a voicemail is followed by another try at the start of the next business day', () => {
    spec
      .given([byPhone])
      .when(call('voicemail'))
      .then([{ type: 'CallLogged', data: { outcome: 'voicemail', attempt: 1, nextCallAt: '2026-12-01T09:00:00Z', calledAt: NOW } }]);
  });

  it('no answer on a Friday is tried again on Monday', () => {
    spec
      .given([byPhone])
      .when(call('no-answer', { now: '2026-12-04T15:00:00Z' }))
      .then([{ type: 'CallLogged', data: { outcome: 'no-answer', attempt: 1, nextCallAt: '2026-12-07T09:00:00Z', calledAt: '2026-12-04T15:00:00Z' } }]);
  });

  it('a third unanswered call is the last: no further try is scheduled', () => {
    spec
      .given([byPhone, logged(1), logged(2, 'no-answer')])
      .when(call('voicemail'))
      .then([{ type: 'CallLogged', data: { outcome: 'voicemail', attempt: 3, calledAt: NOW } }]);
  });

  it('a call that booked the meeting books it', () => {
    const booking = { start: '2026-12-03T10:00:00Z', minutes: 20, timezone: 'Europe/London' };
    spec
      .given([byPhone])
      .when({ ...call('booked'), booking } as MeetingCommand)
      .then([
        { type: 'CallLogged', data: { outcome: 'booked', attempt: 1, calledAt: NOW } },
        { type: 'MeetingBooked', data: { ...booking, bookedAt: NOW } },
      ]);
  });

  it('a declined call ends the request, declined by the contact', () => {
    spec
      .given([byPhone])
      .when(call('declined'))
      .then([
        { type: 'CallLogged', data: { outcome: 'declined', attempt: 1, calledAt: NOW } },
        { type: 'MeetingCancelled', data: { by: 'contact', source: 'seeker', reason: 'declined on the telephone', cancelledAt: NOW } },
      ]);
  });

  it('the switchboard giving the name or direct line is an introduction', () => {
    spec
      .given([requested({ channel: 'phone', via: 'gatekeeper' })])
      .when(call('gave-name'))
      .then([
        { type: 'CallLogged', data: { outcome: 'gave-name', attempt: 1, calledAt: NOW } },
        { type: 'GatekeeperIntroduced', data: { introducedAt: NOW } },
      ]);
  });

  it('no call is logged on a meeting already booked', () => {
    spec
      .given([byPhone, { type: 'MeetingBooked', data: { start: '2026-12-03T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: NOW } }])
      .when(call('voicemail'))
      .thenRefused('illegal_state', /the meeting is booked/);
  });

  it("two times to offer fall in the contact's business hours on the next two business days", () => {
    expect(proposedCallTimes('2026-12-04T15:00:00Z', london)).toEqual(['2026-12-07T10:00:00.000Z', '2026-12-08T13:45:00.000Z']);
  });
});

describe('requests through a gatekeeper', () => {
  const viaGatekeeper = (over: Partial<Parameters<typeof requested>[0]> = {}): MeetingCommand => ({
    type: 'RequestMeeting',
    request: requested({ via: 'gatekeeper', gatekeeperContactId: GATEKEEPER, ...over }).data as never,
    now: NOW,
  });

  it('a request through a gatekeeper names them', () => {
    spec
      .given([])
      .when(viaGatekeeper({ gatekeeperContactId: undefined }))
      .thenRefused('validation', /--gatekeeper/);
  });

  it('a call to the switchboard needs no gatekeeper named', () => {
    spec
      .given([])
      .when(viaGatekeeper({ gatekeeperContactId: undefined, channel: 'phone' }))
      .then([requested({ via: 'gatekeeper', channel: 'phone' })]);
  });

  it('the gatekeeper is not the person sought', () => {
    spec
      .given([])
      .when(viaGatekeeper({ gatekeeperContactId: CONTACT_ID }))
      .thenRefused('validation', /not the person sought/);
  });

  it("a request by email through a gatekeeper needs the gatekeeper's address, not the person's", () => {
    const noEmail = contactWith(contactAdded({ email: undefined }));
    deciderSpec(meetingDecider, { contact: noEmail, gatekeeper })
      .given([])
      .when(viaGatekeeper())
      .then([requested({ via: 'gatekeeper', gatekeeperContactId: GATEKEEPER })]);
    const gatekeeperNoEmail = contactWith(contactAdded({ contactId: GATEKEEPER, email: undefined }) as ContactEvent);
    deciderSpec(meetingDecider, { contact, gatekeeper: gatekeeperNoEmail })
      .given([])
      .when(viaGatekeeper())
      .thenRefused('illegal_state', /the gatekeeper has no email address/);
  });

  it('the email to the gatekeeper goes once, and not after the introduction', () => {
    const sent: MeetingCommand = { type: 'RecordGatekeeperEmailSent', messageId: '<g@x>', subject: 'Could you help me reach Ada?', now: NOW };
    spec
      .given([requested({ via: 'gatekeeper', gatekeeperContactId: GATEKEEPER })])
      .when(sent)
      .then([{ type: 'GatekeeperEmailSent', data: { messageId: '<g@x>', sentAt: NOW, subject: 'Could you help me reach Ada?' } }]);
    spec
      .given([requested({ via: 'gatekeeper', gatekeeperContactId: GATEKEEPER }), { type: 'GatekeeperIntroduced', data: { introducedAt: NOW } }])
      .when(sent)
      .thenRefused('illegal_state', /already introduced/);
  });

  it('an introduction is recorded once', () => {
    spec
      .given([requested({ via: 'gatekeeper', gatekeeperContactId: GATEKEEPER }), { type: 'GatekeeperIntroduced', data: { introducedAt: NOW } }])
      .when({ type: 'RecordIntroduction', now: NOW })
      .thenNothing();
  });

  it('an introduction by email waits until the person sought has an email address', () => {
    const noAddress = contactWith(contactAdded({ email: undefined, phone: '+44 20 7946 0000' }));
    deciderSpec(meetingDecider, { contact: noAddress, gatekeeper })
      .given([requested({ via: 'gatekeeper', gatekeeperContactId: GATEKEEPER })])
      .when({ type: 'RecordIntroduction', now: NOW })
      .thenRefused('illegal_state', /Ada Lovelace has no email address/);
  });

  it('only a request through a gatekeeper has an introduction', () => {
    spec
      .given([requested()])
      .when({ type: 'RecordIntroduction', now: NOW })
      .thenRefused('illegal_state', /did not go through a gatekeeper/);
  });

  it('a referral is credited to a held meeting only, once', () => {
    const held: MeetingEvent = { type: 'MeetingHeld', data: { heldAt: NOW, actualMinutes: 20, referralsAsked: 2, businessCards: 0 } };
    const booked: MeetingEvent = { type: 'MeetingBooked', data: { start: '2026-11-29T10:00:00Z', minutes: 20, timezone: 'Europe/London', bookedAt: NOW } };
    const credit: MeetingCommand = { type: 'RecordReferral', contactId: GATEKEEPER, now: NOW };
    spec
      .given([requested(), booked])
      .when(credit)
      .thenRefused('illegal_state', /the meeting is booked/);
    spec
      .given([requested(), booked, held])
      .when(credit)
      .then([{ type: 'ReferralGiven', data: { contactId: GATEKEEPER, recordedAt: NOW } }]);
    spec
      .given([requested(), booked, held, { type: 'ReferralGiven', data: { contactId: GATEKEEPER, recordedAt: NOW } }])
      .when(credit)
      .thenNothing();
  });
});
