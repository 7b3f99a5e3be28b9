import { isOutreachError } from '../domain/errors.ts';
import { WrongExpectedRevisionError, type StreamAppend } from '../eventstore/port.ts';
import type { ImportReport } from './contact-import.ts';
import type { AppContext } from './handle.ts';

const BATCH = 100;

/**
 * Rows decided and waiting to be stored, BATCH at a time in one multi-stream append (with the
 * SQLite store, one transaction). A row whose append fails is rejected, naming its line.
 */
export class ImportBatch {
  private rows: { line: number; contactId: string; append: StreamAppend }[] = [];
  constructor(
    private readonly ctx: AppContext,
    private readonly report: ImportReport,
  ) {}
  get full() {
    return this.rows.length >= BATCH;
  }
  add(line: number, contactId: string, append: StreamAppend) {
    this.rows.push({ line, contactId, append });
  }
  async flush() {
    const rows = this.rows;
    this.rows = [];
    if (rows.length === 0) return;
    const results = await this.ctx.store.appendMany(rows.map((r) => r.append));
    results.forEach((r, i) => {
      const row = rows[i]!;
      if (r.status === 'fulfilled') {
        this.report.imported += 1;
        this.report.ids.push(row.contactId);
      } else if (isOutreachError(r.reason) || r.reason instanceof WrongExpectedRevisionError) {
        this.report.rejected.push({ line: row.line, reason: (r.reason as Error).message });
      } else throw r.reason;
    });
  }
}
