import type { Command } from 'commander';
import { loadWorkspace } from '../../app/workspace-commands.ts';
import { invalid } from '../../domain/errors.ts';
import type { AgendaItem, DraftItem, FollowUpItem, JobLeadItem } from '../../read-models/queries.ts';
import { act, leaf } from '../define.ts';
import { readModelsOf } from '../lookup.ts';
import type { Session } from '../session.ts';
import { counted, shortId, table, when } from '../words.ts';

const STATUSES = ['active', 'opted_out', 'forgotten'];
const zoneOf = async (session: Session) => (await loadWorkspace(session.ctx)).config?.timezone ?? 'UTC';

function contactsCommand(program: Command) {
  act(
    leaf(program, 'contacts', 'the networking list: who, where they are in the method, and what to do next')
      .option('--search <text>', 'a name, organisation, role or email containing this')
      .option('--status <status>', 'active | opted_out | forgotten')
      .option('--tag <tag>', 'with this tag')
      .option('--org <organisation>', 'at an organisation containing this')
      .option('--level <level>', 'entry | mid | senior | executive')
      .option('--limit <n>', 'at most this many (default 50)'),
    async (session, _args, input, out) => {
      const limit = input['limit'] === undefined ? 50 : Number(input['limit']);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit', 'must be a whole number from 1 to 1000');
      const status = input['status'] === undefined ? undefined : String(input['status']).toLowerCase().replace('-', '_');
      if (status && !STATUSES.includes(status)) throw invalid('status', `must be one of ${STATUSES.join(', ')}`);
      const filter = {
        search: input['search'] as string | undefined,
        status,
        tag: input['tag'] as string | undefined,
        org: input['org'] as string | undefined,
        level: input['level'] as string | undefined,
      };
      const zone = await zoneOf(session);
      const { rows, total } = (await readModelsOf(session)).contacts({
        workspaceId: session.ctx.workspaceId,
        limit,
        offset: 0,
        now: session.ctx.clock(),
        filter,
      });
      out.result({ rows, total }, () =>
        rows.length === 0
          ? "No contacts match. Add one with `outreach contact add --name …` or import LinkedIn's export with `outreach contact import Connections.csv`."
          : [
              table(
                ['id', 'name', 'organisation', 'role', 'level', 'status', 'next', 'when'],
                rows.map((r) => [
                  shortId(r['contactId'] as string),
                  String(r['name'] ?? '(forgotten)'),
                  String(r['organisation'] ?? ''),
                  String(r['role'] ?? ''),
                  String(r['level'] ?? ''),
                  String(r['status']).replace('_', ' '),
                  String(r['nextAction'] ?? ''),
                  r['nextActionAt'] ? when(r['nextActionAt'] as string, zone) : '',
                ]),
              ),
              total > rows.length ? `${rows.length} of ${total} (--limit for more)` : counted(total, 'contact'),
            ].join('\n'),
      );
    },
  );
}

function meetingsCommand(program: Command) {
  act(
    leaf(program, 'meetings', 'informational interviews: requested, booked, held')
      .option('--upcoming', 'only those booked ahead')
      .option('--past', 'only those held or ended')
      .option('--limit <n>', 'at most this many (default 50)'),
    async (session, _args, input, out) => {
      const limit = input['limit'] === undefined ? 50 : Number(input['limit']);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit', 'must be a whole number from 1 to 1000');
      const now = session.ctx.clock();
      const zone = await zoneOf(session);
      const all = (await readModelsOf(session)).list('pipeline', { workspaceId: session.ctx.workspaceId, limit: 1000, offset: 0, now }).rows;
      const ahead = (r: Record<string, unknown>) => r['status'] === 'booked' && String(r['start'] ?? '') > now;
      const rows = all.filter((r) => (input['upcoming'] ? ahead(r) : input['past'] ? !ahead(r) && r['status'] !== 'requested' : true)).slice(0, limit);
      out.result(rows, () =>
        rows.length === 0
          ? 'No meetings here yet: `outreach meeting request <contact> --minutes 20`.'
          : table(
              ['id', 'with', 'status', 'when', 'minutes', 'by'],
              rows.map((r) => [
                shortId(r['meetingId'] as string),
                String(r['contactName'] ?? '(forgotten)'),
                String(r['status']).replace('_', ' '),
                when((r['start'] ?? r['requestedAt']) as string, zone),
                String(r['bookedMinutes'] ?? r['requestedMinutes'] ?? ''),
                `${r['channel'] ?? ''}${r['via'] === 'gatekeeper' ? ' via gatekeeper' : ''}`,
              ]),
            ),
      );
    },
  );
}

