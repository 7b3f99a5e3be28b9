import type { Command } from 'commander';
import { contactProfile, type ContactProfile } from '../../app/contact-profile.ts';
import { loadWorkspace } from '../../app/workspace-commands.ts';
import type { MeetingState } from '../../domain/meeting.ts';
import { act, leaf } from '../define.ts';
import { contactIdOf, readModelsOf } from '../lookup.ts';
import { counted, shortId, when } from '../words.ts';

/** One meeting as a line of the contact's timeline, with what was said in it. */
export function meetingLines(id: string, m: MeetingState, zone: string): string[] {
  const r = m.request;
  const asked = r ? `${r.minutes} minutes by ${r.channel}${r.via === 'gatekeeper' ? ' through a gatekeeper' : ''}` : '';
  const head = `  ${shortId(id)}  ${m.status.replace('_', ' ')}  requested ${when(r?.requestedAt, zone)} (${asked})`;
  const lines = [head];
  if (m.calls.attempts)
    lines.push(
      `      ${counted(m.calls.attempts, 'call')}, last: ${m.calls.lastOutcome}${m.calls.nextCallAt ? `; next ${when(m.calls.nextCallAt, zone)}` : ''}`,
    );
  if (m.booking)
    lines.push(
      `      booked for ${when(m.booking.start, m.booking.timezone)} (${m.booking.timezone}), ${m.booking.minutes} minutes${m.booking.videoUrl ? `, ${m.booking.videoUrl}` : m.booking.location ? `, ${m.booking.location}` : ''}`,
    );
  if (m.held) {
    lines.push(
      `      held ${when(m.held.heldAt, zone)}: ${m.held.actualMinutes} minutes, ${counted(m.held.referralsAsked, 'referral')}, ${counted(m.held.businessCards, 'card')}${m.held.sentiment ? `, ${m.held.sentiment}` : ''}`,
    );
    if (m.held.insights) lines.push(`      insight: ${m.held.insights}`);
    if (m.held.notes) lines.push(`      notes: ${m.held.notes.replace(/\n/g, '\n             ')}`);
  }
  if (m.thankYou) lines.push(`      thanked ${when(m.thankYou.sentAt, zone)}`);
  if (m.cancelled) lines.push(`      cancelled by the ${m.cancelled.by} ${when(m.cancelled.at, zone)}`);
  const d = m.calendarDecision;
  if (d) {
    const what = d.reason === 'all-day' ? `made all-day on ${d.date}` : `set to ${d.minutes} minutes from ${when(d.start, zone)}`;
    lines.push(`      changed in the calendar (${what}), needs your decision: reschedule or cancel the meeting here`);
  }
  return lines;
}

function profileText(p: ContactProfile, zone: string, referrals: { name: string | null }[], next: string | null): string {
  const d = p.state.details;
  const facts = [
    d?.role && d.organisation ? `${d.role} at ${d.organisation}` : (d?.role ?? d?.organisation),
    d?.level,
    d?.industry,
    d?.timezone,
    d?.phone,
  ].filter(Boolean);
  return [
    `${d?.name ?? '(forgotten)'}${d?.email ? ` <${d.email}>` : ''} — ${p.state.status.replace('_', ' ')}`,
    ...(facts.length ? [`  ${facts.join(' · ')}`] : []),
    ...(d?.tags.length ? [`  tags: ${d.tags.join(', ')}`] : []),
    `  source: ${p.state.source ?? '–'}${p.referredByName ? `; referred by ${p.referredByName}` : ''}`,
    ...(referrals.length ? [`  referred you to: ${referrals.map((r) => r.name ?? '(forgotten)').join(', ')}`] : []),
    ...(next ? [`  next: ${next}`] : []),
    ...(p.notes.length ? ['', 'Research notes', ...p.notes.map((n) => `  - ${n.text}`)] : []),
    ...(p.questions.length ? ['', 'Questions', ...p.questions.map((q, i) => `  ${i + 1}. ${q}`)] : []),
    ...(p.meetings.length ? ['', 'Meetings', ...p.meetings.flatMap((m) => meetingLines(m.id, m.state, zone))] : []),
    ...(p.emails.length ? ['', 'Emails sent', ...p.emails.map((e) => `  ${when(e.sentAt, zone)}  ${e.kind}${e.subject ? `: "${e.subject}"` : ''}`)] : []),
    ...(p.replies.length
      ? [
          '',
          'Replies',
          ...p.replies.map((r) =>
            r.auto
              ? `  ${when(r.at, zone)}  (an automatic answer: away${r.returnsOn ? `, back on ${r.returnsOn}` : ''}; not a reply)`
              : `  ${when(r.at, zone)}  ${r.summary ?? '(no summary)'}${r.source === 'mailbox' ? '  (read in your mailbox)' : ''}`,
          ),
        ]
      : []),
    ...(p.updates.length ? ['', 'Your updates', ...p.updates.map((u) => `  ${when(u.at, zone)}  ${u.text}`)] : []),
    ...(p.leads.length
      ? ['', 'Job leads', ...p.leads.map((l) => `  ${when(l.at, zone)}  ${l.description}${l.organisation ? ` (${l.organisation})` : ''}`)]
      : []),
  ].join('\n');
}

export function contactShowCommand(contact: Command) {
  act(
    leaf(contact, 'show <contact>', 'everything about a person: details, notes, questions, referrals, meetings, emails, leads'),
    async (session, [text], _input, out) => {
      const id = await contactIdOf(session, text);
      const profile = await contactProfile(session.ctx, id);
      const readModels = await readModelsOf(session);
      const referrals = readModels.referralsGivenBy(id);
      const [row] = readModels.contacts({ workspaceId: session.ctx.workspaceId, limit: 1, offset: 0, now: session.ctx.clock(), filter: { ids: [id] } }).rows;
      const zone = (await loadWorkspace(session.ctx)).config?.timezone ?? 'UTC';
      const next = (row?.['nextAction'] as string | null) ?? null;
      const { state, ...rest } = profile;
      // The contact's own state at the top, as before the profile existed: scripts read .details and .status.
      out.result({ ...state, ...rest, referralsGiven: referrals, nextAction: next }, () => profileText(profile, zone, referrals, next));
    },
  );
}
