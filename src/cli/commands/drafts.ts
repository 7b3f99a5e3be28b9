import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { approveDraft, discardDraft, editDraft, loadDraft } from '../../app/draft-commands.ts';
import { invalid, OutreachError } from '../../domain/errors.ts';
import { act, leaf } from '../define.ts';
import type { Session } from '../session.ts';
import { readModelsOf } from '../lookup.ts';
import { shortId, when } from '../words.ts';

/** A draft by its id, or the first or last 6 or more characters of it. */
async function findDraft(session: Session, idOrPrefix: string) {
  if (!/^[0-9a-f-]{6,36}$/i.test(idOrPrefix)) throw invalid('draft', 'must be a draft id, or the first 6 or more characters of one');
  const readModels = await readModelsOf(session);
  {
    const found = readModels.findDraft(idOrPrefix, session.ctx.workspaceId);
    if (found.length === 0) throw new OutreachError('not_found', `draft ${idOrPrefix} does not exist`, { field: 'draft' });
    if (found.length > 1)
      throw invalid('draft', `${idOrPrefix} matches ${found.length} drafts (${found.map((d) => d.draftId).join(', ')}): give more of the id`);
    return found[0]!;
  }
}

/** An edited text: from --body-file, or from $EDITOR on a terminal. */
async function editedText(current: string, bodyFile: string | undefined): Promise<string> {
  if (bodyFile) return readFile(bodyFile, 'utf8');
  if (!process.stdin.isTTY || !process.env['EDITOR'])
    throw invalid('bodyFile', 'give the new text with --body-file <file> (or run on a terminal with $EDITOR set)');
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'outreach-draft-'));
  try {
    writeFileSync(join(dir, 'draft.txt'), current, { mode: 0o600 });
    const r = spawnSync(process.env['EDITOR'], [join(dir, 'draft.txt')], { stdio: 'inherit', shell: true });
    if (r.status !== 0) throw invalid('bodyFile', `the editor exited with ${r.status}: nothing changed`);
    return readFileSync(join(dir, 'draft.txt'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Email requests the workers have not drafted or sent yet: a newcomer looking for their draft before any worker ran. */
function notWrittenYet(readModels: Awaited<ReturnType<typeof readModelsOf>>, session: Session, drafts: Record<string, unknown>[]): string {
  const drafted = new Set(drafts.map((d) => d['meetingId']));
  const { rows } = readModels.list('pipeline', { workspaceId: session.ctx.workspaceId, limit: 1000, offset: 0, now: session.ctx.clock() });
  const waiting = rows.filter((m) => m['status'] === 'requested' && m['channel'] === 'email' && !m['requestSentAt'] && !drafted.has(m['meetingId']));
  if (waiting.length === 0) return '';
  const n = waiting.length === 1 ? '1 email request has' : `${waiting.length} email requests have`;
  return `\n${n} not been written yet: the workers draft or send it (\`outreach start\`, or \`outreach worker --until-idle\`).`;
}

export function draftCommands(program: Command) {
  act(
    leaf(program, 'drafts', 'emails waiting for your review (the workspace setting --review)').option('--all', 'also those approved, discarded or withdrawn'),
    async (session, _args, input, out) => {
      const readModels = await readModelsOf(session);
      const { rows } = readModels.list('drafts', { workspaceId: session.ctx.workspaceId, limit: 200, offset: 0, now: session.ctx.clock() });
      const shown = input['all'] ? rows : rows.filter((d) => d['status'] === 'waiting');
      out.result(shown, () =>
        shown.length === 0
          ? `No drafts waiting for your review.${notWrittenYet(readModels, session, rows)}`
          : [
              `${shown.length} draft${shown.length === 1 ? '' : 's'}${input['all'] ? '' : ' waiting for your review'}:`,
              ...shown.map(
                (d) =>
                  `  ${shortId(String(d['draftId']))}  ${d['status']}  ${d['kind']} to ${d['toName'] ?? '(forgotten)'}: ${d['subject'] ?? ''}${d['reason'] ? ` (${d['reason']})` : ''}`,
              ),
              '',
              'outreach draft show <id>  ·  outreach draft approve <id>  ·  outreach draft edit <id> --body-file F  ·  outreach draft discard <id>',
            ].join('\n'),
      );
    },
  );

  const draft = program.command('draft').description('one email waiting for your review: show, edit, approve or discard it');

  act(leaf(draft, 'show <draftId>', 'the whole email, as it would go'), async (session, [id], _input, out) => {
    const found = await findDraft(session, id!);
    const d = await loadDraft(session.ctx, found.contactId, found.draftId);
    out.result({ ...d, contactName: found.contactName, toName: found.toName }, () =>
      [
        `Draft ${d.draftId} (${d.status}), ${d.kind} to ${found.toName ?? '(forgotten)'}${found.toContactId !== found.contactId ? ` about ${found.contactName ?? '(forgotten)'}` : ''}`,
        `Subject: ${d.subject}`,
        '',
        d.text.trimEnd(),
      ].join('\n'),
    );
  });

  act(leaf(draft, 'approve <draftId>', 'send it (once, however often approved)'), async (session, [id], _input, out) => {
    const found = await findDraft(session, id!);
    const r = await approveDraft(session.ctx, { contact: found.contactId, draft: found.draftId });
    const goes =
      r.goesAt === null
        ? ''
        : Date.parse(r.goesAt) <= Date.parse(session.ctx.clock()) + 60_000
          ? 'the worker sends it now'
          : `it goes ${when(r.goesAt, r.zone!)} (${r.zone}), when business hours begin`;
    out.result(r, r.events.length ? `Approved: ${goes} (draft ${found.draftId})` : `Draft ${found.draftId} was already approved`);
  });

  act(leaf(draft, 'discard <draftId>', 'do not send it'), async (session, [id], _input, out) => {
    const found = await findDraft(session, id!);
    out.result(await discardDraft(session.ctx, { contact: found.contactId, draft: found.draftId }), `Discarded draft ${found.draftId}: it will not be sent`);
  });

  act(
    leaf(draft, 'edit <draftId>', 'change the words before approving')
      .option('--subject <text>', 'a new subject line')
      .option('--body-file <file>', 'the new text (without it, $EDITOR opens on a terminal)'),
    async (session, [id], input, out) => {
      const found = await findDraft(session, id!);
      const current = await loadDraft(session.ctx, found.contactId, found.draftId);
      const text = await editedText(current.text, input['bodyFile'] as string | undefined);
      const subject = (input['subject'] as string | undefined) ?? current.subject;
      out.result(
        await editDraft(session.ctx, { contact: found.contactId, draft: found.draftId, subject, text }),
        `Draft ${found.draftId} changed; approve it to send it`,
      );
    },
  );
}
