import type { Config } from '../app/config.ts';
import type { EmailDeps } from '../app/effects/email-effect.ts';
import { secretKeyOrKeyFile } from './crypto/key-file.ts';
import { mailConfigFrom } from './mail/config.ts';
import { loadTemplates } from './mail/templates.ts';
import { createMailTransport, type MailTransport } from './mail/transport.ts';

/**
 * What the email worker needs, from configuration. Templates are loaded (and checked) here, at
 * start, so a typo in an override fails before any job runs.
 */
export function emailDepsFrom(config: Config, env: NodeJS.ProcessEnv): Omit<EmailDeps, 'store' | 'clock' | 'counter'> & { transport: MailTransport } {
  const mail = mailConfigFrom(env, config.dataDir);
  const templates = loadTemplates({ overrideDir: env['OUTREACH_TEMPLATES_DIR'] || undefined });
  const { key } = secretKeyOrKeyFile(env, config.dataDir);
  return {
    templates,
    transport: createMailTransport(mail.transport),
    unsubscribe: { publicUrl: mail.publicUrl ?? 'http://localhost:3000', secret: key },
    ...(mail.messageDomain ? { messageDomain: mail.messageDomain } : {}),
  };
}
