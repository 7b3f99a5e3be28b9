import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AccessStore, Role, TokenInfo } from '../../app/access.ts';
import { applyPragmas, truncateWal } from '../../sqlite/pragmas.ts';

export const accessFile = (dataDir: string) => join(dataDir, 'access.db');

/** API tokens start with this, so that secret scanners and people recognise one. */
export const TOKEN_PREFIX = 'otk_';

/**
 * SHA-256 of the secret. The secrets are 256 random bits, so a plain hash is enough: there is
 * nothing to guess, and a copy of the file lets nobody in.
 */
const hashOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();
const utc = (iso: string) => new Date(iso).toISOString();

type TokenRow = { id: string; role: Role; workspaces: string | null; name: string | null; created_at: string; expires_at: string | null };

const infoOf = (r: TokenRow): TokenInfo => ({
  id: r.id,
  role: r.role,
  workspaces: r.workspaces === null ? 'all' : (JSON.parse(r.workspaces) as string[]),
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

const LIVE = '(revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now))';

/**
 * Tokens and browser sessions in a small SQLite file of their own, `access.db` in the data folder:
 * not in the event log, because credentials must be deletable (a revoked token, an ended session)
 * and the log keeps every byte for ever, in every replica and backup. The CLI (`outreach token`)
 * and a running server share the file (WAL), so a revocation holds at the next request.
 */
export function openAccessStore(file: string): AccessStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  applyPragmas(db);
  db.pragma('secure_delete = ON');
  db.exec(`
    CREATE TABLE IF NOT EXISTS tokens (
      id         TEXT PRIMARY KEY,
      hash       BLOB NOT NULL UNIQUE,
      role       TEXT NOT NULL,
      workspaces TEXT,
      name       TEXT,
      created_at TEXT NOT NULL,
      expires_at TEXT,
      revoked_at TEXT
    );
    CREATE TABLE IF NOT EXISTS sessions (
      hash       BLOB PRIMARY KEY,
      token_id   TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS sessions_by_token ON sessions (token_id);
    CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
  `);
  if (file !== ':memory:') chmodSync(file, 0o600);

  const cols = 'id, role, workspaces, name, created_at, expires_at';
  const q = {
    insertToken: db.prepare(
      'INSERT INTO tokens (id, hash, role, workspaces, name, created_at, expires_at) VALUES (@id, @hash, @role, @workspaces, @name, @now, @expiresAt)',
    ),
    byHash: db.prepare<{ hash: Buffer; now: string }, TokenRow>(`SELECT ${cols} FROM tokens WHERE hash = @hash AND ${LIVE}`),
    byId: db.prepare<{ id: string; now: string }, TokenRow>(`SELECT ${cols} FROM tokens WHERE id = @id AND ${LIVE}`),
    list: db.prepare<{ now: string }, TokenRow>(`SELECT ${cols} FROM tokens WHERE ${LIVE} ORDER BY created_at, id`),
    revoke: db.prepare<{ id: string; now: string }>(`UPDATE tokens SET revoked_at = @now WHERE id = @id AND ${LIVE}`),
    endSessionsOf: db.prepare<[string]>('DELETE FROM sessions WHERE token_id = ?'),
    insertSession: db.prepare('INSERT INTO sessions (hash, token_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
    session: db.prepare<[Buffer, string], { token_id: string; expires_at: string }>(
      'SELECT token_id, expires_at FROM sessions WHERE hash = ? AND expires_at > ?',
    ),
    endSession: db.prepare<[Buffer]>('DELETE FROM sessions WHERE hash = ?'),
    dropExpired: db.prepare<[string]>('DELETE FROM sessions WHERE expires_at <= ?'),
  };

  return {
    createToken(spec, now) {
      const id = `tok_${randomBytes(8).toString('hex')}`;
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      q.insertToken.run({
        id,
        hash: hashOf(token),
        role: spec.role,
        workspaces: spec.workspaces === 'all' ? null : JSON.stringify(spec.workspaces),
        name: spec.name,
        now: utc(now),
        expiresAt: spec.expiresAt === null ? null : utc(spec.expiresAt),
      });
      return { id, token };
    },
    tokenFor(secret, now) {
      const row = q.byHash.get({ hash: hashOf(secret), now: utc(now) });
      return row ? infoOf(row) : null;
    },
    tokenById(id, now) {
      const row = q.byId.get({ id, now: utc(now) });
      return row ? infoOf(row) : null;
    },
    listTokens: (now) => q.list.all({ now: utc(now) }).map(infoOf),
    revokeToken(id, now) {
      const revoked = db.transaction(() => {
        const changed = q.revoke.run({ id, now: utc(now) }).changes > 0;
        if (changed) q.endSessionsOf.run(id);
        return changed;
      })();
      if (revoked) truncateWal(db);
      return revoked;
    },
    createSession(tokenId, expiresAt, now) {
      const id = randomBytes(32).toString('base64url');
      q.dropExpired.run(utc(now));
      q.insertSession.run(hashOf(id), tokenId, utc(now), utc(expiresAt));
      return { id };
    },
    session(id, now) {
      const row = q.session.get(hashOf(id), utc(now));
      return row ? { tokenId: row.token_id, expiresAt: row.expires_at } : null;
    },
    endSession(id) {
      q.endSession.run(hashOf(id));
    },
    close: () => db.close(),
  };
}
