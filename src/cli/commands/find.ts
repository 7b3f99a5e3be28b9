import type { Command } from 'commander';
import { loadWorkspace } from '../../app/workspace-commands.ts';
import { invalid } from '../../domain/errors.ts';
import { todayList, type TodayItem } from '../../read-models/today.ts';
import { act, leaf } from '../define.ts';
import { readModelsOf } from '../lookup.ts';
import type { Session } from '../session.ts';
import { counted, shortId, table, when } from '../words.ts';

const STATUSES = ['active', 'opted_out', 'forgotten'];
const zoneOf = async (session: Session) => (await loadWorkspace(session.ctx)).config?.timezone ?? 'UTC';

/** On an empty list, a newcomer who has not configured yet is told the first step, not that nothing is due. */
async function whenEmpty(session: Session, otherwise: string): Promise<string> {
  if ((await loadWorkspace(session.ctx)).config) return otherwise;
  return [
    `Workspace ${session.ctx.workspaceId} is not configured yet. Start there:`,
    '  outreach workspace configure --owner-name "Your Name" --owner-email you@example.org --objective "what you want to learn"',
    '`outreach --help` lists the steps of the method in order.',
  ].join('\n');
}

function contactsCommand(program: Command) {
  act(
    leaf(program, 'contacts', 'the networking list: who, where they are in the method, and what to do next')
      .option('--search <text>', 'a name, organisation, role or email containing this')
      .option('--status <status>', 'active | opted_out | forgotten')
      .option('--tag <tag>', 'with this tag')
      .option('--org <organisation>', 'at an organisation containing this')
      .option('--level <level>', 'entry | mid | senior | executive')
      .option('--target <career>', 'tagged with this career target (`outreach workspace target add`)')
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
        target: input['target'] as string | undefined,
      };
      const zone = await zoneOf(session);
      const { rows, total } = (await readModelsOf(session)).contacts({
        workspaceId: session.ctx.workspaceId,
        limit,
        offset: 0,
        now: session.ctx.clock(),
        filter,
      });
      const none = await whenEmpty(
        session,
        "No contacts match. Add one with `outreach contact add --name …` or import LinkedIn's export with `outreach contact import Connections.csv`.",
      );
      out.result({ rows, total }, () =>
        rows.length === 0
          ? none
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

/** The command that acts on an item of the day, after what it says. */
function hint(t: TodayItem, zone: string): string {
  const id = (x: string | null) => shortId(x ?? '');
  switch (t.kind) {
    case 'call':
      return `${t.what} — \`outreach call ${id(t.meetingId)}\` for the script`;
    case 'draft':
      return `${t.what} — \`outreach draft show ${id(t.draftId)}\``;
    case 'meeting':
      return `${when(t.due, zone)} ${t.what} — \`outreach contact show ${id(t.contactId)}\` to prepare`;
    case 'thank-you':
      return `${t.what} (it goes by itself when the worker runs)`;
    case 'ask':
      return `${t.what} — \`outreach meeting request ${id(t.contactId)} --minutes 20\``;
    case 'decide':
      return `${t.what} — \`outreach meeting reschedule ${id(t.contactId)} --at …\` or \`outreach meeting cancel ${id(t.contactId)}\``;
    case 'update':
      return `${t.what} — \`outreach contact update ${id(t.contactId)} --text "…"\``;
    default:
      return t.what;
  }
}

function todayCommand(program: Command) {
  act(
    leaf(program, 'today', 'what to do now: calls, drafts to review, replies, meetings and their prep, thank-yous, updates, leads (overdue first)'),
    async (session, _args, _input, out) => {
      const tasks = todayList(await readModelsOf(session), { workspaceId: session.ctx.workspaceId, now: session.ctx.clock() });
      const zone = await zoneOf(session);
      const sections = [...new Set(tasks.map((t) => t.section))];
      const none = await whenEmpty(session, 'Nothing due today. `outreach contacts` lists everyone and what comes next for each.');
      out.result(tasks, () =>
        tasks.length === 0
          ? none
          : sections
              .map((s) => [s, ...tasks.filter((t) => t.section === s).map((t) => `  ${t.overdue ? 'OVERDUE ' : ''}${hint(t, zone)}`)].join('\n'))
              .join('\n\n'),
      );
    },
  );
}

export function findCommands(program: Command) {
  todayCommand(program);
  contactsCommand(program);
  meetingsCommand(program);
}
