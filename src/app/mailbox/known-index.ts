import type { EventOf, EventType } from '../../domain/events.ts';
import { normaliseAddress, normaliseMessageId, type Known, type SentMessage } from '../../domain/inbound-mail.ts';
import type { EventStore, StoredEvent } from '../../eventstore/port.ts';

const data = <T extends EventType>(e: StoredEvent) => e.data as EventOf<T>['data'];
const idOf = (stream: string) => stream.slice(stream.indexOf('-') + 1);
const BATCH = 2000;

/**
 * What the mailbox reader must know to tell our mail from the rest of the seeker's: the Message-IDs
 * we sent and whom each went to, the contacts' addresses, the seeker's own. Kept up to date by
 * reading the log from where it stopped; a forgotten contact's address and messages are dropped.
 */
export class KnownIndex {
  private after: bigint | null = null;
  private readonly sent = new Map<string, SentMessage & { at: string }>();
  private readonly emailOf = new Map<string, string>();
  private readonly meetings = new Map<string, { contactId: string; gatekeeperId?: string | undefined }>();
  private readonly forgotten = new Set<string>();
  private seekerEmail: string | undefined;
  private configuredAt: string | undefined;
  private readonly extraSeeker: string[];

  constructor(
    private readonly workspaceId: string,
    seekerAddresses: readonly string[] = [],
  ) {
    this.extraSeeker = seekerAddresses.map(normaliseAddress);
  }

  /** Reads the log from where the last catch-up stopped. */
  async catchUp(store: EventStore): Promise<void> {
    for (;;) {
      const batch = await store.readAll({ after: this.after, maxCount: BATCH });
      for (const e of batch) if (e.metadata['workspaceId'] === this.workspaceId) this.apply(e);
      if (batch.length > 0) this.after = batch.at(-1)!.position;
      if (batch.length < BATCH) return;
    }
  }

  private sentOn(e: StoredEvent, messageId: string, at: string, to: 'contact' | 'gatekeeper', kind: string) {
    const meetingId = idOf(e.stream);
    const meeting = this.meetings.get(meetingId);
    const contactId = to === 'gatekeeper' ? meeting?.gatekeeperId : meeting?.contactId;
    const key = normaliseMessageId(messageId);
    if (contactId && key) this.sent.set(key, { contactId, meetingId, kind, at });
  }

  private apply(e: StoredEvent): void {
    switch (e.type) {
      case 'WorkspaceConfigured':
        this.seekerEmail = normaliseAddress(data<'WorkspaceConfigured'>(e).ownerEmail);
        this.configuredAt ??= data<'WorkspaceConfigured'>(e).configuredAt;
        return;
      case 'ContactAdded': {
        const d = data<'ContactAdded'>(e);
        if (d.email) this.emailOf.set(d.contactId, normaliseAddress(d.email));
        return;
      }
      case 'ContactDetailsChanged': {
        const email = data<'ContactDetailsChanged'>(e).changes.email;
        if (email) this.emailOf.set(idOf(e.stream), normaliseAddress(email));
        return;
      }
      case 'ContactForgotten': {
        const contactId = idOf(e.stream);
        this.forgotten.add(contactId);
        this.emailOf.delete(contactId);
        for (const [id, s] of this.sent) if (s.contactId === contactId) this.sent.delete(id);
        return;
      }
      case 'MeetingRequested': {
        const d = data<'MeetingRequested'>(e);
        this.meetings.set(d.meetingId, { contactId: d.contactId, gatekeeperId: d.gatekeeperContactId });
        return;
      }
      case 'OutreachEmailSent':
      case 'ThankYouSent': {
        const d = data<'OutreachEmailSent'>(e);
        this.sentOn(e, d.messageId, d.sentAt, 'contact', e.type === 'ThankYouSent' ? 'thank-you' : 'request-email');
        return;
      }
      case 'GatekeeperEmailSent': {
        const d = data<'GatekeeperEmailSent'>(e);
        this.sentOn(e, d.messageId, d.sentAt, 'gatekeeper', 'gatekeeper-request');
        return;
      }
      case 'NudgeSent': {
        const d = data<'NudgeSent'>(e);
        const to = d.to ?? 'contact';
        this.sentOn(e, d.messageId, d.sentAt, to, to === 'gatekeeper' ? 'gatekeeper-nudge' : 'nudge');
        return;
      }
      case 'KeepInTouchSent': {
        const d = data<'KeepInTouchSent'>(e);
        const key = normaliseMessageId(d.messageId);
        if (key && !this.forgotten.has(idOf(e.stream))) this.sent.set(key, { contactId: idOf(e.stream), kind: 'keep-in-touch', at: d.sentAt });
      }
    }
  }

  known(): Known {
    const sent: Record<string, SentMessage> = {};
    for (const [id, { at: _at, ...s }] of this.sent) sent[id] = s;
    const contacts: Record<string, string> = {};
    for (const [contactId, email] of this.emailOf) if (!this.forgotten.has(contactId)) contacts[email] = contactId;
    const seeker = [...new Set([...(this.seekerEmail ? [this.seekerEmail] : []), ...this.extraSeeker])];
    return { sent, contacts, seeker };
  }

  /**
   * How far back a first read (or one after the mailbox was renumbered) looks: the day before our
   * first message, else before the workspace was set up. Older mail cannot answer ours.
   */
  scanSince(): Date | null {
    let first = this.configuredAt;
    for (const s of this.sent.values()) if (!first || s.at < first) first = s.at;
    return first ? new Date(Date.parse(first) - 86_400_000) : null;
  }

  get configured(): boolean {
    return this.seekerEmail !== undefined;
  }
}
