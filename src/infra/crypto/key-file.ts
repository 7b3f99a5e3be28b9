import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { secretKeyFrom } from './secret-key.ts';

/**
 * OUTREACH_SECRET_KEY when set; otherwise, for the embedded defaults, a random key kept in the data
 * folder (mode 0600) so that unsubscribe links keep working across runs without any set-up.
 */
export function secretKeyOrKeyFile(env: NodeJS.ProcessEnv, dataDir: string): { key: Buffer; source: 'env' | 'file' } {
  if (env['OUTREACH_SECRET_KEY']) return { key: secretKeyFrom(env), source: 'env' };
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Another process created it first: use theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  chmodSync(file, 0o600);
  return { key: secretKeyFrom({ OUTREACH_SECRET_KEY: readFileSync(file, 'utf8') }), source: 'file' };
}
