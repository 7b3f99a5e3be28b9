/**
 * The floor of a sealed write: the least the raw libraries must do to store what the project
 * stores for a new person, and nothing else: no parsing, no decider, no queue, no group commit.
 *
 * For each ContactAdded row it looks up the person's key (not found), makes a 32-byte key, wraps it
 * (AES-256-GCM under a key-encrypting key), seals as many values of the same sizes as the row holds
 * (AES-256-GCM each: one per event), then inserts the wrapped key and the row: better-sqlite3 and
 * node:crypto alone, the project's schema and pragmas, `perTransaction` rows per transaction.
 *
 * Its rate against the raw baseline (the same rows inserted, nothing else) is the highest ratio
 * the project's row can reach with that design on this machine: the part of a gap below it is
 * the design's, the part above it the project's own work.
 */
import Database from 'better-sqlite3';
import { createCipheriv, randomBytes } from 'node:crypto';
import { migrate } from '../src/eventstore/sqlite/schema.ts';
import { applyPragmas } from '../src/sqlite/pragmas.ts';
import type { EventRow } from './raw-sqlite.ts';

/** The floor's ratio is what the project's ratio could reach at most; it is information, not a goal. */
export const FLOOR_GOAL = 'info (the most the ratio above can be)';

const SEALED = /"enc:v1:([A-Za-z0-9_-]+)"/g;

/** The plaintext sizes of the row's sealed values: each is iv (12) | ciphertext | tag (16), base64url. */
const sealedSizes = (data: string) => [...data.matchAll(SEALED)].map((m) => Math.max(0, Math.floor((m[1]!.length * 3) / 4) - 28));

// Random bytes drawn 64 KB at a time, as the project's own pool does: one call per key or IV would cost more than the cipher.
let pool = randomBytes(65536);
let used = 0;
function random(n: number): Buffer {
  if (used + n > pool.length) {
    pool = randomBytes(65536);
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
}

function gcm(key: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const iv = random(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  return Buffer.concat([iv, c.update(plain), c.final(), c.getAuthTag()]);
}

/**
 * `keys-file`: as the project stores keys, in their own file, committed before the events'
 * transaction. `one-file`: the least any per-person sealing could do, the key in the events file
 * in the same transaction. Both seal what the stored rows hold (one value per event).
 */
export type FloorDesign = 'keys-file' | 'one-file';

export class SealedFloor {
  private readonly events: Database.Database;
  private readonly keys: Database.Database;
  private readonly store: (rs: EventRow[], wrapped: (Buffer | null)[]) => void;
  private readonly keyOf: (subject: string) => unknown;
  private readonly kek = randomBytes(32);
  rows = 0;
  seconds = 0;

  constructor(
    eventsFile: string,
    keysFile: string,
    private readonly perTransaction = 1,
    design: FloorDesign = 'keys-file',
  ) {
    this.events = new Database(eventsFile);
    applyPragmas(this.events);
    migrate(this.events);
    this.keys = design === 'keys-file' ? new Database(keysFile) : this.events;
    if (design === 'keys-file') applyPragmas(this.keys);
    this.keys.pragma('secure_delete = ON');
    this.keys.exec('CREATE TABLE subject_keys (subject TEXT PRIMARY KEY, wrapped BLOB, created_at TEXT NOT NULL, forgotten_at TEXT)');
    const event = this.events.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const get = this.keys.prepare('SELECT wrapped FROM subject_keys WHERE subject = ?');
    this.keyOf = (subject) => get.get(subject);
    const key = this.keys.prepare('INSERT OR IGNORE INTO subject_keys (subject, wrapped, created_at) VALUES (?, ?, ?)');
    const insertKeys = (rs: EventRow[], wrapped: (Buffer | null)[]) =>
      rs.forEach((r, i) => {
        if (wrapped[i]) key.run(r.stream, wrapped[i], r.created_at);
      });
    const insertRows = (rs: EventRow[]) => {
      for (const r of rs) event.run(r.id, r.stream, r.revision, r.type, r.data, r.metadata, r.created_at);
    };
    if (design === 'keys-file') {
      const keysTx = this.keys.transaction(insertKeys);
      const rowsTx = this.events.transaction(insertRows);
      this.store = (rs, wrapped) => {
        keysTx(rs, wrapped);
        rowsTx(rs);
      };
    } else {
      this.store = this.events.transaction((rs: EventRow[], wrapped: (Buffer | null)[]) => {
        insertKeys(rs, wrapped);
        insertRows(rs);
      });
    }
  }

  /** Seals and stores the rows as above, `perTransaction` at a time; returns the seconds it took. */
  insert(rows: EventRow[]): number {
    const work = rows.map((r) => ({ row: r, sizes: sealedSizes(r.data), fresh: r.type === 'ContactAdded' }));
    const t0 = performance.now();
    for (let i = 0; i < work.length; i += this.perTransaction) {
      const chunk = work.slice(i, i + this.perTransaction);
      const wrapped = chunk.map(({ row, sizes, fresh }) => {
        const aad = Buffer.from(row.stream);
        // A new person's key is looked for (and not found) before one is made.
        if (fresh) this.keyOf(row.stream);
        const key = random(32);
        for (const size of sizes) gcm(key, Buffer.alloc(size, 0x61), aad);
        return fresh ? gcm(this.kek, key, aad) : null;
      });
      this.store(
        chunk.map((w) => w.row),
        wrapped,
      );
    }
    const secs = (performance.now() - t0) / 1000;
    this.rows += rows.length;
    this.seconds += secs;
    return secs;
  }

  get rate(): number {
    return this.rows / this.seconds;
  }

  close(): void {
    this.events.close();
    if (this.keys !== this.events) this.keys.close();
  }
}
