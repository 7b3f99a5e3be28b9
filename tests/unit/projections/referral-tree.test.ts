import { describe, expect, it } from 'vitest';
import { contactAdded, eventLog, heldMeeting, id } from './support/log.ts';
import { project } from './support/harness.ts';

describe('referral tree read model', () => {
  const chain = () => {
    const log = eventLog();
    heldMeeting(log, 1, 1);
    log.contact(id(2), 'ContactAdded', contactAdded(2, { source: 'referral', referredBy: { contactId: id(1), meetingId: id(1, 'm') } }));
    log.contact(id(3), 'ContactAdded', contactAdded(3, { source: 'referral', referredBy: { contactId: id(2) } }));
    log.contact(id(4), 'ContactAdded', contactAdded(4, { source: 'referral', referredBy: { contactId: id(1), meetingId: id(1, 'm') } }));
    return log;
  };

  it('a contact the seeker knew is a root at depth 0', () => {
    const log = eventLog();
    log.contact(id(1), 'ContactAdded', contactAdded(1));
    expect(project(log.events).rows('referral-tree')).toEqual([
      {
        contactId: id(1),
        workspaceId: 'ws-a',
        name: 'Ada Person1',
        organisation: 'Northwind Analytics',
        referredBy: null,
        meetingId: null,
        depth: 0,
        rootId: id(1),
        referrals: 0,
      },
    ]);
  });

  it('a referred contact sits one level below its referrer, with the meeting the referral came from', () => {
    const rows = project(chain().events).rows('referral-tree');
    expect(rows.find((r) => r['contactId'] === id(2))).toMatchObject({ referredBy: id(1), meetingId: id(1, 'm'), depth: 1, rootId: id(1) });
    expect(rows.find((r) => r['contactId'] === id(3))).toMatchObject({ referredBy: id(2), meetingId: null, depth: 2, rootId: id(1) });
  });

  it('each node counts the contacts it referred', () => {
    const rows = project(chain().events).rows('referral-tree');
    expect(Object.fromEntries(rows.map((r) => [r['contactId'], r['referrals']]))).toEqual({ [id(1)]: 2, [id(2)]: 1, [id(3)]: 0, [id(4)]: 0 });
  });

  it('the tree is listed depth-first under its root', () => {
    expect(
      project(chain().events)
        .rows('referral-tree')
        .map((r) => r['contactId']),
    ).toEqual([id(1), id(2), id(3), id(4)]);
  });

  it('a referrer missing from the log makes its contact a level-1 node under the missing id', () => {
    const log = eventLog();
    log.contact(id(2), 'ContactAdded', contactAdded(2, { referredBy: { contactId: id(9) } }));
    expect(project(log.events).rows('referral-tree')[0]).toMatchObject({ depth: 1, rootId: id(9) });
  });

  it('a forgotten contact keeps its place in the tree without a name', () => {
    const log = chain();
    log.contact(id(2), 'ContactForgotten', { forgottenAt: '2026-11-25T09:00:00Z' });
    expect(
      project(log.events)
        .rows('referral-tree')
        .find((r) => r['contactId'] === id(2)),
    ).toMatchObject({
      name: null,
      organisation: null,
      depth: 1,
      referrals: 1,
    });
  });
});
