import { describe, it } from 'vitest';
import { contactDecider, type ContactCommand } from '../../../src/domain/contact.ts';
import type { ContactEvent } from '../../../src/domain/events.ts';
import { deciderSpec } from '../../support/decider-spec.ts';
import { CONTACT_ID, contactAdded, MEETING_ID, NOW } from '../../support/domain-fixtures.ts';

const spec = deciderSpec(contactDecider, undefined);
const DRAFT = '01a22886-0000-7000-8000-0000000000d1';
const draft = {
  draftId: DRAFT,
  effect: 'request-email:01a22886-0000-7000-8000-000000000001',
  kind: 'request-email' as const,
  meetingId: MEETING_ID,
  toContactId: CONTACT_ID,
  subject: '20 minutes of your advice?',
  text: 'Dear Ada,\n\n…',
  draftedAt: '2026-11-30T09:00:00.000Z',
};
const drafted: ContactEvent = { type: 'EmailDrafted', data: draft };
const approve: ContactCommand = { type: 'ApproveDraft', draftId: DRAFT, now: NOW };

describe('review before send', () => {
  it('an email held for review is drafted once per effect', () => {
    spec.given([contactAdded()]).when({ type: 'RecordDraft', draft, now: NOW }).then([drafted]);
    spec.given([contactAdded(), drafted]).when({ type: 'RecordDraft', draft, now: NOW }).thenNothing();
  });

  it('approving a waiting draft records the approval', () => {
    spec
      .given([contactAdded(), drafted])
      .when(approve)
      .then([{ type: 'DraftApproved', data: { draftId: DRAFT, approvedAt: NOW } }]);
  });

  it('approving twice records one approval, so the email goes once', () => {
    spec
      .given([contactAdded(), drafted, { type: 'DraftApproved', data: { draftId: DRAFT, approvedAt: NOW } }])
      .when(approve)
      .thenNothing();
  });

  it('a discarded draft cannot be approved', () => {
    spec
      .given([contactAdded(), drafted, { type: 'DraftDiscarded', data: { draftId: DRAFT, discardedAt: NOW } }])
      .when(approve)
      .thenRefused('illegal_state', /discarded/);
  });

  it('a draft whose contact replied since is withdrawn: it can only be discarded', () => {
    const replied: ContactEvent = { type: 'ReplyReceived', data: { receivedAt: '2026-11-30T10:00:00.000Z' } };
    spec
      .given([contactAdded(), drafted, replied])
      .when({ ...approve, withdrawn: 'the contact replied' } as ContactCommand)
      .thenRefused('illegal_state', /withdrawn \(the contact replied\)/);
    spec
      .given([contactAdded(), drafted, replied])
      .when({ type: 'DiscardDraft', draftId: DRAFT, now: NOW })
      .then([{ type: 'DraftDiscarded', data: { draftId: DRAFT, discardedAt: NOW } }]);
  });

  it('a draft to a contact who opted out is withdrawn', () => {
    const optedOut: ContactEvent = { type: 'ContactOptedOut', data: { source: 'reply', optedOutAt: NOW } };
    spec
      .given([contactAdded(), drafted, optedOut])
      .when(approve)
      .thenRefused('illegal_state', /opted out/);
  });

  it('a waiting draft can be edited; an approved one cannot', () => {
    const edit: ContactCommand = { type: 'EditDraft', draftId: DRAFT, subject: 'A shorter subject', text: 'New words', now: NOW };
    spec
      .given([contactAdded(), drafted])
      .when(edit)
      .then([{ type: 'DraftEdited', data: { draftId: DRAFT, subject: 'A shorter subject', text: 'New words', editedAt: NOW } }]);
    spec
      .given([contactAdded(), drafted, { type: 'DraftApproved', data: { draftId: DRAFT, approvedAt: NOW } }])
      .when(edit)
      .thenRefused('illegal_state', /already approved/);
  });

  it('an unknown draft is refused', () => {
    spec
      .given([contactAdded()])
      .when(approve)
      .thenRefused('illegal_state', /does not exist/);
  });
});
