import Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { randomInto } from './random-pool.ts';
import { OutreachError } from '../../domain/errors.ts';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyPragmas, truncateWal } from '../../sqlite/pragmas.ts';
import { keyCache } from './key-cache.ts';
import { subkey } from './secret-key.ts';
import type { BatchHook } from '../../eventstore/sqlite/store.ts';

/**
 * One data key per subject (a contact, a workspace): personal fields are encrypted with it, and
 * forgetting the subject deletes it, which makes every copy of that data unreadable at once —
 * in the log, in backups of it, in EventStoreDB, wherever the ciphertext went (crypto-shredding).
 */
export type SubjectKeys = {
  /**
   * The subject's key, made on first use; null once the subject is forgotten. A key made here is
   * stored by `stored()`: whatever is sealed with it must wait for that before it is written.
   */
  keyFor(subject: string): Buffer | null;
  /**
   * Resolves once every key made so far is stored. Keys made in the same turn of the event loop
   * (concurrent commands, an import's batch) are stored together, in one transaction, when that
   * turn's microtasks have run.
   */
  stored(): Promise<void>;
  /** The key when there is one; never makes one (reading needs no new key). */
  existingKey(subject: string): Buffer | null;
  /** Delete the key for good, leaving a tombstone so no new key is ever made for it. Idempotent. */
  forget(subject: string): void;
  isForgotten(subject: string): boolean;
  close(): void;
};

export const subjectKeysFile = (dataDir: string) => join(dataDir, 'keys.db');

const IV = 12;
const TAG = 16;
const KEY = 32;
const MAX_CACHED = 50_000;

/**
 * The event store whose batches the keys are committed before (the SQLite adapter): in the same
 * flush, on keys.db's own connection, so that neither transaction waits for the other file's lock.
 */
export type KeysHost = { beforeEachBatch(hook: BatchHook): void };

/**
 * Keys live in a small SQLite file of their own (not in the event log, which must never lose a
 * byte, while these must be deletable), wrapped with a subkey of OUTREACH_SECRET_KEY so the file
 * alone opens nothing. secure_delete and a WAL truncation after each forget overwrite the bytes
 * of a deleted key instead of leaving them in free pages.
 *
 * With a `host` (the SQLite event store) the keys made meanwhile are committed just before each
 * batch of events, in the same flush (group-committed with them), instead of a turn of their own.
 */
