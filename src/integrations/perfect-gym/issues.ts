import type { AppContext } from '../../context.js';
import type { Db } from '../../db/knex.js';
import { findEntranceDoor } from '../../doors/repository.js';
import { countPendingAssignments } from '../../packages/service.js';
import { linkedLocations } from '../links.js';

export type IssueKind = 'missingPackage' | 'noDoor' | 'unmappedClub';

/** Records (or counts up) something a sync could not apply, grouped by kind and key. */
export async function recordIssue(db: Db, integrationId: number, kind: IssueKind, key: string, detail: string, count: number, now: Date): Promise<void> {
  const existing = await db('sync_issues').where({ integration_id: integrationId, kind, issue_key: key }).first('id');
  if (existing) {
    await db('sync_issues').where({ id: existing.id }).update({ count: db.raw('?? + ?', ['count', count]), detail, last_seen_at: now, resolved_at: null });
  } else {
    await db('sync_issues').insert({ integration_id: integrationId, kind, issue_key: key, detail, count, first_seen_at: now, last_seen_at: now });
  }
}

/**
 * Open issues. Missing packages are counted live from the pending assignments, so creating the
 * package makes the issue disappear at once, without another sync.
 */
export async function listSyncIssues(ctx: AppContext, integrationId: number) {
  const missing = (await countPendingAssignments(ctx, integrationId)).map((p) => ({
    kind: 'missingPackage' as const,
    altId: p.altId,
    count: p.count,
    detail: `${p.count} contract(s)/product(s) wait for a package with altId ${p.altId}; create it and they are assigned at once`,
  }));
  const other = await ctx.db('sync_issues').where({ integration_id: integrationId }).whereNull('resolved_at').whereNot({ kind: 'missingPackage' }).orderBy('id');
  const recorded = other.map((r: Record<string, any>) => ({ kind: r.kind as IssueKind, key: r.issue_key as string, count: r.count as number, detail: r.detail as string }));
  // A linked location without an entrance door is an issue from the moment it is linked, not only once visits are lost.
  const doorless = [];
  for (const location of (await linkedLocations(ctx, integrationId)).values()) {
    const key = `location:${location.id}`;
    if (recorded.some((r) => r.kind === 'noDoor' && r.key === key) || (await findEntranceDoor(ctx.db, location.id))) continue;
    doorless.push({ kind: 'noDoor' as const, key, count: 0, detail: `Location ${location.name} (${location.id}) has no active entrance door: create one so visits become door events` });
  }
  return { items: [...missing, ...recorded, ...doorless] };
}

export async function resolveIssue(db: Db, integrationId: number, kind: IssueKind, key: string, now: Date): Promise<void> {
  await db('sync_issues').where({ integration_id: integrationId, kind, issue_key: key }).whereNull('resolved_at').update({ resolved_at: now });
}