type Task = { section: string; due: string | null; line: string; overdue: boolean };

/** Only what had a time that passed is overdue: a scheduled call, a thank-you past its 24 hours. */
const overdueAt = (due: string | null, now: string) => due !== null && due < now;

/** Everything due today, from the read models: calls, drafts, replies, meetings and their prep, thank-yous, updates, leads. */
async function tasksFor(session: Session): Promise<Task[]> {
  const rm = await readModelsOf(session);
  const now = session.ctx.clock();
  const zone = await zoneOf(session);
  const ws = session.ctx.workspaceId;
  const endOfTomorrow = new Date(Date.parse(now) + 2 * 86_400_000).toISOString();
  const page = { workspaceId: ws, limit: 1000, offset: 0, now };
  const tasks: Task[] = [];
  const add = (section: string, due: string | null, line: string, overdue = false) => tasks.push({ section, due, line, overdue });
  for (const c of rm.contacts({ ...page, filter: { status: 'active' } }).rows) {
    const action = String(c['nextAction'] ?? '');
    const at = (c['nextActionAt'] as string | null) ?? null;
    if (action.startsWith('call ') && (!at || at <= endOfTomorrow))
      add('Calls to make', at, `${action} — \`outreach call ${shortId(c['meetingId'] as string)}\` for the script`, overdueAt(at, now));
    if (action.startsWith('reply received')) add('Replies to answer', at, `${c['name']}: ${action}`);
    if (action.startsWith('write ')) add('Updates to write', null, `${action} — \`outreach contact update ${shortId(c['contactId'] as string)} --text "…"\``);
  }
  for (const d of rm.list('drafts', page).rows as DraftItem[]) {
    if (d.status === 'waiting')
      add(
        'Drafts waiting for your review',
        d.draftedAt,
        `${d.kind} to ${d.toName ?? '(forgotten)'}: "${d.subject}" — \`outreach draft show ${shortId(d.draftId)}\``,
      );
  }
  for (const m of rm.list('agenda', page).rows as AgendaItem[]) {
    if (m.start <= endOfTomorrow)
      add(
        'Meetings today and tomorrow',
        m.start,
        `${when(m.start, zone)} ${m.contactName ?? ''}${m.organisation ? ` (${m.organisation})` : ''}, ${m.minutes} minutes — \`outreach contact show ${shortId(m.contactId)}\` to prepare`,
      );
  }
  for (const f of rm.list('follow-ups', page).rows as FollowUpItem[]) {
    if (f.kind === 'thank-you') {
      const left = Math.round((Date.parse(f.since) + 86_400_000 - Date.parse(now)) / 3_600_000);
      add(
        'Thank-yous owed',
        f.dueAt,
        `${f.contactName ?? ''}: ${left > 0 ? `${left} h left of the 24 h` : 'past the 24 h'} (it goes by itself when the worker runs)`,
        left <= 0,
      );
    }
  }
  for (const l of rm.list('job-leads', { ...page, limit: 5 }).rows as JobLeadItem[])
    add('Job leads to follow', l.reportedAt, `${l.description}${l.organisation ? ` (${l.organisation})` : ''} — from ${l.contactName ?? '(forgotten)'}`);
  return tasks;
}

function todayCommand(program: Command) {
  act(
    leaf(program, 'today', 'what to do now: calls, drafts to review, replies, meetings and their prep, thank-yous, updates, leads (overdue first)'),
    async (session, _args, _input, out) => {
      const tasks = (await tasksFor(session)).sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.due ?? '').localeCompare(b.due ?? ''));
      const sections = [...new Set(tasks.map((t) => t.section))];
      out.result(tasks, () =>
        tasks.length === 0
          ? 'Nothing due today. `outreach contacts` lists everyone and what comes next for each.'
          : sections.map((s) => [s, ...tasks.filter((t) => t.section === s).map((t) => `  ${t.overdue ? 'OVERDUE ' : ''}${t.line}`)].join('\n')).join('\n\n'),
      );
    },
  );
}

export function findCommands(program: Command) {
  todayCommand(program);
  contactsCommand(program);
  meetingsCommand(program);
}
