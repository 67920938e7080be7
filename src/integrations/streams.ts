import type { Db } from '../db/knex.js';
import { inTransaction } from '../db/transaction.js';
import { getCursor, setCursor } from './repository.js';
import type { IntegrationRun } from './types.js';

/** One page read from the remote side, and the cursor to store once it is applied. */
export interface StreamPage<Row> {
  rows: Row[];
  cursor: string;
}

/**
 * A feed of the remote system that a job walks page by page from a stored cursor. The stream
 * declares how to read and how to apply one page; runStreams pages, checkpoints and commits.
 */
export interface StreamDefinition<Row = unknown> {
  /** Names its cursor (unique within the integration). */
  name: string;
  /** Pages after `cursor` (null: from the start). */
  read(h: IntegrationRun, cursor: string | null): AsyncIterable<StreamPage<Row>>;
  /** Applies one page inside its transaction; returns progress counters. */
  applyPage(h: IntegrationRun, trx: Db, rows: Row[]): Promise<Record<string, number>>;
}

export function stopIfAborted(h: IntegrationRun): void {
  if (h.signal.aborted) throw new Error('Stopped before the end (lease lost or shutting down); the next attempt resumes from the last committed page');
}

/**
 * Walks each stream from its stored cursor. A page, its new cursor and the run's progress commit
 * in one transaction, so a killed run resumes exactly after its last committed page.
 */
export async function runStreams(h: IntegrationRun, streams: StreamDefinition<any>[]): Promise<void> {
  for (const stream of streams) {
    const cursor = await getCursor(h.ctx.db, h.integration.id, stream.name);
    for await (const page of stream.read(h, cursor)) {
      stopIfAborted(h);
      await inTransaction(h.ctx.db, async (trx) => {
        const counters = await stream.applyPage(h, trx, page.rows);
        await setCursor(trx, h.integration.id, stream.name, page.cursor, h.ctx.now());
        await h.commitPage(trx, { ...counters, pages: 1 });
      });
    }
  }
}
