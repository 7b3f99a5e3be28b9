import Database from 'better-sqlite3';
import { expect } from 'vitest';

/** Every table of a projections database, each row as a JSON array, sorted: equal databases give equal strings. */
export function tablesOf(file: string): Map<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
    return new Map(
      tables.map((t) => [
        t,
        (db.prepare(`SELECT * FROM ${t}`).raw().safeIntegers(true).all() as unknown[][])
          .map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}

/** The same rows in every table, or the first difference (a whole-table diff of thousands of rows says nothing). */
export function expectSameTables(actual: Map<string, string[]>, expected: Map<string, string[]>) {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [table, rows] of expected) {
    const got = actual.get(table)!;
    const i = rows.findIndex((r, k) => got[k] !== r);
    expect({ table, rows: got.length, first: i < 0 ? null : { index: i, actual: got[i], expected: rows[i] } }).toEqual({
      table,
      rows: rows.length,
      first: null,
    });
  }
}
