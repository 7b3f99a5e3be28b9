import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOutreachError } from '../../../src/domain/errors.ts';
import { deleteRefreshToken, loadRefreshToken, refreshTokenFile, saveRefreshToken, tokenStoreKeyFrom } from '../../../src/infra/google/token-store.ts';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'outreach-tokens-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const key = randomBytes(32);
const ws = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const other = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
const grant = {
  refreshToken: '1//0gSECRETrefreshTOKENvalue-abc',
  scope: 'https://www.googleapis.com/auth/calendar.events',
  accountEmail: 'seeker@example.com',
};

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
};

describe('Google token store', () => {
  it('saves and loads the grant, one file per workspace, mode 0600, nothing in clear', () => {
    const dir = dataDir();
    saveRefreshToken(dir, key, ws, grant);
    const file = join(dir, 'google', `${ws}.json`);
    expect(refreshTokenFile(dir, ws)).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(grant.refreshToken);
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain(grant.accountEmail);
    expect(JSON.parse(text)).toMatchObject({ format: 'outreach-google-token/v1', workspaceId: ws, sealed: expect.stringMatching(/^v1\./) });
    expect(loadRefreshToken(dir, key, ws)).toEqual(grant);
    expect(loadRefreshToken(dir, key, other)).toBeNull();
  });

  it('replaces atomically and leaves no temporary file behind', () => {
    const dir = dataDir();
    saveRefreshToken(dir, key, ws, grant);
    saveRefreshToken(dir, key, ws, { refreshToken: '1//new', scope: grant.scope });
    expect(loadRefreshToken(dir, key, ws)).toEqual({ refreshToken: '1//new', scope: grant.scope });
    expect(readdirSync(join(dir, 'google'))).toEqual([`${ws}.json`]);
  });

  it('with another key: a clear config error that names OUTREACH_SECRET_KEY and holds no token', () => {
    const dir = dataDir();
    saveRefreshToken(dir, key, ws, grant);
    const e = thrown(() => loadRefreshToken(dir, randomBytes(32), ws));
    expect(isOutreachError(e, 'config')).toBe(true);
    expect(e.message).toMatch(/OUTREACH_SECRET_KEY/);
    expect(e.message).not.toContain(grant.refreshToken);
  });

  it("a file copied over another workspace's does not open there", () => {
    const dir = dataDir();
    saveRefreshToken(dir, key, ws, grant);
    copyFileSync(join(dir, 'google', `${ws}.json`), join(dir, 'google', `${other}.json`));
    expect(
      isOutreachError(
        thrown(() => loadRefreshToken(dir, key, other)),
        'config',
      ),
    ).toBe(true);
    const stored = JSON.parse(readFileSync(join(dir, 'google', `${ws}.json`), 'utf8')) as { sealed: string };
    writeFileSync(join(dir, 'google', `${other}.json`), JSON.stringify({ format: 'outreach-google-token/v1', workspaceId: other, sealed: stored.sealed }));
    expect(thrown(() => loadRefreshToken(dir, key, other)).message).toMatch(/cannot decrypt/);
  });

  it('an altered or foreign file is a config error', () => {
    const dir = dataDir();
    saveRefreshToken(dir, key, ws, grant);
    writeFileSync(join(dir, 'google', `${ws}.json`), 'not json');
    expect(thrown(() => loadRefreshToken(dir, key, ws)).message).toMatch(/is not a stored Google token.*outreach google connect/);
  });

  it('deletes, and says whether there was anything to delete', () => {
    const dir = dataDir();
    saveRefreshToken(dir, key, ws, grant);
    expect(deleteRefreshToken(dir, key, ws)).toBe(true);
    expect(loadRefreshToken(dir, key, ws)).toBeNull();
    expect(deleteRefreshToken(dir, ws)).toBe(false);
  });

  it('refuses workspace ids that could leave the folder, and empty tokens', () => {
    const dir = dataDir();
    expect(
      isOutreachError(
        thrown(() => saveRefreshToken(dir, key, '../escape', grant)),
        'validation',
      ),
    ).toBe(true);
    expect(
      isOutreachError(
        thrown(() => loadRefreshToken(dir, key, 'a/b')),
        'validation',
      ),
    ).toBe(true);
    expect(
      isOutreachError(
        thrown(() => saveRefreshToken(dir, key, ws, { ...grant, refreshToken: '' })),
        'validation',
      ),
    ).toBe(true);
  });

  it('without a key: a config error naming OUTREACH_SECRET_KEY and how to make one', () => {
    const dir = dataDir();
    const e = thrown(() => saveRefreshToken(dir, Buffer.alloc(0), ws, grant));
    expect(isOutreachError(e, 'config')).toBe(true);
    expect(e.message).toMatch(/^OUTREACH_SECRET_KEY: must be set.*openssl rand -base64 32/);
    const fromEnv = thrown(() => tokenStoreKeyFrom({}));
    expect(isOutreachError(fromEnv, 'config')).toBe(true);
    expect(fromEnv.message).toMatch(/^OUTREACH_SECRET_KEY: must be set to connect Google Calendar/);
    expect(tokenStoreKeyFrom({ OUTREACH_SECRET_KEY: key.toString('base64') })).toEqual(key);
  });
});
