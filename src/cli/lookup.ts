import { invalid, notFound, OutreachError } from '../domain/errors.ts';
import type { ReadModels } from '../read-models/queries.ts';
import type { Session } from './session.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The read models brought up to the log in this process first, so that what was just added is found. */
export async function readModelsNow(session: Session): Promise<ReadModels> {
  const { projectorWorker } = await import('../main/workers.ts');
  const { silentLogger } = await import('../main/logger.ts');
  const projector = projectorWorker({ store: session.ctx.store, config: session.config }, silentLogger());
  try {
    await projector.caughtUp;
  } finally {
    await projector.stop();
  }
  const { openReadModels } = await import('../read-models/queries.ts');
  return openReadModels(session.config.dataDir);
}

/** One read-model connection per command, opened on first need. */
const opened = new WeakMap<Session, Promise<ReadModels>>();
export function readModelsOf(session: Session): Promise<ReadModels> {
  let readModels = opened.get(session);
  if (!readModels) {
    readModels = readModelsNow(session);
    opened.set(session, readModels);
    const close = session.close;
    session.close = async () => {
      (await readModels!).close();
      await close();
    };
  }
  return readModels;
}

const describe = (m: { name: string | null; organisation: string | null; email: string | null; contactId: string }) =>
  `${m.name ?? '(no name)'}${m.organisation ? `, ${m.organisation}` : ''}${m.email ? ` <${m.email}>` : ''} (${m.contactId.slice(0, 8)})`;

/**
 * The contact a person means: a full id as it is; otherwise an id prefix (6+ characters), an email
 * or a name, which must match exactly one contact. Ambiguous is a validation error listing them.
 */
export async function contactIdOf(session: Session, text: string | undefined, field = 'contact'): Promise<string> {
  if (!text) throw invalid(field, 'give a contact: its id (or its first 6 characters), email or name');
  if (UUID.test(text)) return text.toLowerCase();
  const found = (await readModelsOf(session)).findContacts(text, session.ctx.workspaceId);
  if (found.length === 0)
    throw new OutreachError('not_found', `${field}: no contact matches "${text}" (try \`outreach contacts --search ${JSON.stringify(text)}\`)`, { field });
  if (found.length > 1) throw invalid(field, `"${text}" matches ${found.length} contacts: ${found.map(describe).join('; ')}; give more of the name or the id`);
  return found[0]!.contactId;
}

/**
 * The meeting a person means: a full id as it is; an id prefix (6+ characters); or a contact (by
 * name, email or id prefix), meaning that contact's latest meeting.
 */
export async function meetingIdOf(session: Session, text: string | undefined, field = 'meeting'): Promise<string> {
  if (!text) throw invalid(field, 'give a meeting: its id (or its first 6 characters), or the name or email of the contact');
  if (UUID.test(text)) return text.toLowerCase();
  const readModels = await readModelsOf(session);
  if (/^[0-9a-f-]{6,36}$/i.test(text)) {
    const byId = readModels.findMeetings({ idPrefix: text }, session.ctx.workspaceId);
    if (byId.length === 1) return byId[0]!.meetingId;
    if (byId.length > 1) throw invalid(field, `"${text}" matches ${byId.length} meetings: ${byId.map((m) => m.meetingId).join(', ')}; give more of the id`);
  }
  const contact = await contactIdOf(session, text, field).catch((e: unknown) => {
    if (e instanceof OutreachError && e.code === 'not_found') throw notFound('meeting', text);
    throw e;
  });
  const meetings = readModels.findMeetings({ contactIds: [contact] }, session.ctx.workspaceId);
  if (meetings.length === 0) throw new OutreachError('not_found', `${field}: the contact has no meeting yet (\`outreach meeting request ${text}\`)`, { field });
  return meetings[0]!.meetingId;
}
