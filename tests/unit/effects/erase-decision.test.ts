import { describe, expect, it } from 'vitest';
import { decideErase } from '../../../src/app/effects/erase/decide.ts';
import { CONTACT_ID, MEETING_ID } from '../../support/domain-fixtures.ts';

describe("erasing a forgotten contact's local copies", () => {
  it('a contact still known keeps their copies', () => {
    expect(decideErase(CONTACT_ID, { forgotten: false, meetingIds: [MEETING_ID] })).toEqual({ decision: 'skip', reason: 'the contact is not forgotten' });
  });

  it("a forgotten contact's mail and their meetings' invitations are erased", () => {
    expect(decideErase(CONTACT_ID, { forgotten: true, meetingIds: [MEETING_ID] })).toEqual({
      decision: 'perform',
      intent: { contactId: CONTACT_ID, meetingIds: [MEETING_ID] },
    });
  });
});