export function openSubjectKeys(file: string, masterKey: Uint8Array, host?: KeysHost): SubjectKeys {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  applyPragmas(db);
  db.pragma('secure_delete = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS subject_keys (
    subject      TEXT PRIMARY KEY,
    wrapped      BLOB,
    created_at   TEXT NOT NULL,
    forgotten_at TEXT
  )`);
  db.exec(`CREATE TABLE IF NOT EXISTS wrapping (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL)`);
  if (file !== ':memory:') chmodSync(file, 0o600);
  const kek = subkey(masterKey, 'subject-keys');
  // Which master key wraps these keys, so that a changed OUTREACH_SECRET_KEY is one clear error
  // at start-up instead of unreadable data later.
  const fingerprint = createHash('sha256').update(subkey(masterKey, 'subject-keys-fingerprint')).digest('hex').slice(0, 16);
  db.prepare(`INSERT OR IGNORE INTO wrapping (id, fingerprint) VALUES (1, ?)`).run(fingerprint);
  const stored = db.prepare<[], { fingerprint: string }>(`SELECT fingerprint FROM wrapping WHERE id = 1`).get()!.fingerprint;
  if (stored !== fingerprint) {
    db.close();
    throw new OutreachError(
      'config',
      `OUTREACH_SECRET_KEY: ${file} was made with another key (the one in OUTREACH_SECRET_KEY, or data/secret.key when it was not set); set it back to that key`,
      { field: 'OUTREACH_SECRET_KEY' },
    );
  }

  const q = {
    get: db.prepare<[string], { wrapped: Buffer | null }>(`SELECT wrapped FROM subject_keys WHERE subject = ?`),
    insert: db.prepare<[string, Buffer, string]>(`INSERT OR IGNORE INTO subject_keys (subject, wrapped, created_at) VALUES (?, ?, ?)`),
    forget: db.prepare<[string, string, string]>(
      `INSERT INTO subject_keys (subject, wrapped, created_at, forgotten_at) VALUES (?, NULL, ?, ?)
       ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, forgotten_at = COALESCE(forgotten_at, excluded.forgotten_at)`,
    ),
  };

  // Forgetting is final, so a tombstone can be remembered for ever; a live key only as long as
  // this process has not seen it forgotten (another process's forget is seen on the next miss).
  const cache = keyCache(MAX_CACHED, KEY);
  const remember = (subject: string, key: Buffer | null) => {
    cache.set(subject, key);
    return key;
  };

  /** A fresh key and its wrapped form (iv | ciphertext | tag), both cut from one buffer's worth of work. */
  const makeKey = (subject: string) => {
    const wrapped = Buffer.allocUnsafe(IV + KEY + TAG);
    const key = randomInto(Buffer.allocUnsafe(KEY), 0, KEY);
    const c = createCipheriv('aes-256-gcm', kek, randomInto(wrapped, 0, IV));
    c.setAAD(Buffer.from(subject));
    if (c.update(key).copy(wrapped, IV) + c.final().length !== KEY) throw new Error('AES-GCM wrapped a key into another length');
    c.getAuthTag().copy(wrapped, IV + KEY);
    return { key, wrapped };
  };
  const unwrap = (subject: string, blob: Buffer) => {
    const d = createDecipheriv('aes-256-gcm', kek, blob.subarray(0, IV));
    d.setAAD(Buffer.from(subject));
    d.setAuthTag(blob.subarray(blob.length - TAG));
    try {
      // A buffer of its own: a slice of the shared pool would keep the whole pool slab alive for as
      // long as the key is cached (~17 MB of slabs over a 200k-event rebuild).
      const opened = Buffer.concat([d.update(blob.subarray(IV, blob.length - TAG)), d.final()]);
      const key = Buffer.alloc(opened.length);
      opened.copy(key);
      return key;
    } catch {
      throw new Error(`the data key of ${subject} does not open with this OUTREACH_SECRET_KEY (was the key changed?)`);
    }
  };

  /** Keys made and not stored yet, by subject: the key and its wrapped form. */
  const unstored = new Map<string, { key: Buffer; wrapped: Buffer }>();
  let storing: Promise<void> | null = null;
  /** Inserts the unstored keys (in the caller's transaction); the subjects another process stored first. */
  const insertUnstored = (): { rows: [string, Buffer][]; lost: string[] } => {
    const now = new Date().toISOString();
    const rows = [...unstored].map(([subject, u]): [string, Buffer] => [subject, u.wrapped]);
    return { rows, lost: rows.filter(([subject, wrapped]) => q.insert.run(subject, wrapped, now).changes === 0).map(([subject]) => subject) };
  };
  // Another process made a key for one of these subjects at the same moment: its key is the one
  // stored, so what was sealed with ours must not be written. The next attempt uses the stored one.
  const dropLost = (lost: string[]) => {
    for (const subject of lost) {
      unstored.delete(subject);
      cache.delete(subject);
    }
    if (lost.length > 0) throw new Error(`the data key of ${lost.join(', ')} was made by another process at the same moment; try again`);
  };
  const storeAll = db.transaction(insertUnstored);
  const storeUnstored = () => {
    storing = null;
    if (unstored.size === 0) return;
    // When this throws (the file busy for longer than its timeout) the keys stay unstored, and the
    // appends waiting for them fail: nothing sealed with them is written until they are stored.
    const { rows, lost } = storeAll.immediate();
    for (const [subject] of rows) unstored.delete(subject);
    dropLost(lost);
  };
  // With a host: the keys made so far are committed just before each batch of events (see BatchHook).
  host?.beforeEachBatch(storeUnstored);

  const lookup = (subject: string): Buffer | null | undefined => {
    const cached = cache.get(subject);
    if (cached !== undefined) return cached;
    const pending = unstored.get(subject);
    if (pending) return remember(subject, pending.key);
    const row = q.get.get(subject);
    if (!row) return undefined;
    return remember(subject, row.wrapped ? unwrap(subject, row.wrapped) : null);
  };

  return {
    keyFor(subject) {
      const known = lookup(subject);
      if (known !== undefined) return known;
      // Not stored yet: kept until stored() writes it together with the other keys made meanwhile,
      // before the first event sealed with it is appended (a key without its event is harmless;
      // an event without its key would be lost).
      const made = makeKey(subject);
      unstored.set(subject, made);
      return remember(subject, made.key);
    },
    stored() {
      // With a host, it commits them just before the batch that holds the events: nothing to wait for.
      if (unstored.size === 0 || host) return Promise.resolve();
      // Once the microtasks run out: every command of this turn that makes a key has made it by then
      // (sealing is synchronous up to here), and no turn of the event loop is spent waiting.
      storing ??= new Promise<void>((resolve, reject) =>
        process.nextTick(() => {
          try {
            storeUnstored();
            resolve();
          } catch (e) {
            reject(e);
          }
        }),
      );
      return storing;
    },
    existingKey(subject) {
      return lookup(subject) ?? null;
    },
    forget(subject) {
      if (cache.get(subject) === null) return;
      const now = new Date().toISOString();
      unstored.delete(subject);
      q.forget.run(subject, now, now);
      remember(subject, null);
      truncateWal(db);
    },
    isForgotten(subject) {
      return lookup(subject) === null;
    },
    close() {
      if (unstored.size > 0) storeUnstored();
      db.close();
    },
  };
}
