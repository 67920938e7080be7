import { readDate, type Db } from '../db/knex.js';

/** When each integration's job kind last succeeded. */
export async function lastSuccessfulRuns(db: Db): Promise<{ integrationId: number; kind: string; finishedAt: Date }[]> {
  const rows: Record<string, any>[] = await db('sync_runs')
    .where({ status: 'succeeded' })
    .groupBy('integration_id', 'kind')
    .select('integration_id', 'kind')
    .max({ finished_at: 'finished_at' });
  return rows.map((r) => ({ integrationId: Number(r.integration_id), kind: String(r.kind), finishedAt: readDate(r.finished_at) }));
}

export async function countQueuedRuns(db: Db): Promise<number> {
  const row = await db('sync_runs').where({ status: 'queued' }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
