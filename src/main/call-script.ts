import { callScriptFor } from '../app/call-script.ts';
import type { AppContext } from '../app/handle.ts';
import { loadTemplates } from '../infra/mail/templates.ts';

/** The call script for a meeting, rendered from the templates in force (OUTREACH_TEMPLATES_DIR overrides them). */
export async function renderCallScript(ctx: AppContext, meetingId: string, env: NodeJS.ProcessEnv) {
  const templates = loadTemplates({ overrideDir: env['OUTREACH_TEMPLATES_DIR'] || undefined });
  const { kind, variables } = await callScriptFor(ctx, meetingId);
  return { kind, script: templates.script(kind, variables as never) };
}
